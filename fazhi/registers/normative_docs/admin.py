from django.contrib import admin

from fazhi.registers.framework.admin import ReadOnlyAdmin
from fazhi.registers.normative_docs.models import NormativeDocument


@admin.register(NormativeDocument)
class NormativeDocumentAdmin(ReadOnlyAdmin):
    list_display = ["case_number", "unit", "title", "doc_number", "state", "published_on", "filed_on", "valid_until", "cleanup_outcome"]
    list_filter = ["state", "doc_kind", "review_opinion", "cleanup_outcome"]
    search_fields = ["case_number", "title", "doc_number"]
