"""政府信息公开 requests (《政府信息公开条例》2019修订). RULES.md §3.3.

Applicant types are the columns of the 2021 annual-report table (国办公开办函〔2021〕30号); the
reply types are its rows, so that table can be produced from the records alone.
Personal data: the applicant's name, ID number, phone, e-mail and address.
"""

from __future__ import annotations

from django.db import models

from fazhi.core.fieldcrypt import EncryptedCharField, EncryptedEmailField
from fazhi.registers.framework.models import Matter


class ApplicantType(models.TextChoices):
    NATURAL_PERSON = "natural_person", "自然人"
    COMMERCIAL = "commercial", "商业企业"
    RESEARCH = "research", "科研机构"
    PUBLIC_INTEREST = "public_interest", "社会公益组织"
    LEGAL_SERVICE = "legal_service", "法律服务机构"
    OTHER = "other", "其他"


class Channel(models.TextChoices):
    """Art.31 fixes the date of receipt per channel; ``received_on`` records that date."""

    IN_PERSON = "in_person", "当面提交（提交之日）"
    REGISTERED_POST = "registered_post", "邮政特快专递、挂号信（签收之日）"
    ORDINARY_LETTER = "ordinary_letter", "平常信函（与申请人确认之日）"
    ONLINE = "online", "互联网渠道（双方确认之日）"
    FAX = "fax", "传真（双方确认之日）"


class DisclosureRequest(Matter):
    applicant_type = models.CharField("申请人类型", max_length=30, choices=ApplicantType.choices)
    applicant_name = EncryptedCharField("申请人", max_length=100)
    applicant_id_number = EncryptedCharField("证件号码", max_length=40, blank=True)
    applicant_phone = EncryptedCharField("联系电话", max_length=30, blank=True)
    applicant_email = EncryptedEmailField("电子邮箱", blank=True)
    applicant_address = EncryptedCharField("通信地址", max_length=200, blank=True)
    channel = models.CharField("申请方式", max_length=30, choices=Channel.choices)
    content = models.TextField("所需政府信息的名称、文号或者便于查询的其他特征性描述")
    delivery = models.CharField("获取信息的方式", max_length=60, blank=True)
    tracking_code_hash = models.CharField("查询码摘要", max_length=64, blank=True, db_index=True, editable=False)
    remarks = models.TextField("备注", blank=True)

    correction_requested_on = models.DateField("补正通知日期", null=True, blank=True)
    correction_items = models.TextField("补正事项", blank=True)
    correction_received_on = models.DateField("收到补正日期", null=True, blank=True)
    consultation_sent_on = models.DateField("征求第三方意见日期", null=True, blank=True)
    third_party = models.CharField("第三方", max_length=120, blank=True)
    consultation_answered_on = models.DateField("第三方答复（或期满）日期", null=True, blank=True)
    extended_on = models.DateField("延期日期", null=True, blank=True)
    extension_reason = models.CharField("延期理由", max_length=200, blank=True)
    # 延迟答复 (art.35): a reasonable later date the agency sets and tells the applicant
    delay_notified_on = models.DateField("告知延迟答复日期", null=True, blank=True)
    delayed_reply_due_on = models.DateField("延迟答复期限", null=True, blank=True)
    delay_reason = models.CharField("延迟答复理由", max_length=200, blank=True)
    # 信息处理费 (art.42; 国办函〔2020〕109号): the time to pay is not counted in the reply period
    fee_notified_on = models.DateField("收费通知日期", null=True, blank=True)
    fee_amount = models.DecimalField("信息处理费（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    fee_paid_on = models.DateField("缴费日期", null=True, blank=True)
    replied_on = models.DateField("答复日期", null=True, blank=True, db_index=True)
    outcome = models.CharField("办理结果", max_length=40, blank=True, db_index=True)
    reply_note = models.TextField("答复要点", blank=True)

    objects: models.Manager[DisclosureRequest]  # type: ignore[assignment]

    class Meta:
        verbose_name = "政府信息公开申请"
        verbose_name_plural = "政府信息公开申请"
        indexes = [
            models.Index(fields=["unit", "state", "due_on"], name="disc_unit_state_due"),
            models.Index(fields=["unit", "received_on"], name="disc_unit_received"),
        ]
