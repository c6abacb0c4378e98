from django.contrib import admin

from fazhi.registers.framework.admin import ReadOnlyAdmin
from fazhi.registers.legal_aid.models import LegalAidCase


@admin.register(LegalAidCase)
class LegalAidCaseAdmin(ReadOnlyAdmin):
    list_display = ["case_number", "unit", "category", "source", "state", "received_on", "due_on", "outcome"]
    list_filter = ["state", "category", "source", "outcome", "advance_aid"]
    search_fields = ["case_number"]
