from django.contrib import admin

from fazhi.registers.framework.admin import ReadOnlyAdmin
from fazhi.registers.reconsideration.models import ReconsiderationCase


@admin.register(ReconsiderationCase)
class ReconsiderationCaseAdmin(ReadOnlyAdmin):
    list_display = ["case_number", "unit", "state", "received_on", "due_on", "outcome"]
    list_filter = ["state", "outcome", "carried_in"]
    search_fields = ["case_number"]
