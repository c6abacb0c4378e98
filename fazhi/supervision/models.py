"""督察: leads raised by rule or by hand, findings, rectification notices and supervision letters,
rectification until closed out (销号) and re-checked (回头看). A lead's steps are workflow events
(definitions/workflows/lead.yaml), each with its audit leaf."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from fazhi.core.models import Unit


class Source(models.TextChoices):
    RECONSIDERATION = "reconsideration", "行政复议纠错"
    IMPUNITY = "impunity", "以罚代刑线索"
    OVERDUE = "overdue", "严重超期"
    CASEFILE = "casefile", "案卷评查不合格"
    DECISION_STEPS = "decision_steps", "重大行政决策缺少法定程序"
    FILING_LATE = "filing_late", "规范性文件未按期备案"
    PAST_VALIDITY = "past_validity", "规范性文件超过有效期仍标为有效"
    MANUAL = "manual", "人工登记"


class State(models.TextChoices):
    OPEN = "open", "待核查"
    UNFOUNDED = "unfounded", "经核查不属实，已了结"
    FOUNDED = "founded", "经核查属实，待发函"
    NOTICED = "noticed", "已发函，整改中"
    REPORTED = "reported", "已报送整改情况，待销号"
    CLOSED = "closed", "已销号，待回头看"
    RECHECKED = "rechecked", "回头看通过"


class NoticeKind(models.TextChoices):
    PROMPT = "prompt", "整改提示函"
    SUPERVISION = "supervision", "督办函"


class Lead(models.Model):
    organiser = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="督察单位")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="被督察单位")
    source = models.CharField("线索来源", max_length=20, choices=Source.choices)
    source_key = models.CharField(max_length=80, help_text="规则生成的线索的去重键")
    register = models.CharField("台账", max_length=40, blank=True)
    matter_id = models.BigIntegerField("案件", null=True, blank=True)
    reference = models.CharField("案号", max_length=120, blank=True)
    summary = models.TextField("线索内容")
    raised_on = models.DateField("登记日期")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.OPEN)
    finding = models.TextField("核查情况", blank=True)
    finding_on = models.DateField("核查日期", null=True, blank=True)
    notice_kind = models.CharField("函件", max_length=20, choices=NoticeKind.choices, blank=True)
    notice_text = models.TextField("函件内容", blank=True)
    notice_on = models.DateField("发函日期", null=True, blank=True)
    due_on = models.DateField("整改期限", null=True, blank=True)
    report = models.TextField("整改情况", blank=True)
    reported_on = models.DateField("报送日期", null=True, blank=True)
    closed_on = models.DateField("销号日期", null=True, blank=True)
    recheck_on = models.DateField("回头看日期", null=True, blank=True)
    recheck_note = models.TextField("回头看情况", blank=True)

    class Meta:
        verbose_name = "督察线索"
        verbose_name_plural = "督察线索"
        ordering = ["-raised_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["organiser", "source_key"], name="lead_once_per_source")]

    def __str__(self) -> str:
        return f"{self.get_source_display()}：{self.reference or self.unit.name}"
