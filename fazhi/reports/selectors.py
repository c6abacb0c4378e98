"""What the annual reports ask of a user now, with their statutory dates (the due list)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fazhi.core.models import Role, Unit
from fazhi.core.selectors import user_scope_paths
from fazhi.reports.models import Kind, Report, State


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
