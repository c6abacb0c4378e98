from django.contrib import admin

from fazhi.registers.law_study.models import LawExam, LawReport, StudySession


@admin.register(StudySession)
class StudySessionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("held_on", "unit", "body", "topic", "attendees")
    list_filter = ("body",)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # changes go through the 学法 page (each an audit leaf)


@admin.register(LawExam)
class LawExamAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("year", "unit", "name", "taken", "score", "passed")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(LawReport)
class LawReportAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("year", "unit", "name", "post", "role", "reported_on", "rating")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
