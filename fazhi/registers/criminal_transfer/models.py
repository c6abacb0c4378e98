"""两法衔接: transfers of suspected crimes from an enforcement agency to the police.

行政执法机关移送涉嫌犯罪案件的规定 (国务院令第310号, revised 2020) arts.3, 5, 7–9, 11–14;
RULES.md §3.8. Personal data: the suspect's name and ID number.
"""

from __future__ import annotations

from django.db import models

from fazhi.core.fieldcrypt import EncryptedCharField
from fazhi.registers.enforcement.models import EnforcementCase, Officer, PartyType
from fazhi.registers.framework.models import Matter


class Origin(models.TextChoices):
    OWN = "own", "执法机关在办案中发现"
    PROCURATORATE = "procuratorate", "检察机关建议移送"
    SUPERVISION = "supervision", "监督检查中发现（以罚代刑线索）"


class PoliceDecision(models.TextChoices):
    FILED = "filed", "立案"
    NOT_FILED = "not_filed", "不予立案"


class CriminalTransfer(Matter):
    received_on = models.DateField("移送报告日期", db_index=True)
    origin = models.CharField("线索来源", max_length=20, choices=Origin.choices)
    enforcement_case = models.ForeignKey(
        EnforcementCase, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers", verbose_name="对应的行政执法案件"
    )
    offence = models.CharField("涉嫌罪名", max_length=100)
    suspect_type = models.CharField("涉嫌犯罪主体类型", max_length=30, choices=PartyType.choices)
    suspect_name = EncryptedCharField("涉嫌犯罪的单位或个人", max_length=120)
    suspect_id_number = EncryptedCharField("证件号码或统一社会信用代码", max_length=40, blank=True)
    amount_involved = models.DecimalField("涉案金额（元）", max_digits=16, decimal_places=2, null=True, blank=True)
    facts = models.TextField("涉嫌犯罪事实")
    lead_officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+", verbose_name="专案组执法人员（一）")
    second_officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+", verbose_name="专案组执法人员（二）")

    approved_on = models.DateField("负责人审批日期", null=True, blank=True)
    refusal_reason = models.TextField("不批准移送的理由", blank=True)
    transferred_on = models.DateField("移送日期", null=True, blank=True)
    police_unit = models.CharField("接受移送的公安机关", max_length=120, blank=True)
    copied_to_procuratorate = models.BooleanField("抄送同级人民检察院", default=False)
    police_received_on = models.DateField("公安机关受理日期", null=True, blank=True)
    police_decided_on = models.DateField("公安机关立案决定日期", null=True, blank=True)
    police_decision = models.CharField("公安机关决定", max_length=20, choices=PoliceDecision.choices, blank=True)
    police_case_number = models.CharField("公安立案编号", max_length=60, blank=True)
    not_filed_reason = models.TextField("不予立案理由", blank=True)
    reconsideration_requested_on = models.DateField("提请复议日期", null=True, blank=True)
    reconsideration_decided_on = models.DateField("公安复议决定日期", null=True, blank=True)
    supervision_requested_on = models.DateField("建议检察院立案监督日期", null=True, blank=True)
    supervision_result = models.TextField("立案监督结果", blank=True)
    handed_over_on = models.DateField("移交涉案物品和证据日期", null=True, blank=True)

    objects: models.Manager[CriminalTransfer]  # type: ignore[assignment]

    class Meta:
        verbose_name = "涉嫌犯罪案件移送"
        verbose_name_plural = "涉嫌犯罪案件移送"
        indexes = [models.Index(fields=["unit", "state", "due_on"], name="transfer_unit_state_due")]
