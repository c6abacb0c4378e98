"""人民调解: the committees of the three-level network, their mediators, disputes and 排查 records.

人民调解法 (2011) arts.7–8, 17–33; 司法部《人民调解工作若干规定》(2002) art.33 (one month).
Personal data: the parties' names, ID numbers and phones.
"""

from __future__ import annotations

from django.db import models

from fazhi.core.fieldcrypt import EncryptedCharField
from fazhi.core.models import Unit
from fazhi.registers.framework.models import Matter


class CommitteeLevel(models.TextChoices):
    """The 三级调解网络 (district, subdistrict/township, community/village), plus sector committees."""

    DISTRICT = "district", "区级"
    SUBDISTRICT = "subdistrict", "街道（乡镇）级"
    COMMUNITY = "community", "社区（村）级"
    SECTOR = "sector", "行业性、专业性"


class MediationCommittee(models.Model):
    """A 人民调解委员会. ``unit`` is the unit that keeps its ledger (a 司法所, or the 司法局)."""

    # a register form lists only the unit's own (framework/forms.py)
    form_unit = "unit"

    name = models.CharField("名称", max_length=120, unique=True)
    level = models.CharField("层级", max_length=20, choices=CommitteeLevel.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="台账所属单位")
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = "人民调解委员会"
        verbose_name_plural = "人民调解委员会"
        ordering = ["unit__path", "level", "name"]

    def __str__(self) -> str:
        return self.name


class Mediator(models.Model):
    # a register form lists only the unit's own (framework/forms.py)
    form_unit = "committee__unit"
    committee = models.ForeignKey(MediationCommittee, on_delete=models.PROTECT, related_name="mediators", verbose_name="所属调委会")
    name = models.CharField("姓名", max_length=50)
    full_time = models.BooleanField("专职", default=False)
    active = models.BooleanField("在任", default=True)

    class Meta:
        verbose_name = "人民调解员"
        verbose_name_plural = "人民调解员"
        constraints = [models.UniqueConstraint(fields=["committee", "name"], name="mediator_unique_per_committee")]

    def __str__(self) -> str:
        return f"{self.name}（{self.committee.name}）"


class DisputeType(models.TextChoices):
    """Dispute types as 司法行政 statistics group them."""

    NEIGHBOUR = "neighbour", "邻里纠纷"
    FAMILY = "family", "婚姻家庭纠纷"
    PROPERTY = "property", "物业纠纷"
    LABOUR = "labour", "劳动争议（含欠薪）"
    CONTRACT = "contract", "合同纠纷"
    DAMAGES = "damages", "损害赔偿纠纷"
    TRAFFIC = "traffic", "道路交通事故纠纷"
    MEDICAL = "medical", "医疗纠纷"
    LAND = "land", "土地、山林、房屋宅基地纠纷"
    DEMOLITION = "demolition", "征地拆迁纠纷"
    CONSUMER = "consumer", "消费纠纷"
    OTHER = "other", "其他纠纷"


class Source(models.TextChoices):
    APPLICATION = "application", "当事人申请"
    OWN_INITIATIVE = "own_initiative", "调委会主动调解"
    SCREENING = "screening", "排查发现"
    REFERRED = "referred", "委托移送（诉前、访调、警调对接）"


class Performance(models.TextChoices):
    PERFORMED = "performed", "已履行"
    PARTLY = "partly", "部分履行"
    NOT_PERFORMED = "not_performed", "未履行"


class ConfirmationResult(models.TextChoices):
    CONFIRMED = "confirmed", "裁定协议有效"
    NOT_CONFIRMED = "not_confirmed", "裁定驳回申请"


class MediationCase(Matter):
    received_on = models.DateField("受理日期", db_index=True)
    committee = models.ForeignKey(MediationCommittee, on_delete=models.PROTECT, related_name="+", verbose_name="人民调解委员会")
    mediator = models.ForeignKey(Mediator, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="主持调解员")
    dispute_type = models.CharField("纠纷类型", max_length=20, choices=DisputeType.choices, db_index=True)
    source = models.CharField("纠纷来源", max_length=20, choices=Source.choices)
    party_a_name = EncryptedCharField("申请方当事人", max_length=100)
    party_a_phone = EncryptedCharField("申请方联系电话", max_length=30, blank=True)
    party_a_id_number = EncryptedCharField("申请方证件号码", max_length=30, blank=True)
    party_b_name = EncryptedCharField("对方当事人", max_length=100)
    parties_count = models.PositiveSmallIntegerField("当事人人数", default=2)
    description = models.TextField("纠纷简要情况")
    amount_involved = models.DecimalField("涉及金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    remarks = models.TextField("备注", blank=True)

    concluded_on = models.DateField("调解终结日期", null=True, blank=True, db_index=True)
    outcome = models.CharField("调解结果", max_length=30, blank=True, db_index=True)
    agreement_amount = models.DecimalField("协议金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    agreement_terms = models.TextField("协议内容（各方责任、履行方式和期限）", blank=True)
    failure_reason = models.CharField("未成功原因及告知的其他途径", max_length=200, blank=True)
    performance = models.CharField("协议履行情况", max_length=20, choices=Performance.choices, blank=True)
    performance_checked_on = models.DateField("回访日期", null=True, blank=True)
    confirmation_applied_on = models.DateField("申请司法确认日期", null=True, blank=True)
    confirmation_court = models.CharField("司法确认法院", max_length=120, blank=True)
    confirmation_result = models.CharField("司法确认结果", max_length=20, choices=ConfirmationResult.choices, blank=True)
    confirmation_ruled_on = models.DateField("司法确认裁定日期", null=True, blank=True)

    class Meta:
        verbose_name = "人民调解案件"
        verbose_name_plural = "人民调解案件"
        indexes = [
            models.Index(fields=["unit", "state", "due_on"], name="med_unit_state_due"),
            models.Index(fields=["unit", "received_on"], name="med_unit_received"),
        ]


class Screening(Matter):
    """One 矛盾纠纷排查 by a committee: what it looked at, found and resolved on the spot."""

    received_on = models.DateField("排查日期", db_index=True)
    committee = models.ForeignKey(MediationCommittee, on_delete=models.PROTECT, related_name="+", verbose_name="人民调解委员会")
    scope = models.CharField("排查范围", max_length=200)
    disputes_found = models.PositiveIntegerField("排查发现纠纷（件）")
    disputes_resolved = models.PositiveIntegerField("当场化解（件）", default=0)
    disputes_referred = models.PositiveIntegerField("移交调解或有关部门（件）", default=0)
    risks = models.TextField("重点隐患及措施", blank=True)

    class Meta:
        verbose_name = "矛盾纠纷排查记录"
        verbose_name_plural = "矛盾纠纷排查记录"
        indexes = [models.Index(fields=["unit", "received_on"], name="screen_unit_received")]
