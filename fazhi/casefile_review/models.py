"""案卷评查: campaigns that sample closed enforcement case files, score them on a sheet, and
send rectification notices to the units."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from fazhi.core.models import Unit
from fazhi.registers.enforcement.models import EnforcementCase


class CampaignState(models.TextChoices):
    DRAFT = "draft", "已设立，待抽取案卷"
    SAMPLED = "sampled", "已抽取，评查中"
    CLOSED = "closed", "评查结束，结果已通报"


class ReviewCampaign(models.Model):
    organiser = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="组织单位")
    scope = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="评查范围（该单位及下属单位）")
    name = models.CharField("评查活动名称", max_length=200)
    year = models.PositiveSmallIntegerField("案卷年度")
    sheet = models.CharField("评查标准", max_length=60)
    files_per_stratum = models.PositiveSmallIntegerField("每个单位每类案件抽取卷数", default=2)
    seed = models.CharField("抽样种子", max_length=100)
    state = models.CharField("状态", max_length=20, choices=CampaignState.choices, default=CampaignState.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_on = models.DateField("通报日期", null=True, blank=True)

    class Meta:
        verbose_name = "案卷评查活动"
        verbose_name_plural = "案卷评查活动"
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.name


class SampledFile(models.Model):
    campaign = models.ForeignKey(ReviewCampaign, on_delete=models.PROTECT, related_name="files", verbose_name="评查活动")
    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="+", verbose_name="案卷")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="被评查单位")
    position = models.PositiveIntegerField("抽样顺序")
    points = models.JSONField("各项得分", default=dict)
    vetoes = models.JSONField("否决项", default=list)
    total = models.DecimalField("总分", max_digits=6, decimal_places=1, null=True, blank=True)
    comment = models.TextField("评查意见", blank=True)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="评查人")
    scored_at = models.DateTimeField("评分时间", null=True, blank=True)

    class Meta:
        verbose_name = "抽取的案卷"
        verbose_name_plural = "抽取的案卷"
        ordering = ["campaign", "position"]
        constraints = [models.UniqueConstraint(fields=["campaign", "case"], name="sampled_file_once")]


class RectificationNotice(models.Model):
    """整改通知: sent to a unit with failed files, with a deadline; closed when it reports back."""

    campaign = models.ForeignKey(ReviewCampaign, on_delete=models.PROTECT, related_name="notices", verbose_name="评查活动")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="整改单位")
    issued_on = models.DateField("发出日期")
    due_on = models.DateField("整改期限")
    text = models.TextField("通知内容")
    reported_on = models.DateField("整改报告日期", null=True, blank=True)
    report = models.TextField("整改情况", blank=True)

    class Meta:
        verbose_name = "案卷评查整改通知"
        verbose_name_plural = "案卷评查整改通知"
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="notice_once_per_unit")]
