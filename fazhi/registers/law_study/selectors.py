"""Who sees which 学法 records (the sessions, the exams, the 述法 reports) and who keeps them: the
records of the units a user reaches (any role); the clerks, reviewers, heads and the 依法治区办 keep them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from fazhi.core.selectors import unit_scope_q, user_scope_paths
from fazhi.registers.law_study.models import LawExam, LawReport, StudySession

EDIT_ROLES = {"clerk", "reviewer", "head", "rule_of_law_office"}


def sessions_visible_to(user: Any) -> QuerySet[StudySession]:
    """The 学法 sessions of the units the user reaches."""
    return StudySession.objects.filter(unit_scope_q(user_scope_paths(user), "unit__path")).select_related("unit")


def exams_visible_to(user: Any) -> QuerySet[LawExam]:
    """The 学法考试 records of the units the user reaches."""
    return LawExam.objects.filter(unit_scope_q(user_scope_paths(user), "unit__path")).select_related("unit")


def reports_visible_to(user: Any) -> QuerySet[LawReport]:
    """The 述法 reports of the units the user reaches."""
    return LawReport.objects.filter(unit_scope_q(user_scope_paths(user), "unit__path")).select_related("unit")


# the records of each tab (importers.MODELS) the user sees
VISIBLE_TO: dict[str, Callable[[Any], QuerySet[Any]]] = {
    "law_study_sessions": sessions_visible_to,
    "law_exams": exams_visible_to,
    "law_reports": reports_visible_to,
}
