from django.contrib import admin
from django.http import HttpRequest

from fazhi.api.models import ApiClient


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read and revoke here; create with ``fazhi api add`` (the token is shown once, on the command line)."""

    list_display = ("name", "active", "can_write", "registers", "per_minute", "token_hint", "created_at")
    list_filter = ("active", "can_write")
    readonly_fields = ("name", "user", "token_hint", "created_at")
    fields = ("name", "user", "token_hint", "registers", "can_write", "per_minute", "active", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
