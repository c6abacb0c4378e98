"""法律援助: applications and notifications, the 7-day decision, 3-day assignment, 先行援助, closure,
the objection to a refusal or a termination.

法律援助法 (2022) arts.22, 25, 29, 31, 36, 41–44, 48, 49. Personal data: the applicant's name, ID
number, phone and address.
"""

from __future__ import annotations

from django.db import models

from fazhi.core.fieldcrypt import EncryptedCharField
from fazhi.registers.framework.models import Matter


class Category(models.TextChoices):
    CIVIL = "civil", "民事"
    CRIMINAL = "criminal", "刑事"
    ADMINISTRATIVE = "administrative", "行政"
    STATE_COMPENSATION = "state_compensation", "国家赔偿"


class Source(models.TextChoices):
    APPLICATION = "application", "当事人申请（第四十一条）"
    NOTIFICATION = "notification", "办案机关通知辩护、代理（第三十六条）"
    FORWARDED = "forwarded", "羁押场所转交申请（第三十九条）"


class AidForm(models.TextChoices):
    """The forms of legal aid of art.22 that are cases (consultation and 值班律师 are counted elsewhere)."""

    CRIMINAL_DEFENCE = "criminal_defence", "刑事辩护"
    CRIMINAL_REPRESENTATION = "criminal_representation", "刑事代理"
    LITIGATION = "litigation", "民事、行政诉讼代理"
    STATE_COMPENSATION = "state_compensation", "国家赔偿代理"
    ARBITRATION = "arbitration", "劳动争议调解与仲裁代理"
    NON_LITIGATION = "non_litigation", "非诉讼代理"


class ProviderType(models.TextChoices):
    LAWYER = "lawyer", "律师事务所律师"
    CENTRE_STAFF = "centre_staff", "法律援助机构工作人员"
    GRASSROOTS = "grassroots", "基层法律服务工作者"
    VOLUNTEER = "volunteer", "法律援助志愿者"


class ObjectionResult(models.TextChoices):
    """法律援助法第四十九条: the 司法行政部门 upholds the centre's decision or orders it corrected."""

    UPHELD = "upheld", "维持法律援助机构的决定"
    CORRECTED = "corrected", "责令法律援助机构改正"


class LegalAidCase(Matter):
    received_on = models.DateField("收到申请（通知）日期", db_index=True)
    source = models.CharField("案件来源", max_length=20, choices=Source.choices)
    category = models.CharField("案件类别", max_length=20, choices=Category.choices, db_index=True)
    aid_form = models.CharField("援助形式", max_length=30, choices=AidForm.choices)
    applicant_name = EncryptedCharField("受援人", max_length=100)
    applicant_id_number = EncryptedCharField("受援人证件号码", max_length=30, blank=True)
    applicant_phone = EncryptedCharField("受援人联系电话", max_length=30, blank=True)
    applicant_address = EncryptedCharField("受援人住址", max_length=200, blank=True)
    notifying_authority = models.CharField("通知机关", max_length=120, blank=True)
    matter_summary = models.TextField("案情摘要")
    wage_arrears = models.BooleanField("涉农民工欠薪", default=False)
    remarks = models.TextField("备注", blank=True)

    correction_requested_on = models.DateField("通知补充材料日期", null=True, blank=True)
    correction_items = models.TextField("需补充的材料", blank=True)
    correction_received_on = models.DateField("收到补充材料日期", null=True, blank=True)
    decided_on = models.DateField("审查决定日期", null=True, blank=True, db_index=True)
    refusal_reason = models.TextField("不予援助理由", blank=True)
    advance_aid = models.BooleanField("先行援助", default=False)
    advance_reason = models.CharField("先行援助事由", max_length=200, blank=True)
    assigned_on = models.DateField("指派日期", null=True, blank=True)
    provider_type = models.CharField("承办人员类别", max_length=20, choices=ProviderType.choices, blank=True)
    provider_name = models.CharField("承办人及所在机构", max_length=120, blank=True)
    outcome = models.CharField("结案方式", max_length=30, blank=True, db_index=True)
    termination_reason = models.CharField("终止援助理由", max_length=200, blank=True)
    amount_recovered = models.DecimalField("为受援人挽回经济损失（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    objection_received_on = models.DateField("司法行政部门收到异议日期", null=True, blank=True)
    objection_grounds = models.TextField("异议理由", blank=True)
    objection_decided_on = models.DateField("异议审查决定日期", null=True, blank=True)
    objection_result = models.CharField("异议审查结果", max_length=20, choices=ObjectionResult.choices, blank=True)

    class Meta:
        verbose_name = "法律援助案件"
        verbose_name_plural = "法律援助案件"
        indexes = [
            models.Index(fields=["unit", "state", "due_on"], name="aid_unit_state_due"),
            models.Index(fields=["unit", "received_on"], name="aid_unit_received"),
        ]
