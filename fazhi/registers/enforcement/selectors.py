"""Read-side questions of enforcement: publication on time, certificates and training, the transfer board."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import QuerySet, Sum

from fazhi.core.masking import mask_phone, party_public
from fazhi.core.selectors import unit_scope_q, user_scope_paths
from fazhi.law.clocks import clock_compute
from fazhi.law.workdays import current_calendar
from fazhi.registers.enforcement import rules
from fazhi.registers.enforcement.models import EnforcementCase, Officer, OfficerExam, TrainingRecord

PUBLICATION_RULES = {"penalty": "publicity.decision_licence_penalty", "licence": "publicity.decision_licence_penalty"}
OTHER_PUBLICATION_RULE = "publicity.decision_other"
CERTIFICATE_WARNING_DAYS = 60


def publication_due(kind: str, decided_on: dt.date, calendar_version: str | None = None) -> dt.date | None:
    version = calendar_version or current_calendar().version
    return _due(PUBLICATION_RULES.get(kind, OTHER_PUBLICATION_RULE), decided_on, version)


@lru_cache(maxsize=8192)
def _due(rule: str, start: dt.date, calendar_version: str) -> dt.date | None:
    """Decisions share dates: one computation per rule, day and calendar version."""
    return clock_compute(rule, start, explain=False).due


@dataclass
class PublicationStats:
    unit: Any
    decided: int = 0
    published: int = 0
    on_time: int = 0
    late_pending: int = 0

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.decided if self.decided else None


def publication_stats(cases: QuerySet[EnforcementCase], today: dt.date) -> list[PublicationStats]:
    """Per unit: decisions, published, published within the 118号 period, and overdue unpublished ones.

    The share is over decisions whose period has ended or that were published (a decision made
    yesterday and not yet published is not late)."""
    by_unit: dict[int, PublicationStats] = {}
    version = current_calendar().version  # one lookup for the whole list
    rows = cases.filter(decided_on__isnull=False).select_related("unit").only("unit", "kind", "decided_on", "published_on")
    for c in rows.iterator(chunk_size=5000):
        s = by_unit.setdefault(c.unit_id, PublicationStats(c.unit))
        assert c.decided_on is not None
        due = publication_due(c.kind, c.decided_on, version)
        if c.published_on is None and due is not None and due >= today:
            continue  # still within its period
        s.decided += 1
        if c.published_on:
            s.published += 1
            if due is None or c.published_on <= due:
                s.on_time += 1
        else:
            s.late_pending += 1
    return sorted(by_unit.values(), key=lambda s: s.unit.path)


def _retained(case: EnforcementCase, today: dt.date) -> bool:
    assert case.published_on is not None
    years = rules.retention_years(case.party_type, case.published_on)
    try:
        until = case.published_on.replace(year=case.published_on.year + years)
    except ValueError:  # 29 February
        until = case.published_on.replace(year=case.published_on.year + years, day=28)
    return today < until


def published_decisions(today: dt.date) -> QuerySet[EnforcementCase]:
    """What the portal may show: published, not withdrawn (retention is applied per row)."""
    return (
        EnforcementCase.objects.filter(published_on__isnull=False, publication_withdrawn_on__isnull=True, published_on__lte=today)
        .select_related("unit", "power_item")
        .order_by("-published_on", "-id")
    )


def public_row(case: EnforcementCase, today: dt.date) -> dict[str, Any] | None:
    """One decision as the public sees it: natural persons masked, retention applied."""
    if not _retained(case, today):
        return None
    party, party_id = party_public(case.party_name, case.party_type, case.party_id_number)
    o = case.outcome
    from fazhi.registers.framework.registry import register_get

    outcome = register_get("enforcement").definition.outcomes.get(o)
    return {
        "unit": case.unit.name,
        "kind": case.get_kind_display(),
        "power_item": case.power_item.name,
        # judged by the values, not only the type the clerk chose (core/masking.py)
        "party": party,
        "party_id": party_id,
        "decision_number": case.decision_number,
        "decided_on": case.decided_on,
        "outcome": outcome.label if outcome else "",
        "fine": case.fine_amount,
        "measure": case.get_measure_display() if case.measure else "",
        "legal_basis": case.power_item.legal_basis,
        "published_on": case.published_on,
        "phone": mask_phone(case.party_phone) if case.party_phone else "",
    }


def officers_visible_to(user: Any) -> QuerySet[Officer]:
    return Officer.objects.filter(unit_scope_q(user_scope_paths(user), field="unit__path")).select_related("unit")


@dataclass
class OfficerStatus:
    officer: Officer
    expires_in: int
    training_hours: float
    exam: str

    @property
    def warning(self) -> str:
        if self.expires_in < 0:
            return "证件已过期"
        if self.expires_in <= CERTIFICATE_WARNING_DAYS:
            return f"证件 {self.expires_in} 天后到期"
        return ""


def officer_statuses(officers: QuerySet[Officer], today: dt.date) -> list[OfficerStatus]:
    hours: dict[int, float] = defaultdict(float)
    trained = TrainingRecord.objects.filter(officer__in=officers, held_on__year=today.year).values("officer").annotate(total=Sum("hours"))
    for row in trained:
        hours[row["officer"]] = float(row["total"] or 0)
    exams = {e.officer_id: e for e in OfficerExam.objects.filter(officer__in=officers, year=today.year - 1)}
    out = []
    for o in officers.filter(active=True):
        exam = exams.get(o.pk)
        out.append(
            OfficerStatus(
                o, (o.certificate_valid_until - today).days, hours[o.pk], "" if exam is None else f"{exam.score}分（{'合格' if exam.passed else '不合格'}）"
            )
        )
    return out


def certificates_expiring(user: Any, today: dt.date) -> list[OfficerStatus]:
    """Officers of the user's units whose certificate runs out within the warning period (for the due list)."""
    horizon = today + dt.timedelta(days=CERTIFICATE_WARNING_DAYS)
    qs = officers_visible_to(user).filter(active=True, certificate_valid_until__lte=horizon).order_by("certificate_valid_until")[:50]
    return [OfficerStatus(o, (o.certificate_valid_until - today).days, 0, "") for o in qs]
