from django.contrib import admin

from fazhi.registers.contract_review.models import ContractReview, LegalAdviser
from fazhi.registers.framework.admin import ReadOnlyAdmin


@admin.register(ContractReview)
class ContractReviewAdmin(ReadOnlyAdmin):
    list_display = ["case_number", "unit", "kind", "category", "state", "received_on", "due_on", "outcome"]
    list_filter = ["state", "kind", "outcome"]
    search_fields = ["case_number", "title"]


@admin.register(LegalAdviser)
class LegalAdviserAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "unit", "licence_number", "term_start", "term_end"]
    list_filter = ["kind"]
    search_fields = ["name", "licence_number"]
