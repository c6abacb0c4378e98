from django.contrib import admin

from fazhi.registers.framework.admin import ReadOnlyAdmin
from fazhi.registers.oversight_suggestions.models import OversightSuggestion


@admin.register(OversightSuggestion)
class OversightSuggestionAdmin(ReadOnlyAdmin):
    list_display = ["case_number", "unit", "kind", "document_number", "state", "received_on", "due_on", "outcome"]
    list_filter = ["state", "kind", "outcome"]
    search_fields = ["case_number", "subject", "document_number"]
