"""人大代表建议 and 政协提案 assigned to a unit: answer within 3 months (6 for difficult ones).

代表法 (2025修正) art.51; 政协提案 rules are local (RULES.md §3.10). The delegate or member is
named in his public capacity: not personal data of a private person.
"""

from __future__ import annotations

from django.db import models

from fazhi.registers.framework.models import Matter


class Kind(models.TextChoices):
    NPC = "npc", "人大代表建议"
    CPPCC = "cppcc", "政协委员提案"


class HandlingRole(models.TextChoices):
    SOLE = "sole", "单独办理"
    LEAD = "lead", "主办"
    CO = "co", "协办（会办）"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY = "basically", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class Proposal(Matter):
    received_on = models.DateField("交办日期", db_index=True)
    kind = models.CharField("类别", max_length=10, choices=Kind.choices, db_index=True)
    session = models.CharField("届次会议", max_length=60)
    proposal_number = models.CharField("建议（提案）编号", max_length=40)
    title = models.CharField("标题", max_length=200)
    proposer_name = models.CharField("领衔代表（委员）", max_length=100)
    handling_role = models.CharField("办理方式", max_length=10, choices=HandlingRole.choices, default=HandlingRole.SOLE)
    co_handling_units = models.CharField("协办单位", max_length=300, blank=True, help_text="多个单位用顿号分隔")
    content_summary = models.TextField("内容摘要", blank=True)
    remarks = models.TextField("备注", blank=True)

    contacted_on = models.DateField("办前沟通日期", null=True, blank=True)
    extended_on = models.DateField("延期日期", null=True, blank=True)
    extension_reason = models.CharField("延期理由", max_length=200, blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True, db_index=True)
    outcome = models.CharField("办理结果分类", max_length=10, blank=True, db_index=True)
    answer_summary = models.TextField("答复要点", blank=True)
    feedback_on = models.DateField("征询意见日期", null=True, blank=True)
    satisfaction = models.CharField("代表（委员）意见", max_length=20, choices=Satisfaction.choices, blank=True, db_index=True)
    dissatisfaction_reason = models.TextField("不满意的理由", blank=True)

    objects: models.Manager[Proposal]  # type: ignore[assignment]

    class Meta:
        verbose_name = "人大建议和政协提案"
        verbose_name_plural = "人大建议和政协提案"
        indexes = [
            models.Index(fields=["unit", "state", "due_on"], name="prop_unit_state_due"),
            models.Index(fields=["unit", "received_on"], name="prop_unit_received"),
        ]
        constraints = [models.UniqueConstraint(fields=["unit", "kind", "session", "proposal_number"], name="proposal_number_unique_per_unit")]
