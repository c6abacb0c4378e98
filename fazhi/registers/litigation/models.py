"""行政应诉: lawsuits against a unit as defendant, one record per instance (一审/二审/再审).

RULES.md §3.2: 行政诉讼法 arts.3, 67, 69–78; 最高法《关于行政机关负责人出庭应诉若干问题的规定》.
Personal data: the plaintiff's name, ID number and phone.
"""

from __future__ import annotations

from django.db import models

from fazhi.core.fieldcrypt import EncryptedCharField
from fazhi.registers.framework.choices import PartyType
from fazhi.registers.framework.models import Matter


class Instance(models.TextChoices):
    FIRST = "first", "一审"
    SECOND = "second", "二审"
    RETRIAL = "retrial", "再审"


class Appearance(models.TextChoices):
    """Who appeared for the agency at a hearing (规定 arts.2 and 10)."""

    PRINCIPAL = "principal", "正职负责人"
    DEPUTY = "deputy", "副职负责人"
    IN_CHARGE = "in_charge", "其他分管负责人"
    STAFF = "staff", "相应工作人员"
    LAWYER_ONLY = "lawyer_only", "仅委托律师"
    NONE = "none", "无人出庭"


HEAD_APPEARANCES = {Appearance.PRINCIPAL, Appearance.DEPUTY, Appearance.IN_CHARGE}


class AgencyResult(models.TextChoices):
    """What the lawsuit came to for the agency as one instance left it (empty: not decided, e.g.
    发回重审). A second-instance record's result follows from the first-instance result, who
    appealed and what the appeal court did (行政诉讼法 art.89); see ``results.py``."""

    WON = "won", "胜诉（行政行为得到维持）"
    LOST = "lost", "败诉（行政行为被纠正）"
    OTHER = "other", "其他（驳回起诉、撤诉、调解等）"


class Appellant(models.TextChoices):
    AGENCY = "agency", "本机关"
    PLAINTIFF = "plaintiff", "原告"
    THIRD_PARTY = "third_party", "第三人"
    BOTH = "both", "本机关和对方当事人均上诉"


class AppealPeriod(models.TextChoices):
    """Which appeal period a decision carries (行政诉讼法 art.85); derived when it is recorded."""

    JUDGMENT = "judgment", "判决：送达之日起十五日"
    RULING = "ruling", "裁定：送达之日起十日"
    NONE = "none", "不能上诉（终审裁判、准许撤诉裁定、调解书）"


class LitigationCase(Matter):
    plaintiff_name = EncryptedCharField("原告", max_length=100)
    plaintiff_type = models.CharField("原告类型", max_length=30, choices=PartyType.choices)
    plaintiff_id_number = EncryptedCharField("原告证件号码", max_length=30, blank=True)
    plaintiff_phone = EncryptedCharField("原告联系电话", max_length=30, blank=True)
    defendant_name = models.CharField("被告", max_length=120)
    defendant_is_government = models.BooleanField("区政府作为被告", default=False)
    court = models.CharField("受理法院", max_length=120)
    court_case_number = models.CharField("法院案号", max_length=80, blank=True)
    instance = models.CharField("审级", max_length=20, choices=Instance.choices)
    prior_case_number = models.CharField("前审案号", max_length=80, blank=True)
    disputed_act = models.TextField("被诉行政行为")
    after_reconsideration = models.BooleanField("经复议后起诉", default=False)
    disclosure_related = models.BooleanField("涉政府信息公开", default=False)
    compensation_claimed = models.BooleanField("一并请求行政赔偿", default=False)
    reconsideration_codefendant = models.BooleanField(
        "复议机关作共同被告", default=False, help_text="经复议的案件，复议机关决定维持原行政行为的，作出原行政行为的行政机关和复议机关是共同被告"
    )
    co_defendant_name = models.CharField("共同被告（复议机关）", max_length=120, blank=True)
    remarks = models.TextField("备注", blank=True)

    defence_filed_on = models.DateField("提交答辩状日期", null=True, blank=True)
    analysis_meeting_on = models.DateField("案情研判会日期", null=True, blank=True)
    hearing_on = models.DateField("开庭日期", null=True, blank=True)
    appearance = models.CharField("出庭人员", max_length=20, choices=Appearance.choices, blank=True)
    appearance_person = models.CharField("出庭负责人姓名职务", max_length=100, blank=True)
    appearance_proof_defective = models.BooleanField("身份证明有缺陷且无法补正", default=False, help_text="视为负责人未出庭（《规定》第六条）")
    absence_reason = models.CharField("负责人未出庭理由", max_length=200, blank=True)
    head_appeared = models.BooleanField("本审级负责人已出庭", default=False)
    principal_appeared = models.BooleanField("本审级正职负责人已出庭", default=False)
    judged_on = models.DateField("裁判日期", null=True, blank=True, db_index=True)
    outcome = models.CharField("裁判结果", max_length=40, blank=True, db_index=True)
    judgment_note = models.TextField("裁判要旨", blank=True)
    agency_result = models.CharField("裁判结果（对本机关）", max_length=10, choices=AgencyResult.choices, blank=True, db_index=True)
    appeal_period = models.CharField("上诉期限", max_length=10, choices=AppealPeriod.choices, blank=True)
    judgment_served_on = models.DateField("裁判文书送达日期", null=True, blank=True)
    appealed_on = models.DateField("上诉日期", null=True, blank=True, help_text="已上诉的，本审裁判不发生法律效力，案件结果以上诉审为准")
    appellant = models.CharField("上诉人", max_length=20, choices=Appellant.choices, blank=True)
    first_instance_result = models.CharField("一审裁判结果（对本机关）", max_length=10, choices=AgencyResult.choices, blank=True)

    class Meta:
        verbose_name = "行政应诉案件"
        verbose_name_plural = "行政应诉案件"
        indexes = [
            models.Index(fields=["unit", "state", "due_on"], name="lit_unit_state_due"),
            models.Index(fields=["unit", "received_on"], name="lit_unit_received"),
        ]
