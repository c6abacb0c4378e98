"""行政执法 under the 三项制度: the 权责清单, officers, cases with their full process record, evidence.

行政处罚法 (2021) arts.27, 33, 39, 44, 47–48, 57–58, 60–64; 国办发〔2018〕118号 (公示, 全过程记录,
法制审核). Personal data: the party's name, ID number, phone and address when the party is a
natural person.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from fazhi.core.fieldcrypt import EncryptedCharField
from fazhi.core.models import Unit
from fazhi.registers.framework.models import Matter


class ActionKind(models.TextChoices):
    PENALTY = "penalty", "行政处罚"
    LICENCE = "licence", "行政许可"
    COERCION = "coercion", "行政强制"
    INSPECTION = "inspection", "行政检查"


class Sector(models.TextChoices):
    """The sector whose own procedural rule sets the 办案期限 (definitions/enforcement/rules.yaml, decision_terms)."""

    GENERAL = "", "无专门程序规定（适用《行政处罚法》）"
    MARKET_REGULATION = "market_regulation", "市场监督管理"


class PowerItem(models.Model):
    """One item of a unit's 权责清单 (list of powers): what it may do, on what basis, by what procedure."""

    # a register form lists only the unit's own (framework/forms.py)
    form_unit = "unit"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="实施主体")
    code = models.CharField("事项编码", max_length=60, unique=True)
    name = models.CharField("事项名称", max_length=200)
    kind = models.CharField("职权类别", max_length=20, choices=ActionKind.choices)
    legal_basis = models.TextField("设定依据")
    procedure = models.TextField("办理程序", blank=True)
    remedy = models.TextField("救济途径", blank=True)
    sector = models.CharField("适用的程序规定", max_length=30, choices=Sector.choices, blank=True, default="")
    offence = models.CharField("对应的涉刑标准", max_length=60, blank=True, help_text="该事项的违法行为可能涉嫌的罪名，用于比对立案追诉标准、发现以罚代刑")
    active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = "权责清单事项"
        verbose_name_plural = "权责清单事项"
        ordering = ["unit__path", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Officer(models.Model):
    """An 行政执法人员 holding a certificate (执法证). ``code`` is the certificate number."""

    # a register form lists only the unit's own (framework/forms.py)
    form_unit = "unit"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="所在单位")
    name = models.CharField("姓名", max_length=50)
    code = models.CharField("执法证号", max_length=40, unique=True)
    certificate_issued_on = models.DateField("发证日期")
    certificate_valid_until = models.DateField("证件有效期至", db_index=True)
    legal_qualification = models.BooleanField("具有法律职业资格", default=False)
    active = models.BooleanField("在岗", default=True)

    class Meta:
        verbose_name = "行政执法人员"
        verbose_name_plural = "行政执法人员"
        ordering = ["unit__path", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def certified_on(self, day: object) -> bool:
        return bool(self.active and self.certificate_issued_on <= day <= self.certificate_valid_until)  # type: ignore[operator]


class OfficerExam(models.Model):
    """The annual examination (年度考试/考核) of an officer."""

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="exams", verbose_name="执法人员")
    year = models.PositiveSmallIntegerField("年度")
    score = models.DecimalField("成绩", max_digits=5, decimal_places=1)
    passed = models.BooleanField("合格")
    # the day the exam counts on in the indicators: the exam date when known, else the last day of its year
    held_on = models.DateField("考试日期", help_text="未填写的按考试年度的最后一日计")

    class Meta:
        verbose_name = "年度考试"
        verbose_name_plural = "年度考试"
        constraints = [models.UniqueConstraint(fields=["officer", "year"], name="officer_exam_once_a_year")]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.held_on is None and self.year:
            self.held_on = dt.date(self.year, 12, 31)
        super().save(*args, **kwargs)


class TrainingRecord(models.Model):
    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="trainings", verbose_name="执法人员")
    held_on = models.DateField("培训日期")
    topic = models.CharField("培训内容", max_length=200)
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = "培训记录"
        verbose_name_plural = "培训记录"
        indexes = [models.Index(fields=["officer", "held_on"], name="training_officer_day")]


class PartyType(models.TextChoices):
    NATURAL_PERSON = "natural_person", "自然人"
    LEGAL_PERSON = "legal_person", "法人"
    OTHER_ORGANISATION = "other_organisation", "非法人组织"
    INDIVIDUAL_BUSINESS = "individual_business", "个体工商户"


class SevereMeasure(models.TextChoices):
    """The penalties beyond a fine that give the party a right to a hearing (行政处罚法第六十三条)."""

    NONE = "", "无"
    LARGE_CONFISCATION = "large_confiscation", "没收较大数额违法所得、较大价值非法财物"
    QUALIFICATION_DOWNGRADE = "qualification_downgrade", "降低资质等级"
    LICENCE_REVOCATION = "licence_revocation", "吊销许可证件"
    SUSPENSION = "suspension", "责令停产停业"
    CLOSURE = "closure", "责令关闭"
    OCCUPATION_BAN = "occupation_ban", "限制从业"


class ReviewResult(models.TextChoices):
    PASSED = "passed", "审核通过"
    RETURNED = "returned", "退回补充调查或修改"


class Execution(models.TextChoices):
    VOLUNTARY = "voluntary", "当事人自觉履行"
    ENFORCED = "enforced", "行政机关强制执行"
    COURT = "court", "申请人民法院强制执行"
    NOT_NEEDED = "not_needed", "无需执行"


class Termination(models.TextChoices):
    TRANSFERRED = "transferred", "涉嫌犯罪移送司法机关（第二十七条）"
    NOT_ESTABLISHED = "not_established", "违法事实不能成立，撤销立案"
    NO_JURISDICTION = "no_jurisdiction", "不属于本机关管辖，移送有权机关"
    PARTY_GONE = "party_gone", "当事人死亡或终止，无权利义务承受人"
    WITHDRAWN = "withdrawn", "申请人撤回申请（许可）"


class Waiver(models.TextChoices):
    STATEMENT_AND_HEARING = "statement_and_hearing", "放弃陈述、申辩和听证权利"
    STATEMENT = "statement", "放弃陈述、申辩权利"
    HEARING = "hearing", "放弃听证权利"


class ExcludedReason(models.TextChoices):
    """Periods a sector's rule or the law leaves out of the decision term (检测 etc. have their own steps)."""

    SUSPENSION = "suspension", "中止调查"
    HEARING = "hearing", "听证"
    ANNOUNCEMENT = "announcement", "公告"
    IDENTIFICATION = "identification", "权利人辨认或者鉴别"
    REFUND_ORDER = "refund_order", "责令退还多收价款"
    TENDER = "tender", "招标"
    AUCTION = "auction", "拍卖"
    EXPERT_REVIEW = "expert_review", "专家评审"


class EnforcementCase(Matter):
    power_item = models.ForeignKey(PowerItem, on_delete=models.PROTECT, related_name="+", verbose_name="权责清单事项")
    kind = models.CharField("执法类别", max_length=20, choices=ActionKind.choices, db_index=True, blank=True)
    received_on = models.DateField("立案（受理）日期", db_index=True)
    party_type = models.CharField("当事人类型", max_length=30, choices=PartyType.choices)
    party_name = EncryptedCharField("当事人", max_length=120)
    party_id_number = EncryptedCharField("证件号码或统一社会信用代码", max_length=40, blank=True)
    party_phone = EncryptedCharField("当事人联系电话", max_length=30, blank=True)
    party_address = EncryptedCharField("当事人住址", max_length=200, blank=True)
    facts = models.TextField("案由及基本事实")
    lead_officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+", verbose_name="主办执法人员")
    second_officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+", verbose_name="协办执法人员")
    major_public_interest = models.BooleanField("涉及重大公共利益", default=False)
    complex_case = models.BooleanField("案情疑难复杂、涉及多个法律关系", default=False)
    other_law_review = models.BooleanField("法律法规规定应当法制审核", default=False)
    amount_involved = models.DecimalField("涉案金额（元）", max_digits=16, decimal_places=2, null=True, blank=True)
    joint_handling = models.BooleanField("统一办理、联合办理或集中办理的许可", default=False)
    # which decision term applies (definitions/enforcement/rules.yaml, decision_terms): set at 立案
    term = models.CharField("办案期限", max_length=40, blank=True, db_index=True)

    # 行政许可法第三十二条: 补正 notified at once within 5 working days, 受理 when the materials are complete
    correction_requested_on = models.DateField("一次告知补正日期", null=True, blank=True)
    correction_items = models.TextField("需要补正的全部内容", blank=True)
    correction_received_on = models.DateField("补正材料收到（受理）日期", null=True, blank=True)
    # the decision term: extension, continued extension, periods not counted
    term_extended_on = models.DateField("批准延长办案期限日期", null=True, blank=True)
    term_extension_reason = models.CharField("延长期限的理由", max_length=200, blank=True)
    term_continued_on = models.DateField("集体讨论决定继续延期日期", null=True, blank=True)
    term_continued_days = models.PositiveIntegerField("继续延长的期限（日）", null=True, blank=True)
    excluded_from = models.DateField("不计入期限的期间开始日期", null=True, blank=True)
    excluded_reason = models.CharField("不计入期限的事由", max_length=30, choices=ExcludedReason.choices, blank=True)
    excluded_until = models.DateField("不计入期限的期间结束日期", null=True, blank=True)
    term_paused = models.BooleanField("期限扣除中", default=False)
    testing_started_on = models.DateField("送检测、检验、检疫或鉴定日期", null=True, blank=True)
    testing_finished_on = models.DateField("检测、检验、检疫或鉴定结果出具日期", null=True, blank=True)
    testing_open = models.BooleanField("检测、检验、检疫或鉴定中", default=False)
    # 行政强制法第二十五条、第二十七条: 查封、扣押 and its term
    seized_on = models.DateField("查封、扣押日期", null=True, blank=True)
    seizure_items = models.TextField("查封、扣押的场所、设施或财物", blank=True)
    seizure_extended_on = models.DateField("批准延长查封、扣押期限日期", null=True, blank=True)
    seizure_released_on = models.DateField("解除查封、扣押日期", null=True, blank=True)

    notified_on = models.DateField("告知日期", null=True, blank=True)
    proposed_fine = models.DecimalField("拟罚款、没收金额（元）", max_digits=16, decimal_places=2, null=True, blank=True)
    proposed_measure = models.CharField("拟作出的其他处罚", max_length=40, choices=SevereMeasure.choices, blank=True)
    hearing_right = models.BooleanField("有权要求听证", default=False)
    rights_waived_on = models.DateField("当事人明确放弃权利日期", null=True, blank=True)
    rights_waived = models.CharField("放弃的权利", max_length=30, choices=Waiver.choices, blank=True)
    hearing_requested_on = models.DateField("申请听证日期", null=True, blank=True)
    hearing_noticed_on = models.DateField("通知听证时间、地点的日期", null=True, blank=True)
    hearing_held_on = models.DateField("听证日期", null=True, blank=True)
    hearing_held = models.BooleanField("经过听证", default=False)

    review_submitted_on = models.DateField("提交法制审核日期", null=True, blank=True)
    reviewed_on = models.DateField("法制审核日期", null=True, blank=True)
    review_result = models.CharField("法制审核结论", max_length=20, choices=ReviewResult.choices, blank=True)
    review_opinion = models.TextField("法制审核意见", blank=True)
    reviewer_name = models.CharField("审核人员", max_length=50, blank=True)
    discussed_on = models.DateField("集体讨论日期", null=True, blank=True)
    discussion_conclusion = models.TextField("集体讨论结论", blank=True)

    decided_on = models.DateField("决定日期", null=True, blank=True, db_index=True)
    outcome = models.CharField("决定类型", max_length=30, blank=True, db_index=True)
    decision_number = models.CharField("决定书文号", max_length=80, blank=True)
    fine_amount = models.DecimalField("罚款、没收金额（元）", max_digits=16, decimal_places=2, null=True, blank=True)
    measure = models.CharField("其他处罚", max_length=40, choices=SevereMeasure.choices, blank=True)
    served_on = models.DateField("送达日期", null=True, blank=True)
    executed_on = models.DateField("执行完毕日期", null=True, blank=True)
    execution = models.CharField("执行方式", max_length=20, choices=Execution.choices, blank=True)
    termination = models.CharField("终止原因", max_length=30, choices=Termination.choices, blank=True)
    termination_note = models.TextField("终止说明", blank=True)

    published_on = models.DateField("公示日期", null=True, blank=True, db_index=True)
    decision_changed_on = models.DateField("决定被变更、撤销或确认违法日期", null=True, blank=True)
    decision_change_reason = models.CharField("变更、撤销原因", max_length=200, blank=True)
    publication_withdrawn_on = models.DateField("撤回公示日期", null=True, blank=True)

    objects: models.Manager[EnforcementCase]  # type: ignore[assignment]

    class Meta:
        verbose_name = "行政执法案件"
        verbose_name_plural = "行政执法案件"
        indexes = [
            models.Index(fields=["unit", "state", "due_on"], name="enf_unit_state_due"),
            models.Index(fields=["unit", "received_on"], name="enf_unit_received"),
            models.Index(fields=["unit", "decided_on"], name="enf_unit_decided"),
        ]


class EvidenceItem(models.Model):
    """One piece of evidence (调查取证). The file lives in the content-addressed store under its
    SHA-256; the hash is in the case's event and so in the audit log."""

    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="evidence", verbose_name="案件")
    collected_on = models.DateField("取证日期")
    description = models.CharField("证据名称", max_length=200)
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.PositiveBigIntegerField("大小（字节）")
    event_id = models.BigIntegerField("事件")

    class Meta:
        verbose_name = "证据"
        verbose_name_plural = "证据"
        ordering = ["case", "id"]


class ImpunityFlag(models.Model):
    """A 以罚代刑 flag: a penalty case above a criminal threshold with no transfer recorded.

    Kept (never deleted) so the supervision work can turn it into a lead; ``cleared_on`` is set
    when a transfer appears later."""

    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="impunity_flags", verbose_name="案件")
    offence = models.CharField("罪名编码", max_length=60)
    offence_label = models.CharField("涉嫌罪名", max_length=100)
    threshold = models.DecimalField("立案追诉标准（元）", max_digits=16, decimal_places=2)
    amount = models.DecimalField("涉案金额（元）", max_digits=16, decimal_places=2)
    citation = models.CharField("依据", max_length=300)
    flagged_on = models.DateField("标记日期")
    cleared_on = models.DateField("解除日期", null=True, blank=True)
    cleared_reason = models.CharField("解除原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "以罚代刑线索"
        verbose_name_plural = "以罚代刑线索"
        constraints = [models.UniqueConstraint(fields=["case", "offence"], name="impunity_flag_once")]
