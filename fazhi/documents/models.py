"""Documents (文书) the platform issues at a step: numbered, frozen, stored by content, audited."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from fazhi.core.models import Unit


class DocumentSequence(models.Model):
    """Last number given per unit, series and year (gap-free: taken in the step's transaction)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    series = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "series", "year"], name="document_sequence_unique")]


class IssuedDocument(models.Model):
    """One document as issued: its number, its text as frozen at the step, the SHA-256 of its DOCX
    (stored by content), the verification code printed on it. Append-only; each is an audit leaf.
    A correction is a new document naming the one it ``replaces``."""

    template = models.CharField("文书模板", max_length=80)
    title = models.CharField("文书名称", max_length=100)
    number = models.CharField("文号", max_length=80, unique=True)
    series = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    register = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    case_number = models.CharField("案号", max_length=60)
    event_id = models.BigIntegerField(null=True, blank=True, help_text="the step's MatterEvent")
    step = models.CharField(max_length=40)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="出具单位")
    addressee = models.CharField("送达对象", max_length=200, blank=True)
    issued_on = models.DateField("出具日期")
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    paragraphs = models.JSONField("正文", default=list)
    basis = models.CharField("依据", max_length=300, blank=True)
    docx_sha256 = models.CharField(max_length=64)
    code = models.CharField("验证码", max_length=20, unique=True)
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by", verbose_name="更正的文书")

    class Meta:
        verbose_name = "文书"
        verbose_name_plural = "文书"
        ordering = ["id"]
        indexes = [models.Index(fields=["register", "object_id"], name="document_matter_idx")]

    def __str__(self) -> str:
        return f"{self.title} {self.number}"


class Rendition(models.Model):
    """A document rendered to another format (the PDF), frozen the first time it is asked for:
    the file a citizen holds and can have verified. Append-only; each is an audit leaf."""

    document = models.ForeignKey(IssuedDocument, on_delete=models.PROTECT, related_name="renditions")
    kind = models.CharField(max_length=10)  # pdf
    sha256 = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["document", "kind"], name="one_rendition_per_kind")]


class DeliveryMethod(models.TextChoices):
    DIRECT = "direct", "直接送达"
    LEFT = "left", "留置送达"
    POST = "post", "邮寄送达"
    ELECTRONIC = "electronic", "电子送达"
    ANNOUNCEMENT = "announcement", "公告送达"


class Delivery(models.Model):
    """The service (送达) of one issued document on one addressee: how, when, who received it, and
    the deemed date of service computed by rule (the day a remedy period starts). Recorded once per
    document and addressee. Append-only; each is an audit leaf (the receiver's name as a digest)."""

    document = models.ForeignKey(IssuedDocument, on_delete=models.PROTECT, related_name="deliveries", verbose_name="文书")
    addressee = models.CharField("受送达人", max_length=200)
    method = models.CharField("送达方式", max_length=20, choices=DeliveryMethod.choices)
    served_on = models.DateField("送达日期")
    received_by = models.CharField("签收人", max_length=100, blank=True)
    tracking_number = models.CharField("邮件单号", max_length=60, blank=True)
    consent = models.BooleanField("受送达人同意电子送达", default=False)
    announced_on = models.DateField("公告日期", null=True, blank=True)
    deemed_on = models.DateField("视为送达日期")
    basis = models.CharField("依据", max_length=300)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")

    class Meta:
        verbose_name = "送达记录"
        verbose_name_plural = "送达记录"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["document", "addressee"], name="one_delivery_per_addressee")]
