"""Who sees which annual report and draft, and what the reports ask of a user now, with their
statutory dates (the due list)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from fazhi.core.models import Role, Unit
from fazhi.core.selectors import unit_scope_q, user_has_role, user_is_admin, user_scope_paths
from fazhi.reports.models import Contribution, Kind, Report, State

OFFICE = (Role.RULE_OF_LAW_OFFICE,)
REVIEWERS = (Role.REVIEWER, Role.HEAD)
STAFF = (Role.CLERK, Role.REVIEWER, Role.HEAD, Role.RULE_OF_LAW_OFFICE)


@dataclass
class ReportDue:
    unit: Unit
    kind: str
    year: int
    report: Report | None
    what: str
    deadlines: list[tuple[dt.date, str]]

    @property
    def label(self) -> str:
        return f"{self.unit.name}{self.year}年{Kind(self.kind).label}"


def todo(user: Any, today: dt.date) -> list[ReportDue]:
    """Last year's reports of the units where the user is the 依法治区办 (to draft, or in
    progress), and the reports waiting for the user's review or signature."""
    from fazhi.reports.services import deadlines

    year = today.year - 1
    out: list[ReportDue] = []
    office_paths = set(user_scope_paths(user, (Role.RULE_OF_LAW_OFFICE,)))
    for unit in Unit.objects.filter(path__in=office_paths).order_by("path"):
        for kind in Kind.values:
            report = Report.objects.filter(unit=unit, kind=kind, year=year).first()
            probe = report or Report(unit=unit, kind=kind, year=year)
            if report is None:
                out.append(ReportDue(unit, kind, year, None, "尚未起草", deadlines(probe)))
            elif report.state != State.PUBLISHED:
                out.append(ReportDue(unit, kind, year, report, report.get_state_display(), deadlines(report)))
    waiting = {State.REVIEW: (Role.REVIEWER, Role.HEAD), State.SECRECY: (Role.REVIEWER, Role.HEAD), State.SIGNING: (Role.HEAD,)}
    for state, roles in waiting.items():
        paths = set(user_scope_paths(user, roles))
        for report in Report.objects.filter(state=state, unit__path__in=paths).select_related("unit"):
            out.append(ReportDue(report.unit, report.kind, report.year, report, f"{report.get_state_display()}，请办理", deadlines(report)))
    return out


def reports_visible_to(user: Any) -> QuerySet[Report]:
    """Reports of the units a user reaches, and of the units above them (a department drafts its
    part of its district's report)."""
    if user_is_admin(user):
        return Report.objects.all()
    paths = user_scope_paths(user)
    above = {p[: i + 1] for p in paths for i, ch in enumerate(p) if ch == "."}
    return Report.objects.filter(unit_scope_q(paths, "unit__path") | Q(unit__path__in=above))


def office_units(user: Any) -> QuerySet[Unit]:
    """The units whose reports the user drafts (依法治区办)."""
    return Unit.objects.filter(path__in=user_scope_paths(user, OFFICE))


def draft_units(user: Any, report: Report) -> list[Unit]:
    """The units a user may write a draft for: those of their memberships within the report's unit."""
    return [u for u in Unit.objects.filter(path__in=user_scope_paths(user, STAFF)) if u.is_within(report.unit) and u != report.unit]


def drafts_visible(user: Any, report: Report) -> Callable[[Contribution], bool]:
    """Which units' drafts a user sees: the office and the reviewers all of them, a unit its own."""
    if user_is_admin(user) or user_has_role(user, report.unit, OFFICE + REVIEWERS):
        return lambda c: True
    mine = {u.pk for u in Unit.objects.filter(unit_scope_q(user_scope_paths(user), "path"))}
    return lambda c: c.unit_id in mine
