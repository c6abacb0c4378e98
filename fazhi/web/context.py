from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from fazhi.core.selectors import user_is_admin
from fazhi.registers.framework.registry import REGISTRY


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {
        "nav_registers": [(r.name, r.definition.label) for r in REGISTRY.values()],
        "nav_is_admin": user_is_admin(request.user) if request.user.is_authenticated else False,
    }
