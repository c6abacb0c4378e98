from django.contrib import admin

from fazhi.registers.framework.admin import ReadOnlyAdmin
from fazhi.registers.major_decisions.models import CatalogueItem, DecisionCatalogue, MajorDecision


@admin.register(MajorDecision)
class MajorDecisionAdmin(ReadOnlyAdmin):
    list_display = ["case_number", "unit", "title", "state", "received_on", "decided_on", "published_on"]
    list_filter = ["state", "category", "review_conclusion"]
    search_fields = ["case_number", "title"]


@admin.register(DecisionCatalogue)
class DecisionCatalogueAdmin(ReadOnlyAdmin):
    list_display = ["title", "unit", "year", "state", "party_agreed_on", "published_on"]


@admin.register(CatalogueItem)
class CatalogueItemAdmin(ReadOnlyAdmin):
    list_display = ["code", "catalogue", "number", "name", "lead_unit", "removed_on"]
