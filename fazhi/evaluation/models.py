"""考核: a year's scoring scheme (frozen as loaded), manual scores with evidence, results."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from fazhi.core.models import Unit


class Scheme(models.Model):
    """One year's scheme for the units under ``unit``. ``text`` is the definition as loaded: the
    scores are computed from it, never from the file again, so next year's file may change freely."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="组织考核的单位")
    year = models.PositiveSmallIntegerField("考核年度")
    name = models.CharField("名称", max_length=200)
    text = models.TextField("考核方案（载入时的定义）")
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)
    computed_at = models.DateTimeField("计分时间", null=True, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    results_sha256 = models.CharField("结果校验值", max_length=64, blank=True)

    class Meta:
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"
        ordering = ["-year", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="one_scheme_per_unit_and_year")]

    def __str__(self) -> str:
        return self.name


class ManualScore(models.Model):
    """A score the records cannot give, entered with its evidence. Append-only: the latest entry
    for a unit and item counts; earlier ones stay as the history."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="manual_scores")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    item = models.CharField("考核项目", max_length=20)
    points = models.DecimalField("得分", max_digits=6, decimal_places=2)
    vetoed = models.BooleanField("一票否决", default=False)
    note = models.TextField("评分说明")
    evidence_name = models.CharField("佐证材料", max_length=200, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "人工评分"
        verbose_name_plural = "人工评分"
        ordering = ["scheme", "unit", "item", "-id"]


class Result(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="results")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    earned = models.DecimalField("得分", max_digits=7, decimal_places=2)
    applicable = models.DecimalField("可计分分值", max_digits=7, decimal_places=2)
    score = models.DecimalField("折算得分（百分制）", max_digits=6, decimal_places=2, null=True)
    vetoed = models.BooleanField("一票否决", default=False)
    rank = models.PositiveIntegerField("名次", null=True)
    not_ranked_reason = models.CharField("不参与排名的原因", max_length=200, blank=True)
    breakdown = models.JSONField("各项得分")

    class Meta:
        verbose_name = "考核结果"
        verbose_name_plural = "考核结果"
        ordering = ["scheme", "rank", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["scheme", "unit"], name="one_result_per_unit")]
