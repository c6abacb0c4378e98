from django.contrib import admin

from fazhi.registers.criminal_transfer.models import CriminalTransfer
from fazhi.registers.framework.admin import ReadOnlyAdmin


@admin.register(CriminalTransfer)
class CriminalTransferAdmin(ReadOnlyAdmin):
    list_display = ["case_number", "unit", "offence", "state", "received_on", "due_on"]
    list_filter = ["state"]
    search_fields = ["case_number"]
