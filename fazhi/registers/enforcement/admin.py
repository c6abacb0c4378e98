from django.contrib import admin

from fazhi.registers.enforcement.models import EnforcementCase, EvidenceItem, ImpunityFlag, Officer, OfficerExam, PowerItem, TrainingRecord
from fazhi.registers.framework.admin import ReadOnlyAdmin


@admin.register(PowerItem)
class PowerItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "sector", "unit", "offence", "active"]
    list_filter = ["kind", "sector", "active"]
    search_fields = ["code", "name"]


class ExamInline(admin.TabularInline):
    model = OfficerExam
    extra = 0


class TrainingInline(admin.TabularInline):
    model = TrainingRecord
    extra = 0


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "unit", "certificate_valid_until", "legal_qualification", "active"]
    list_filter = ["active", "legal_qualification"]
    search_fields = ["name", "code"]
    inlines = [ExamInline, TrainingInline]


@admin.register(EnforcementCase)
class EnforcementCaseAdmin(ReadOnlyAdmin):
    list_display = ["case_number", "unit", "kind", "state", "received_on", "due_on", "outcome"]
    list_filter = ["kind", "state"]
    search_fields = ["case_number"]


@admin.register(EvidenceItem)
class EvidenceItemAdmin(ReadOnlyAdmin):
    list_display = ["case", "description", "sha256", "size", "collected_on"]
    search_fields = ["sha256", "case__case_number"]


@admin.register(ImpunityFlag)
class ImpunityFlagAdmin(ReadOnlyAdmin):
    list_display = ["case", "offence_label", "amount", "threshold", "flagged_on", "cleared_on"]
    list_filter = ["offence"]
