"""检察建议 and 司法建议 received by a unit, their rectification and written reply.

公益诉讼 诉前检察建议: 两高《关于检察公益诉讼案件适用法律若干问题的解释》 art.21(2) — reply within two
months of receipt, 15 days in an urgent case; other 检察建议 and 司法建议: see the clock rules.
"""

from __future__ import annotations

from django.db import models

from fazhi.registers.framework.models import Matter


class Kind(models.TextChoices):
    PROCURATORATE = "procuratorate", "检察建议"
    PUBLIC_INTEREST = "public_interest", "公益诉讼诉前检察建议"
    COURT = "court", "司法建议"


class ReplyBasis(models.TextChoices):
    PROCURATORATE = "procuratorate", "检察建议（两个月）"
    PUBLIC_INTEREST = "public_interest", "公益诉讼诉前检察建议（两个月）"
    PUBLIC_INTEREST_URGENT = "public_interest_urgent", "公益诉讼诉前检察建议，紧急情形（十五日）"
    COURT = "court", "司法建议（建议书载明的期限）"


class OversightSuggestion(Matter):
    received_on = models.DateField("收到日期", db_index=True)
    kind = models.CharField("建议类别", max_length=20, choices=Kind.choices, db_index=True)
    urgent = models.BooleanField("紧急情形", default=False, help_text="国家利益或者社会公共利益损害继续扩大等紧急情形，应在十五日内书面回复")
    reply_basis = models.CharField("回复期限依据", max_length=30, choices=ReplyBasis.choices, blank=True)
    letter_reply_due_on = models.DateField(
        "建议书载明的回复期限",
        null=True,
        blank=True,
        help_text="建议书写明了回复日期的，回复期限以建议书为准；公益诉讼诉前检察建议不得晚于司法解释规定的期限",
    )
    issuer = models.CharField("制发机关", max_length=100)
    document_number = models.CharField("建议书文号", max_length=60)
    subject = models.CharField("建议事项", max_length=200)
    content_summary = models.TextField("建议内容摘要", blank=True)
    remarks = models.TextField("备注", blank=True)

    assigned_on = models.DateField("交办日期", null=True, blank=True)
    handling_office = models.CharField("承办科室", max_length=100, blank=True)
    rectified_on = models.DateField("整改日期", null=True, blank=True)
    rectification_summary = models.TextField("整改情况", blank=True)
    replied_on = models.DateField("书面回复日期", null=True, blank=True, db_index=True)
    outcome = models.CharField("采纳情况", max_length=20, blank=True, db_index=True)
    reply_summary = models.TextField("回复要点", blank=True)
    not_adopted_reason = models.TextField("未采纳的理由", blank=True)
    archived_on = models.DateField("归档日期", null=True, blank=True)

    objects: models.Manager[OversightSuggestion]  # type: ignore[assignment]

    class Meta:
        verbose_name = "检察建议和司法建议"
        verbose_name_plural = "检察建议和司法建议"
        indexes = [
            models.Index(fields=["unit", "state", "due_on"], name="sugg_unit_state_due"),
            models.Index(fields=["unit", "received_on"], name="sugg_unit_received"),
        ]
        constraints = [models.UniqueConstraint(fields=["unit", "issuer", "document_number"], name="suggestion_number_unique_per_unit")]
