"""国家赔偿 applications to the unit as 赔偿义务机关 (《国家赔偿法》 arts.9–14, 32).

Decide within two months of receipt (art.13 para.1), serve the decision or the written refusal
with its reasons within ten days of it (art.13 paras.3–4); the applicant may sue within three
months of the decision, or of the expiry of the two months without one (art.14), or apply for
行政复议 against the decision (行政复议法 art.11(6)). The 复议 case or the lawsuit that follows is
linked to the application by its case number. 行政赔偿 claimed inside a 行政复议 or 行政诉讼
(国家赔偿法 art.9 para.2) stays in those registers and is counted with these figures.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models

from fazhi.registers.framework.models import Matter


class Mode(models.TextChoices):
    # 《国家赔偿法》第三十二条: 支付赔偿金为主要方式；能够返还财产或者恢复原状的，予以返还财产或者恢复原状。
    MONEY = "money", "支付赔偿金"
    RETURN = "return", "返还财产"
    RESTORE = "restore", "恢复原状"


class CaseLink(models.ForeignKey):  # type: ignore[type-arg]
    """A link to the matter of another register that followed the application, entered by its
    case number (the form lists no one's cases; hooks.py checks the case concerns this unit)."""

    def formfield(self, **kwargs: Any) -> Any:
        field = super().formfield(**kwargs)
        assert isinstance(field, forms.ModelChoiceField)
        field.to_field_name = "case_number"
        field.widget = forms.TextInput()
        field.error_messages["invalid_choice"] = f"未找到该案号的{self.related_model._meta.verbose_name}"
        return field


class Application(Matter):
    received_on = models.DateField("收到申请日期", db_index=True)
    applicant_name = models.CharField("赔偿请求人", max_length=100)
    infringing_act = models.CharField("致害行为", max_length=200, help_text="申请书载明的行使职权的行为")
    claimed_amount = models.DecimalField("请求赔偿金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    remarks = models.TextField("备注", blank=True)

    correction_notice_on = models.DateField("一次性告知补正日期", null=True, blank=True)
    corrected_on = models.DateField("补正材料收到日期", null=True, blank=True)
    heard_on = models.DateField("听取意见（协商）日期", null=True, blank=True)
    hearing_summary = models.TextField("听取意见、协商情况", blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True, db_index=True)
    outcome = models.CharField("决定结果", max_length=20, blank=True, db_index=True)
    mode = models.CharField("赔偿方式", max_length=10, choices=Mode.choices, blank=True)
    amount = models.DecimalField("赔偿金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    refusal_reason = models.TextField("不予赔偿的理由", blank=True)
    served_on = models.DateField("送达日期", null=True, blank=True)
    sued_on = models.DateField("赔偿请求人起诉日期", null=True, blank=True)
    litigation_case = CaseLink(
        "litigation.LitigationCase",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="compensation_applications",
        verbose_name="请求人起诉后的行政应诉案件（案号）",
        help_text="本单位作为被告应诉的案件，填写本系统登记的应诉案号（《国家赔偿法》第十四条）",
    )
    reconsidered_on = models.DateField("赔偿请求人申请行政复议日期", null=True, blank=True)
    reconsideration_case = CaseLink(
        "reconsideration.ReconsiderationCase",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="compensation_applications",
        verbose_name="请求人申请的行政复议案件（案号）",
        help_text="以本单位为被申请人的行政复议案件，填写本系统登记的复议案号（《行政复议法》第十一条第六项）",
    )
    closed_note = models.CharField("结案情况", max_length=200, blank=True)
    ended_on = models.DateField("结案日期", null=True, blank=True)

    objects: models.Manager[Application]  # type: ignore[assignment]

    class Meta:
        verbose_name = "国家赔偿"
        verbose_name_plural = "国家赔偿"
        indexes = [
            models.Index(fields=["unit", "state", "due_on"], name="sc_unit_state_due"),
            models.Index(fields=["unit", "received_on"], name="sc_unit_received"),
        ]
