from django.contrib import admin

from fazhi.registers.disclosure.models import DisclosureRequest
from fazhi.registers.framework.admin import ReadOnlyAdmin


@admin.register(DisclosureRequest)
class DisclosureRequestAdmin(ReadOnlyAdmin):
    list_display = ["case_number", "unit", "state", "received_on", "due_on", "outcome"]
    list_filter = ["state", "outcome", "applicant_type", "channel"]
    search_fields = ["case_number"]
