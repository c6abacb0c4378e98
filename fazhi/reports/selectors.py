"""Who sees which annual report and draft, and what the reports ask of a user now, with their
statutory dates (the due list)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from fazhi.core.models import Role, Unit
from fazhi.core.selectors import unit_scope_q, user_has_role, user_is_admin, user_scope_paths
from fazhi.registers.framework.workflow import workflow_get
from fazhi.reports.models import Contribution, Kind, Report

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
    """Last year's reports not yet drafted, for the 依法治区办 of their unit (the reports in
    progress wait in the workflow's part of the to-do list, with the steps their roles take)."""
    from fazhi.reports.services import deadlines

    year = today.year - 1
    out: list[ReportDue] = []
    units = Unit.objects.filter(path__in=set(user_scope_paths(user, OFFICE))).order_by("path")
    drafted = set(Report.objects.filter(unit__in=units, year=year).values_list("unit_id", "kind"))
    for unit in units:
        for kind in Kind.values:
            if (unit.pk, kind) not in drafted:
                out.append(ReportDue(unit, kind, year, None, "尚未起草", deadlines(Report(unit=unit, kind=kind, year=year))))
    return out


def contributions_asked(user: Any, today: dt.date) -> list[Any]:
    """The drafts asked of the user's units: each report being drafted or reviewed by a unit above
    one where the user is staff, until that unit has written every part (the report's ``contribute``
    step, whose role is checked over the contributing unit, below the report's own). With the
    report's statutory dates."""
    from django.urls import reverse

    from fazhi.registers.framework.waiting import WaitingRecord
    from fazhi.reports.services import deadlines

    t = workflow_get("report").definition.step("contribute")
    mine = list(Unit.objects.filter(path__in=user_scope_paths(user, STAFF)))
    above = {u.path[: i + 1]: u for u in mine for i, ch in enumerate(u.path[:-1]) if ch == "."}
    if not above:
        return []
    reports = list(Report.objects.filter(unit__path__in=set(above), state__in=list(t.sources)).select_related("unit").order_by("-year", "kind", "pk"))
    written: dict[tuple[int, int], int] = {}
    for report_id, unit_id, n in (
        Contribution.objects.filter(report__in=reports, unit__in=mine).values_list("report_id", "unit_id").annotate(n=Count("part", distinct=True))
    ):
        written[(report_id, unit_id)] = n
    out = []
    for report in reports:
        asked = [u for u in mine if u != report.unit and u.is_within(report.unit)]
        # one item per unit asked: a station below one of the user's departments writes through it
        for unit in [u for u in asked if not any(o != u and u.is_within(o) for o in asked)]:
            done = written.get((report.pk, unit.pk), 0)
            if done >= len(report.order):
                continue
            step = f"{t.label}（已交{done}/{len(report.order)}部分）"
            url = reverse("report", args=[report.pk])
            out.append(WaitingRecord(report, str(report), unit.name, report.get_state_display(), [step], url, deadlines(report)))
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
