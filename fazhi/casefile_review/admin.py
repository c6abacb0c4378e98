from django.contrib import admin

from fazhi.casefile_review.models import RectificationNotice, ReviewCampaign


@admin.register(ReviewCampaign)
class ReviewCampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "organiser", "year", "sheet", "state"]
    readonly_fields = ["state", "seed"]


@admin.register(RectificationNotice)
class RectificationNoticeAdmin(admin.ModelAdmin):
    list_display = ["campaign", "unit", "issued_on", "due_on", "reported_on"]
