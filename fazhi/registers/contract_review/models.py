"""合同合法性审查 and legal opinions: a unit submits a contract or a legal matter, a 法律顾问 or
公职律师 of the adviser directory reviews it and returns 同意 / 修改后同意 / 不同意 with an opinion.

The time to answer is a dated setting (definitions/clocks/contract_review.yaml): local
行政机关合同管理办法 commonly give the 法制机构 five working days from receipt of the draft.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Q

from fazhi.core.fieldcrypt import EncryptedCharField
from fazhi.core.models import Unit
from fazhi.registers.framework.models import Matter


class ReviewKind(models.TextChoices):
    CONTRACT = "contract", "合同合法性审查"
    OPINION = "opinion", "法律意见"


class Category(models.TextChoices):
    # contracts (the kinds local 行政机关合同管理办法 list)
    PROCUREMENT = "procurement", "政府采购合同"
    CONSTRUCTION = "construction", "工程建设合同"
    ASSETS = "assets", "国有资产投资、租赁、转让合同"
    RESOURCES = "resources", "自然资源使用权出让、出租合同"
    CONCESSION = "concession", "特许经营、政府和社会资本合作合同"
    EXPROPRIATION = "expropriation", "征收征用补偿协议"
    INVESTMENT_CONTRACT = "investment_contract", "招商引资合同"
    SERVICE = "service", "委托、服务合同"
    OTHER_CONTRACT = "other_contract", "其他合同"
    # legal opinions
    MAJOR_LEGAL = "major_legal", "重大涉法事项"
    PETITION = "petition", "信访事项"
    INVESTMENT = "investment", "招商引资事项"
    OTHER_MATTER = "other_matter", "其他涉法事项"


CONTRACT_CATEGORIES = frozenset(
    {"procurement", "construction", "assets", "resources", "concession", "expropriation", "investment_contract", "service", "other_contract"}
)


class CounterpartyType(models.TextChoices):
    ORGANISATION = "organisation", "法人或者其他组织"
    NATURAL_PERSON = "natural_person", "自然人"


class AdviserKind(models.TextChoices):
    LEGAL_ADVISER = "legal_adviser", "法律顾问"
    STAFF_LAWYER = "staff_lawyer", "公职律师"


class LegalAdviser(models.Model):
    """One 法律顾问 or 公职律师 serving a unit for a term (the adviser directory).

    Changed only through ``fazhi.registers.contract_review.services`` (each change an
    append-only ``AdviserChange`` and an audit leaf in the same transaction)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="服务单位")
    name = models.CharField("姓名", max_length=50)
    kind = models.CharField("类别", max_length=20, choices=AdviserKind.choices, db_index=True)
    licence_number = models.CharField("执业证号", max_length=40, help_text="律师执业证号或者公职律师证号")
    organisation = models.CharField("所在律师事务所或工作单位", max_length=100, blank=True)
    term_start = models.DateField("聘任起始日期")
    term_end = models.DateField("聘任截止日期", null=True, blank=True, help_text="公职律师无固定期限的可不填")
    appointment_reference = models.CharField("聘用合同或任命文号", max_length=100)
    # the day after the term's last day (kept by the service): the directory's figures count an
    # adviser as serving at the end of a period when the term runs through that day
    term_over_on = models.DateField("聘任期满次日", null=True, blank=True, editable=False)

    objects: models.Manager[LegalAdviser]

    class Meta:
        verbose_name = "法律顾问和公职律师"
        verbose_name_plural = "法律顾问和公职律师"
        constraints = [models.UniqueConstraint(fields=["unit", "licence_number"], name="adviser_licence_unique_per_unit")]
        ordering = ["unit__path", "kind", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"

    def serves_on(self, day: dt.date) -> bool:
        return self.term_start <= day and (self.term_end is None or day <= self.term_end)


class AdviserChange(models.Model):
    """Append-only record of one change to the adviser directory (what the audit leaf holds)."""

    adviser = models.ForeignKey(LegalAdviser, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(max_length=20)  # created / updated / imported
    data = models.JSONField(default=dict)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    occurred_at = models.DateTimeField()

    class Meta:
        verbose_name = "法律顾问名录变更记录"
        verbose_name_plural = "法律顾问名录变更记录"
        ordering = ["id"]


class AdviserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.get_kind_display()}，{obj.unit.name}）"


class AdviserField(models.ForeignKey):  # type: ignore[type-arg]
    """The reviewing adviser; the form offers the advisers in their term today."""

    def formfield(self, **kwargs: Any) -> Any:
        from django.utils import timezone

        field = super().formfield(**{"form_class": AdviserChoiceField} | kwargs)
        assert isinstance(field, forms.ModelChoiceField)
        today = timezone.localdate()
        field.queryset = LegalAdviser.objects.filter(Q(term_end__isnull=True) | Q(term_end__gte=today), term_start__lte=today).select_related("unit")
        return field


class ContractReview(Matter):
    received_on = models.DateField("送审日期", db_index=True)
    kind = models.CharField("审查类别", max_length=20, choices=ReviewKind.choices, db_index=True)
    category = models.CharField("事项类别", max_length=30, choices=Category.choices, db_index=True)
    title = models.CharField("合同或事项名称", max_length=200)
    counterparty_type = models.CharField("合同相对方类型", max_length=20, choices=CounterpartyType.choices, blank=True)
    counterparty_name = EncryptedCharField("合同相对方名称或姓名", max_length=100, blank=True)
    counterparty_id_number = EncryptedCharField("相对方身份证件号码", max_length=30, blank=True, help_text="相对方为自然人的填写")
    counterparty_phone = EncryptedCharField("相对方联系电话", max_length=30, blank=True)
    amount = models.DecimalField("合同金额（元）", max_digits=16, decimal_places=2, null=True, blank=True)
    requested_by = models.DateField("要求完成审查日期", null=True, blank=True)
    content_summary = models.TextField("送审事项简要情况", blank=True)

    assigned_on = models.DateField("指派日期", null=True, blank=True)
    adviser = AdviserField(LegalAdviser, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews", verbose_name="审查的法律顾问或公职律师")
    opinion_on = models.DateField("出具意见日期", null=True, blank=True, db_index=True)
    outcome = models.CharField("审查结论", max_length=20, blank=True, db_index=True)
    opinion = models.TextField("审查意见", blank=True)
    withdrawn_on = models.DateField("撤回日期", null=True, blank=True)
    withdraw_reason = models.TextField("撤回原因", blank=True)

    objects: models.Manager[ContractReview]  # type: ignore[assignment]

    class Meta:
        verbose_name = "合同合法性审查和法律意见"
        verbose_name_plural = "合同合法性审查和法律意见"
        indexes = [
            models.Index(fields=["unit", "state", "due_on"], name="contract_unit_state_due"),
            models.Index(fields=["unit", "received_on"], name="contract_unit_received"),
        ]


class OpinionDocument(models.Model):
    """The opinion document (审查意见书) uploaded for a review, stored by content (SHA-256)."""

    review = models.ForeignKey(ContractReview, on_delete=models.PROTECT, related_name="documents")
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    event_id = models.BigIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "审查意见书"
        verbose_name_plural = "审查意见书"
        ordering = ["id"]
