from django.contrib import admin

from fazhi.registers.framework.admin import ReadOnlyAdmin
from fazhi.registers.litigation.models import LitigationCase


@admin.register(LitigationCase)
class LitigationCaseAdmin(ReadOnlyAdmin):
    list_display = ["case_number", "unit", "instance", "state", "received_on", "due_on", "outcome", "head_appeared"]
    list_filter = ["state", "instance", "outcome", "head_appeared"]
    search_fields = ["case_number", "court_case_number"]
