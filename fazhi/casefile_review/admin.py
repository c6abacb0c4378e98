from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fazhi.casefile_review.models import RectificationNotice, ReviewCampaign


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    """Campaigns and notices change only through the campaign's steps (each a workflow event and an
    audit leaf, definitions/workflows/casefile_campaign.yaml), never here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReviewCampaign)
class ReviewCampaignAdmin(ReadOnly):
    list_display = ["name", "organiser", "year", "sheet", "state"]


@admin.register(RectificationNotice)
class RectificationNoticeAdmin(ReadOnly):
    list_display = ["campaign", "unit", "issued_on", "due_on", "reported_on"]
