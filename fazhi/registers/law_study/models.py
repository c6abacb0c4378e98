"""学法 and 述法: the records behind the 领导干部学法用法 figures of the annual report.

These are not procedures with states but dated records (like the officers' training and exams):
- ``StudySession``: a 学法 session of a body (政府常务会议会前学法, 党委（党组）理论学习中心组学法,
  法治专题讲座, 法治培训班 for officials), with the laws studied, the speaker and the attendance;
- ``LawExam``: one person's annual 学法考试 (enrolled, taken, score, passed);
- ``LawReport``: one leader's 述法 for a year (to which body, written or oral, the rating).

Every create or change is an append-only ``StudyEvent`` and an audit leaf in the same transaction.
Names of people are staff-only: nothing of this app is on the public portal.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models

from fazhi.core.models import Unit


class Body(models.TextChoices):
    EXECUTIVE_MEETING = "executive_meeting", "政府常务会议会前学法"
    CENTRAL_GROUP = "central_group", "党委（党组）理论学习中心组学法"
    PARTY_STANDING = "party_standing", "党委常委会会前学法"
    DECISION_STUDY = "decision_study", "重大决策前专题学法"
    LECTURE = "lecture", "法治专题讲座"
    TRAINING = "training", "法治培训班"


class StudySession(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="组织单位")
    held_on = models.DateField("学法日期", db_index=True)
    body = models.CharField("学法形式", max_length=20, choices=Body.choices)
    topic = models.CharField("学法主题", max_length=200)
    laws = models.CharField("学习的法律法规", max_length=500)
    speaker = models.CharField("主讲人", max_length=100, blank=True)
    attendees = models.PositiveIntegerField("参加人数")
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1, default=0)

    class Meta:
        verbose_name = "学法活动"
        verbose_name_plural = "学法活动"
        ordering = ["-held_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["unit", "held_on", "body", "topic"], name="law_study_session_once")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_body_display()}：{self.topic}"


class ExamGroup(models.TextChoices):
    LEADER = "leader", "领导干部"
    STAFF = "staff", "其他国家工作人员"


class LawExam(models.Model):
    """One person's annual 学法考试. ``taken`` False: enrolled but absent (counts against 参考率)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="所在单位")
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("职务", max_length=100, blank=True)
    group = models.CharField("人员类别", max_length=10, choices=ExamGroup.choices, default=ExamGroup.LEADER)
    taken = models.BooleanField("参加考试")
    score = models.DecimalField("成绩", max_digits=5, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField("合格", default=False)
    # the day the exam counts on in the indicators: the exam date when known, else the last day of its year
    held_on = models.DateField("考试日期", db_index=True)

    class Meta:
        verbose_name = "学法考试"
        verbose_name_plural = "学法考试"
        ordering = ["-year", "unit__path", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "year", "name", "post"], name="law_exam_once_a_year")]

    def __str__(self) -> str:
        return f"{self.year}年 {self.name}"


class Principal(models.TextChoices):
    PARTY = "party", "党委（党组）主要负责人"
    GOVERNMENT = "government", "政府（部门）主要负责人"
    MEMBER = "member", "其他领导班子成员"


class ReportForm(models.TextChoices):
    MEETING = "meeting", "会议现场述法"
    ANNUAL = "annual", "结合年终述职述法"
    WRITTEN = "written", "书面述法"


class Rating(models.TextChoices):
    NONE = "", "未评议"
    GOOD = "good", "好"
    FAIR_GOOD = "fair_good", "较好"
    FAIR = "fair", "一般"
    POOR = "poor", "差"


class LawReport(models.Model):
    """One leader's 述法 for a year: 履行推进法治建设第一责任人职责 (principals) or 学法守法用法 (members).

    A record without ``reported_on`` is a leader due to 述法 who has not yet done it (the
    coverage the reports cite: "实现了述法工作全覆盖")."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="所在单位")
    year = models.PositiveSmallIntegerField("述法年度")
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("职务", max_length=100)
    role = models.CharField("述法主体", max_length=12, choices=Principal.choices)
    reported_on = models.DateField("述法日期", null=True, blank=True)
    audience = models.CharField("述法会议或对象", max_length=200, blank=True)
    form = models.CharField("述法方式", max_length=10, choices=ReportForm.choices, blank=True)
    rating = models.CharField("评议结果", max_length=10, choices=Rating.choices, blank=True, default="")
    evaluated_on = models.DateField("评议日期", null=True, blank=True)
    # the day a year's 述法 counts on in the indicators: the last day of the year reported on
    # (年终述法 is held after the year ends, yet the seeds count it in that year's report)
    counted_on = models.DateField("统计日期", db_index=True)

    class Meta:
        verbose_name = "述法"
        verbose_name_plural = "述法"
        ordering = ["-year", "unit__path", "role", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "year", "name", "post"], name="law_report_once_a_year")]

    def __str__(self) -> str:
        return f"{self.year}年 {self.name}（{self.post}）述法"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.counted_on = dt.date(self.year, 12, 31)
        super().save(*args, **kwargs)


class StudyEvent(models.Model):
    """Append-only log of every change to the records above (each one an audit leaf)."""

    kind = models.CharField("记录类别", max_length=20)  # session | exam | report
    record_id = models.PositiveBigIntegerField("记录编号")
    action = models.CharField("操作", max_length=10)  # created | changed
    data = models.JSONField("内容")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="操作人")
    occurred_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "学法述法记录变更"
        verbose_name_plural = "学法述法记录变更"
        ordering = ["pk"]
        indexes = [models.Index(fields=["kind", "record_id"], name="law_study_event_record")]
