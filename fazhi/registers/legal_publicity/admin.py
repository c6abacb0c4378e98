from django.contrib import admin

from fazhi.registers.framework.admin import ReadOnlyAdmin
from fazhi.registers.legal_publicity.models import PublicityActivity


@admin.register(PublicityActivity)
class PublicityActivityAdmin(ReadOnlyAdmin):
    list_display = ["case_number", "unit", "kind", "title", "state", "received_on", "participants"]
    list_filter = ["state", "kind"]
    search_fields = ["case_number", "title"]
