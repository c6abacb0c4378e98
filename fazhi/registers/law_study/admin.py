from typing import Any

from django.contrib import admin

from fazhi.registers.law_study.models import LawExam, LawReport, StudySession


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    """Records are written on the 学法 page or imported (each change an audit leaf), never here."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(StudySession)
class StudySessionAdmin(ReadOnly):
    list_display = ("held_on", "unit", "body", "topic", "attendees")
    list_filter = ("body",)


@admin.register(LawExam)
class LawExamAdmin(ReadOnly):
    list_display = ("year", "unit", "name", "taken", "score", "passed")


@admin.register(LawReport)
class LawReportAdmin(ReadOnly):
    list_display = ("year", "unit", "name", "post", "role", "reported_on", "rating")
