from django.contrib import admin

from fazhi.registers.framework.admin import ReadOnlyAdmin
from fazhi.registers.state_compensation.models import Application


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["case_number", "unit", "state", "received_on", "due_on", "decided_on", "outcome", "amount"]
    list_filter = ["state", "outcome", "mode"]
    search_fields = ["case_number", "infringing_act"]
