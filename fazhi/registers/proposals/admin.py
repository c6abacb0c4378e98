from django.contrib import admin

from fazhi.registers.framework.admin import ReadOnlyAdmin
from fazhi.registers.proposals.models import Proposal


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ["case_number", "unit", "kind", "proposal_number", "state", "received_on", "due_on", "outcome", "satisfaction"]
    list_filter = ["state", "kind", "outcome", "satisfaction"]
    search_fields = ["case_number", "title", "proposal_number"]
