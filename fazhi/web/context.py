from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from fazhi.core.models import Role
from fazhi.core.selectors import user_is_admin, user_scope_paths
from fazhi.registers.framework.registry import REGISTRY


def navigation(request: HttpRequest) -> dict[str, Any]:
    from fazhi.law.clocks import clock_rules

    return {
        "clock_labels": {rule_id: rule.label for rule_id, rule in clock_rules().items()},
        "nav_registers": [(r.name, r.definition.label) for r in REGISTRY.values()],
        "nav_is_admin": user_is_admin(request.user) if request.user.is_authenticated else False,
        "nav_is_rule_of_law_office": bool(request.user.is_authenticated and user_scope_paths(request.user, [Role.RULE_OF_LAW_OFFICE])),
    }
