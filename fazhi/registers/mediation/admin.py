from django.contrib import admin

from fazhi.registers.framework.admin import ReadOnlyAdmin
from fazhi.registers.mediation.models import MediationCase, MediationCommittee, Mediator, Screening


@admin.register(MediationCommittee)
class MediationCommitteeAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "unit", "active"]
    list_filter = ["level", "active"]
    search_fields = ["name"]


@admin.register(Mediator)
class MediatorAdmin(admin.ModelAdmin):
    list_display = ["name", "committee", "full_time", "active"]
    list_filter = ["full_time", "active"]
    search_fields = ["name", "committee__name"]


@admin.register(MediationCase)
class MediationCaseAdmin(ReadOnlyAdmin):
    list_display = ["case_number", "unit", "dispute_type", "state", "received_on", "due_on", "outcome"]
    list_filter = ["state", "dispute_type", "outcome"]
    search_fields = ["case_number"]


@admin.register(Screening)
class ScreeningAdmin(ReadOnlyAdmin):
    list_display = ["case_number", "unit", "received_on", "disputes_found", "disputes_resolved"]
    search_fields = ["case_number"]
