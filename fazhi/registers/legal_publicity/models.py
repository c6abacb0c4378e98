"""普法 under the 谁执法谁普法 responsibility system.

中办、国办《关于实行国家机关“谁执法谁普法”普法责任制的意见》(2017-05-17) asks every state organ
to draw up a 普法责任清单 (the laws it publicises, to whom, how and when) and to publicise law
in the course of its work, with 以案释法 and new media; the 八五普法规划 (2021—2025) keeps the
责任制 and runs the 乡村“法律明白人”培养工程 and the 民主法治示范村（社区） creation.

- ``DutyList`` / ``DutyItem``: a unit's 普法责任清单 for a year and its items (plain table rows);
- ``PublicityActivity``: an activity, a matter of the ``legal_publicity`` register (recorded →
  confirmed, or withdrawn when recorded by mistake), linked to the item of the list it fulfils;
- ``LegalLiaison``: the 法律明白人 of a village or community (personal data: masked for the public);
- ``ModelVillage``: the 民主法治示范村（社区） named at national, provincial or municipal level.

Every table row a user creates or changes writes an audit leaf in the same transaction (services).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db import models

from fazhi.core.models import Unit
from fazhi.registers.framework.models import Matter


class ActivityKind(models.TextChoices):
    LECTURE = "lecture", "法治讲座"
    CAMPAIGN = "campaign", "集中宣传"
    CASE = "case", "以案释法"
    CULTURE = "culture", "法治文化阵地"
    NEW_MEDIA = "new_media", "新媒体普法"
    OTHER = "other", "其他"


class VillageLevel(models.TextChoices):
    NATIONAL = "national", "全国"
    PROVINCIAL = "provincial", "省级"
    MUNICIPAL = "municipal", "市级"


class DutyList(models.Model):
    """A unit's 普法责任清单 for one year."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="责任单位")
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("清单名称", max_length=200)
    issued_on = models.DateField("印发日期")
    year_starts_on = models.DateField("清单年度起始日", help_text="统计时按清单所属年度计")
    created_at = models.DateTimeField(auto_now_add=True)

    objects: models.Manager[DutyList]

    class Meta:
        verbose_name = "普法责任清单"
        verbose_name_plural = "普法责任清单"
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="publicity_duty_list_unique_per_unit_year")]

    def __str__(self) -> str:
        return self.title


class DutyItem(models.Model):
    """One item of a 普法责任清单: what is publicised, to whom, by which activities, when."""

    duty_list = models.ForeignKey(DutyList, on_delete=models.PROTECT, related_name="items", verbose_name="责任清单")
    code = models.CharField("事项编码", max_length=60, unique=True)
    number = models.PositiveSmallIntegerField("序号")
    content = models.CharField("普法内容", max_length=300)
    target_groups = models.CharField("普法对象", max_length=200)
    planned_activities = models.CharField("主要措施和活动", max_length=300, blank=True)
    timing = models.CharField("时间安排", max_length=100, blank=True)
    removed_on = models.DateField("移出清单日期", null=True, blank=True)
    first_activity_on = models.DateField("首次开展活动日期", null=True, blank=True, help_text="由登记的普法活动自动得出")

    objects: models.Manager[DutyItem]

    class Meta:
        verbose_name = "普法责任清单事项"
        verbose_name_plural = "普法责任清单事项"
        ordering = ["duty_list", "number"]
        constraints = [models.UniqueConstraint(fields=["duty_list", "number"], name="publicity_duty_item_number_unique")]

    def __str__(self) -> str:
        return f"{self.duty_list.unit.name} {self.duty_list.year}年 {self.number}. {self.content}"


class DutyItemField(models.ForeignKey):  # type: ignore[type-arg]
    """The activity's list item; the form offers the items still on a list of this year or the last
    (the hooks check that it is the activity's own unit's list of the activity's year)."""

    def formfield(self, **kwargs: Any) -> Any:
        from django.utils import timezone

        field = super().formfield(**kwargs)
        assert isinstance(field, forms.ModelChoiceField)
        year = timezone.localdate().year
        field.queryset = (
            DutyItem.objects.filter(removed_on__isnull=True, duty_list__year__gte=year - 1)
            .select_related("duty_list__unit")
            .order_by("duty_list__unit__path", "-duty_list__year", "number")
        )
        return field


class PublicityActivity(Matter):
    received_on = models.DateField("活动日期", db_index=True)
    kind = models.CharField("活动形式", max_length=20, choices=ActivityKind.choices, db_index=True)
    kind_detail = models.CharField("其他形式的说明", max_length=100, blank=True)
    title = models.CharField("活动名称", max_length=200)
    duty_item = DutyItemField(DutyItem, on_delete=models.PROTECT, null=True, blank=True, related_name="activities", verbose_name="对应的责任清单事项")
    place = models.CharField("活动地点", max_length=200, help_text="新媒体普法填发布平台")
    audience = models.CharField("受众（普法对象）", max_length=200)
    participants = models.PositiveIntegerField("参与人次", help_text="新媒体普法填阅读或观看人次")
    participants_estimated = models.BooleanField("人次为估算", default=False, help_text="未逐一签到、按场地容量或平台数据估算的，请勾选")
    materials = models.PositiveIntegerField("发放资料（份）", default=0)
    laws = models.CharField("宣传的法律法规", max_length=300, blank=True)
    remarks = models.TextField("备注", blank=True)

    confirmed_on = models.DateField("审核确认日期", null=True, blank=True)
    withdrawn_on = models.DateField("撤销登记日期", null=True, blank=True)
    withdrawal_reason = models.CharField("撤销登记的理由", max_length=300, blank=True)

    objects: models.Manager[PublicityActivity]  # type: ignore[assignment]

    class Meta:
        verbose_name = "普法活动"
        verbose_name_plural = "普法活动"
        indexes = [models.Index(fields=["unit", "received_on"], name="publicity_unit_held")]


class LegalLiaison(models.Model):
    """A 法律明白人 of a village or community, kept by the 司法所 or the 司法局."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="登记单位")
    code = models.CharField("编号", max_length=60, unique=True)
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    village = models.CharField("所在村（社区）", max_length=100)
    selected_on = models.DateField("选任日期")
    trainings = models.PositiveSmallIntegerField("本年度参加培训（次）", default=0)
    last_trained_on = models.DateField("最近一次培训日期", null=True, blank=True)
    left_on = models.DateField("退出日期", null=True, blank=True)

    objects: models.Manager[LegalLiaison]

    class Meta:
        verbose_name = "法律明白人"
        verbose_name_plural = "法律明白人"
        ordering = ["unit__path", "village", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.village}"


class ModelVillage(models.Model):
    """A 民主法治示范村（社区）: named at a level in a year; a revoked title is dated."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="登记单位")
    code = models.CharField("编号", max_length=60, unique=True)
    name = models.CharField("村（社区）名称", max_length=100)
    level = models.CharField("命名级别", max_length=20, choices=VillageLevel.choices)
    named_year = models.PositiveSmallIntegerField("命名年度")
    named_on = models.DateField("命名日期")
    revoked_on = models.DateField("撤销命名日期", null=True, blank=True)

    objects: models.Manager[ModelVillage]

    class Meta:
        verbose_name = "民主法治示范村（社区）"
        verbose_name_plural = "民主法治示范村（社区）"
        ordering = ["unit__path", "-named_year", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "level"], name="model_village_unique_per_level")]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_level_display()}）"


class TableChange(models.Model):
    """Append-only record of every change to the tables above (清单, 事项, 法律明白人, 示范村):
    the row as written, who wrote it and when; each is an audit leaf."""

    table = models.CharField(max_length=20)
    record_id = models.BigIntegerField()
    action = models.CharField(max_length=20)
    data = models.JSONField(default=dict)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    occurred_at = models.DateTimeField()

    objects: models.Manager[TableChange]

    class Meta:
        verbose_name = "普法台账变更记录"
        verbose_name_plural = "普法台账变更记录"
        ordering = ["id"]
