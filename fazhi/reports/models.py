"""Annual reports: the report of a unit for a year, narrative drafts contributed by units, frozen
versions with a checksum, signatures. The steps are workflow events (definitions/workflows/report.yaml)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from fazhi.core.models import Unit


class Kind(models.TextChoices):
    FZZF = "fzzf", "法治政府建设年度报告"
    GKNDBG = "gkndbg", "政府信息公开工作年度报告"


class State(models.TextChoices):
    DRAFT = "draft", "起草中"
    REVIEW = "review", "审核中"
    SECRECY = "secrecy", "保密审查中"
    SIGNING = "signing", "待主要负责人签发"
    SIGNED = "signed", "已签发，待公开"
    PUBLISHED = "published", "已公开"


class Report(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="报告单位")
    kind = models.CharField("报告", max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("报告年度")
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.DRAFT)
    order = models.JSONField("各部分顺序", default=list)
    manual = models.JSONField("填报数据（无台账的表格项目）", default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    published_version = models.ForeignKey("Version", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="公开的版本")

    class Meta:
        verbose_name = "年度报告"
        verbose_name_plural = "年度报告"
        ordering = ["-year", "kind", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["unit", "kind", "year"], name="one_report_per_unit_kind_year")]

    def __str__(self) -> str:
        return f"{self.unit.name}{self.year}年{self.get_kind_display()}"


class Contribution(models.Model):
    """The narrative of one part: drafts by the units below, and the text the rule-of-law office
    merges from them (``unit`` = the report's unit), which is what the report prints."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="contributions")
    part = models.CharField("部分", max_length=40)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="供稿单位")
    text = models.TextField("内容")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "报告供稿"
        verbose_name_plural = "报告供稿"
        ordering = ["report", "part", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["report", "part", "unit"], name="one_contribution_per_part_and_unit")]


class Version(models.Model):
    """A generated report, frozen: its content as JSON (title, parts, paragraphs with the exact
    spans of every figure), the SHA-256 of that content, and what changed from the version before."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    content = models.JSONField("内容")
    sha256 = models.CharField("校验值", max_length=64)
    changes = models.JSONField("与上一版本相比的变化", default=list)
    note = models.CharField("生成说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "报告版本"
        verbose_name_plural = "报告版本"
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="version_number_once")]


class Signature(models.Model):
    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="signatures")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="签发人")
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "signer"], name="sign_once")]
