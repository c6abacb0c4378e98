from django.contrib import admin

from fazhi.inspections.models import ConflictDeclaration, InspectionSubject


@admin.register(InspectionSubject)
class InspectionSubjectAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "category", "unit", "active"]
    list_filter = ["category", "active"]
    search_fields = ["name", "credit_code"]


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(admin.ModelAdmin):
    list_display = ["officer", "subject", "reason", "declared_on"]
