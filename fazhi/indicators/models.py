"""Rollups: exact pre-aggregates of the catalogue's measures, kept up to date as steps are recorded.

One row per measure, unit, grain (Y year, M month, D day), period start and bucket (days, for
the histograms behind medians; 0 otherwise): how many matters count there and the sum of the
measure's field in cents. A period is covered by whole years, whole months and single days, so
any period is answered exactly from a few rows. Never the truth: ``fazhi indicators check``
compares them with the raw rows and ``rebuild`` recomputes them.
"""

from __future__ import annotations

from django.db import models

from fazhi.core.models import Unit


class Rollup(models.Model):
    measure = models.CharField(max_length=24)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    grain = models.CharField(max_length=1)
    start = models.DateField()
    bucket = models.IntegerField(default=0)
    count = models.BigIntegerField(default=0)
    cents = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "指标汇总"
        verbose_name_plural = "指标汇总"
        constraints = [models.UniqueConstraint(fields=["grain", "start", "measure", "unit", "bucket"], name="rollup_key")]


class BuiltMeasure(models.Model):
    """A measure whose rollups were built from the raw rows (and kept since). A measure the
    catalogue gains later is built on ``migrate`` (or ``fazhi indicators rebuild``); until
    then the engine refuses to read it instead of returning zeros."""

    key = models.CharField(max_length=24, primary_key=True)
    register = models.CharField(max_length=40)
    built_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "已汇总的统计口径"
        verbose_name_plural = "已汇总的统计口径"
