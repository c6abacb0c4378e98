from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from fazhi.web.navigation import PORTAL_LINKS, nav_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    from fazhi.law.clocks import clock_rules

    return {
        "clock_labels": {rule_id: rule.label for rule_id, rule in clock_rules().items()},
        "nav_menus": nav_for(request.user, request.path),
        "portal_links": PORTAL_LINKS,
    }
