from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from fazhi.web.navigation import PORTAL_LINKS, nav_for, nav_html


def navigation(request: HttpRequest) -> dict[str, Any]:
    menus = nav_for(request.user, request.path)
    return {
        "nav_menus": menus,
        "nav_html": nav_html(menus),
        "portal_links": PORTAL_LINKS,
    }
