"""行政复议 cases (《行政复议法》2023修订). Personal data: the applicant's name, ID, phone, address."""

from __future__ import annotations

from django.db import models

from fazhi.core.fieldcrypt import EncryptedCharField
from fazhi.core.models import Unit
from fazhi.registers.framework.choices import PartyType
from fazhi.registers.framework.models import Matter

ApplicantType = PartyType


class Channel(models.TextChoices):
    IN_PERSON = "in_person", "当面递交"
    POST = "post", "邮寄"
    ONLINE = "online", "互联网渠道"
    ORAL = "oral", "口头申请"


class Procedure(models.TextChoices):
    ORDINARY = "ordinary", "普通程序"
    SIMPLIFIED = "simplified", "简易程序"


class NormativeReviewResult(models.TextChoices):
    """Incidental review of a 规范性文件 (arts.56–60): handled by the body itself or forwarded."""

    LAWFUL = "lawful", "审查认为合法"
    UNLAWFUL = "unlawful", "认定违法，决定停止执行并责令纠正"
    FORWARDED = "forwarded", "无权处理，转送有权机关处理"


class SuspensionItem(models.TextChoices):
    """The grounds of 中止 (art.39 para.1); items 1, 2 and 4 end in 终止 after 60 days (art.41(5))."""

    DEATH = "1", "（一）申请人死亡，近亲属尚未确定是否参加"
    INCAPACITY = "2", "（二）申请人丧失行为能力，尚未确定法定代理人"
    MISSING = "3", "（三）申请人下落不明"
    DISSOLVED = "4", "（四）申请人法人或者其他组织终止，尚未确定承受人"
    FORCE_MAJEURE = "5", "（五）因不可抗力或者其他正当理由不能参加"
    MEDIATION = "6", "（六）调解、和解，双方同意中止"
    INTERPRETATION = "7", "（七）法律适用问题需要有权机关解释或者确认"
    OTHER_CASE = "8", "（八）需以其他案件的审理结果为依据"
    DOCUMENT_REVIEW = "9", "（九）附带审查规范性文件或者依据"
    OTHER = "10", "（十）其他需要中止的情形"


class DocumentReviewRoute(models.TextChoices):
    """How the body deals with an incidental review request (arts.56–60)."""

    NONE = "", "不涉及"
    PENDING = "pending", "待处理"
    HANDLED = "handled", "本机关依法处理"
    TRANSFERRED = "transferred", "无权处理，转送有权机关"


def outcome_choices() -> list[tuple[str, str]]:
    from fazhi.registers.framework.registry import register_get

    return [(o.code, o.label) for o in register_get("reconsideration").definition.outcomes.values()]


class ReconsiderationCase(Matter):
    applicant_name = EncryptedCharField("申请人", max_length=100)
    applicant_type = models.CharField("申请人类型", max_length=30, choices=ApplicantType.choices)
    applicant_id_number = EncryptedCharField("证件号码", max_length=30, blank=True)
    applicant_phone = EncryptedCharField("联系电话", max_length=30, blank=True)
    applicant_address = EncryptedCharField("联系地址", max_length=200, blank=True)
    respondent_name = models.CharField("被申请人", max_length=120)
    respondent_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="被申请人（本系统单位）")
    respondent_is_government = models.BooleanField("区政府作为被申请人", default=False)
    disputed_act = models.TextField("被申请复议的行政行为")
    channel = models.CharField("申请方式", max_length=20, choices=Channel.choices)
    compensation_requested = models.BooleanField("一并提出行政赔偿请求", default=False)
    normative_document_review = models.BooleanField("一并请求审查规范性文件", default=False)
    reviewed_document = models.ForeignKey(
        "normative_docs.NormativeDocument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reconsideration_reviews",
        verbose_name="被请求审查的规范性文件（本系统登记的）",
        help_text="申请人依照《行政复议法》第十三条一并提出附带审查的规范性文件",
    )
    disclosure_related = models.BooleanField("涉政府信息公开", default=False, help_text="被申请的行为是政府信息公开答复（政府信息公开工作年度报告表四）")
    remarks = models.TextField("备注", blank=True)
    # the application period (arts.20, 21), checked when the case is accepted
    act_made_on = models.DateField("行政行为作出日期", null=True, blank=True)
    act_known_on = models.DateField("知道或者应当知道该行政行为之日", null=True, blank=True)
    rights_not_informed = models.BooleanField("作出行政行为时未告知复议权利、复议机关和申请期限", default=False)
    real_property = models.BooleanField("因不动产提出的申请", default=False)
    late_application_reason = models.CharField(
        "耽误申请期限的正当理由",
        max_length=200,
        blank=True,
        help_text="因不可抗力或者其他正当理由耽误法定申请期限的，申请期限自障碍消除之日起继续计算（《行政复议法》第二十条第二款）",
    )
    complex_case = models.BooleanField(
        "案情重大、疑难、复杂", default=False, help_text="应当组织听证（第五十条）并提请行政复议委员会提出咨询意见（第五十二条）"
    )

    correction_requested_on = models.DateField("补正通知日期", null=True, blank=True)
    correction_items = models.TextField("补正事项", blank=True)
    correction_received_on = models.DateField("收到补正日期", null=True, blank=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True, db_index=True)
    procedure = models.CharField("审理程序", max_length=20, choices=Procedure.choices, blank=True)
    suspended_on = models.DateField("中止日期", null=True, blank=True)
    suspension_ground = models.CharField("中止事由", max_length=200, blank=True)
    suspension_item = models.CharField("中止情形", max_length=2, choices=SuspensionItem.choices, blank=True, help_text="《行政复议法》第三十九条第一款")
    resumed_on = models.DateField("恢复日期", null=True, blank=True)
    extended_on = models.DateField("延期日期", null=True, blank=True)
    extension_reason = models.CharField("延期理由", max_length=200, blank=True)
    procedure_switched_on = models.DateField("转为普通程序日期", null=True, blank=True)
    copy_sent_on = models.DateField("发送申请书副本日期", null=True, blank=True)
    copy_received_on = models.DateField("被申请人收到副本日期", null=True, blank=True)
    answer_received_on = models.DateField("收到书面答复日期", null=True, blank=True)
    evidence_submitted = models.BooleanField("已提交作出行政行为的证据、依据和其他有关材料", default=False)
    third_party_evidence = models.BooleanField("行政行为涉及第三人合法权益，第三人提供了证据", default=False)
    views_heard_on = models.DateField("听取意见日期", null=True, blank=True)
    hearing_noticed_on = models.DateField("听证通知日期", null=True, blank=True)
    hearing_on = models.DateField("听证日期", null=True, blank=True)
    committee_consulted_on = models.DateField("提请行政复议委员会咨询日期", null=True, blank=True)
    committee_opinion = models.TextField("行政复议委员会咨询意见", blank=True)
    document_review_route = models.CharField("附带审查处理方式", max_length=20, choices=DocumentReviewRoute.choices, blank=True)
    document_review_on = models.DateField("附带审查处理（转送）日期", null=True, blank=True)
    document_reply_on = models.DateField("收到有权机关处理意见日期", null=True, blank=True)
    respondent_head_attended = models.BooleanField("被申请人负责人参加听证", default=False)
    decided_on = models.DateField("决定日期", null=True, blank=True, db_index=True)
    outcome = models.CharField("决定类型", max_length=40, blank=True, db_index=True)
    decision_reason = models.TextField("决定理由", blank=True)
    compensation_decided = models.BooleanField("一并作出赔偿决定", default=False)
    compensation_amount = models.DecimalField("决定赔偿金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    normative_document_result = models.CharField(
        "规范性文件附带审查结果", max_length=20, choices=NormativeReviewResult.choices, blank=True, help_text="《行政复议法》第五十六条至第六十条"
    )
    mediation_summary = models.TextField("调解书（和解协议）要点", blank=True)
    opinion_letter_on = models.DateField("意见书制发日期", null=True, blank=True)
    opinion_letter_summary = models.TextField("意见书要点", blank=True)
    opinion_report_on = models.DateField("收到意见书落实情况报告日期", null=True, blank=True)

    class Meta:
        verbose_name = "行政复议案件"
        verbose_name_plural = "行政复议案件"
        indexes = [
            models.Index(fields=["unit", "state", "due_on"], name="recon_unit_state_due"),
            models.Index(fields=["unit", "received_on"], name="recon_unit_received"),
        ]

    def outcome_label(self) -> str:
        return dict(outcome_choices()).get(self.outcome, "")
