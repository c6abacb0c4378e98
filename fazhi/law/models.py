"""Holiday schedules an administrator imports: numbered revisions, never edited in place."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models


class HolidayScheduleQuerySet(models.QuerySet["HolidaySchedule"]):
    def latest_per_year(self) -> list[HolidaySchedule]:
        latest: dict[int, HolidaySchedule] = {}
        for h in self.order_by("year", "revision"):
            latest[h.year] = h
        return list(latest.values())


class HolidaySchedule(models.Model):
    """One revision of one year's schedule (国务院办公厅关于××年部分节假日安排的通知).

    A correction is a new revision; the newest revision of a year is the one in force.
    """

    year = models.PositiveSmallIntegerField("年度")
    revision = models.PositiveIntegerField("版次")
    notice = models.CharField("通知名称及文号", max_length=200, blank=True)
    holidays = models.JSONField("放假日期", help_text='[["2027-01-01", "元旦"], ...]')
    makeup_workdays = models.JSONField("调休上班日", default=list)
    source_name = models.CharField("来源", max_length=200, blank=True)
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="导入人")
    created_at = models.DateTimeField("导入时间", auto_now_add=True)

    objects = HolidayScheduleQuerySet.as_manager()

    class Meta:
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"
        constraints = [models.UniqueConstraint(fields=["year", "revision"], name="holiday_schedule_revision_unique")]
        ordering = ["-year", "-revision"]

    def __str__(self) -> str:
        return f"{self.year} 年节假日安排（第{self.revision}版）"

    def as_schedule(self) -> Any:
        from fazhi.law.workdays import Schedule

        return Schedule(
            year=self.year,
            holidays={dt.date.fromisoformat(d): n for d, n in self.holidays},
            makeup_workdays=frozenset(dt.date.fromisoformat(d) for d in self.makeup_workdays),
            source=f"导入第{self.revision}版",
            notice=self.notice,
        )
