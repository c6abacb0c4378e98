"""The staff navigation, declared once: groups of entries, each with the roles that use it.

The template renders what :func:`nav_for` returns for the user; nothing about roles is written in
the template. An entry's roles are those of the people whose work the page is (a department clerk
does not get the evaluation or the system pages); every page listed is one the user may open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from fazhi.core.models import Role
from fazhi.core.pagecache import RECORDS, TODO, cached
from fazhi.core.selectors import user_is_admin, user_memberships, user_roles, user_units_with_role
from fazhi.registers.framework.registry import REGISTRY

# the public portal's sections (no login): url name, label
PORTAL_LINKS = (
    ("portal_apply", "申请公开"),
    ("portal_status", "查询办理进度"),
    ("publicity_portal", "执法决定公示"),
    ("powers_portal", "权责清单"),
    ("draws_portal", "双随机抽查公示"),
    ("decision_portal", "重大行政决策"),
    ("normative_portal", "规范性文件目录"),
    ("portal_reports", "年度报告"),
    ("portal_checkpoints", "记录校验"),
    ("document_verify", "文书查验"),
)

STAFF = frozenset({Role.CLERK, Role.REVIEWER, Role.HEAD})
OFFICE = frozenset({Role.RULE_OF_LAW_OFFICE})
EVALUATOR = frozenset({Role.EVALUATOR})
ADMIN = frozenset({Role.ADMIN})


def _office_below_the_city(user: Any) -> bool:
    """The page's own condition: the catalogue is published for a unit below the city."""
    return user_units_with_role(user, OFFICE).filter(parent__isnull=False).exists()


def _evaluation_for(user: Any) -> bool:
    """The evaluation is organised by the evaluators and the office; a unit's own people get it
    once a published result of their unit is there to read."""
    from fazhi.evaluation.selectors import schemes_visible_to

    return bool(user_roles(user) & (OFFICE | EVALUATOR)) or bool(schemes_visible_to(user))


def _django_admin(user: Any) -> bool:
    return bool(getattr(user, "is_staff", False))


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    roles: frozenset[str]
    args: tuple[str, ...] = ()
    # a further condition the page itself enforces (beyond holding one of the roles)
    check: Callable[[Any], bool] | None = None
    # a line above the entry in its menu (the directories after the registers)
    divider_before: bool = False

    def href(self) -> str:
        return reverse(self.url_name, args=self.args)


@dataclass(frozen=True)
class NavGroup:
    key: str  # the element id of the dropdown
    label: str
    entries: tuple[NavEntry, ...] = field(default_factory=tuple)


def register_entries() -> tuple[NavEntry, ...]:
    """One entry per register: the roles its definition gives any step, and the rule-of-law office,
    which oversees every register of its area."""
    out = []
    for reg in REGISTRY.values():
        d = reg.definition
        roles = set(d.create.roles)
        for t in d.transitions.values():
            roles |= set(t.roles)
        out.append(NavEntry(d.label, "matter_list", frozenset(roles) | OFFICE, args=(reg.name,)))
    return tuple(out)


def navigation_structure() -> tuple[NavGroup, ...]:
    """The whole navigation (registers come from the registry, loaded at start-up)."""
    return (
        NavGroup(
            "nav-registers",
            "登记办理",
            register_entries()
            + (
                NavEntry("决策事项目录", "decision_catalogues", STAFF | OFFICE, divider_before=True),
                NavEntry("法律顾问", "advisers", frozenset({Role.REVIEWER, Role.HEAD}) | OFFICE),
                NavEntry("执法公示", "publicity_staff", STAFF | OFFICE),
                NavEntry("执法人员", "officers", STAFF | OFFICE),
                NavEntry("学法和述法", "law_study", STAFF | OFFICE),
                NavEntry("普法", "publicity_duty_lists", STAFF | OFFICE),
                NavEntry("文书打印", "documents_today", STAFF),
            ),
        ),
        NavGroup(
            "nav-oversight",
            "监督考核",
            (
                NavEntry("驾驶舱", "indicators_dashboard", frozenset({Role.HEAD}) | OFFICE | EVALUATOR),
                NavEntry("考核", "evaluation_schemes", STAFF | OFFICE | EVALUATOR, check=_evaluation_for),
                NavEntry("督察", "supervision_leads", frozenset({Role.HEAD}) | OFFICE),
                NavEntry("案卷评查", "review_campaigns", frozenset({Role.HEAD, Role.REVIEWER}) | OFFICE | EVALUATOR),
                NavEntry("双随机", "inspection_plans", STAFF | OFFICE),
                NavEntry("两法衔接看板", "transfer_board", frozenset({Role.HEAD, Role.REVIEWER}) | OFFICE),
                NavEntry("发布规范性文件目录", "normative_catalogue_publish", OFFICE, check=_office_below_the_city),
            ),
        ),
        NavGroup(
            "nav-reports",
            "报告",
            (
                NavEntry("年度报告", "reports", frozenset({Role.HEAD, Role.REVIEWER}) | OFFICE),
                NavEntry("报告阅读器", "reader", STAFF | OFFICE | EVALUATOR),
            ),
        ),
        NavGroup(
            "nav-system",
            "系统",
            (
                NavEntry("全过程记录", "audit", OFFICE | ADMIN),
                NavEntry("个人信息查阅记录", "access_log", OFFICE | ADMIN),
                NavEntry("导入单位与人员", "org_import", ADMIN),
                NavEntry("后台管理", "admin:index", ADMIN, check=_django_admin),
            ),
        ),
    )


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str
    current: bool
    divider_before: bool = False


@dataclass(frozen=True)
class NavMenu:
    key: str
    label: str
    links: tuple[NavLink, ...]
    current: bool


def nav_for(user: Any, path: str = "") -> list[NavMenu]:
    """The groups and entries this user's roles use, in declared order; empty groups are left out.
    What the user is offered is cached per user (units, roles, flags) until the next write of
    what the entries' checks read (the units: RECORDS; the evaluation's schemes and results, the
    memberships and users: TODO; fazhi/core/pagecache.py); the page being shown is marked here."""
    if not getattr(user, "is_authenticated", False):
        return []
    memberships = tuple(sorted((m.unit_id, m.unit.path, m.role) for m in user_memberships(user)))
    who = (user.pk, user.is_active, user.is_superuser, user.is_staff, memberships)
    offered = cached((RECORDS, TODO), ("nav", who), lambda: _offered(user))
    menus = []
    for key, label, entries in offered:
        links = tuple(NavLink(text, href, current=bool(path) and path.startswith(href), divider_before=divider) for text, href, divider in entries)
        menus.append(NavMenu(key, label, links, current=any(link.current for link in links)))
    return menus


def _e(value: str) -> str:
    return str(conditional_escape(value))


def nav_html(menus: list[NavMenu]) -> SafeString:
    """The menus as web/base.html's loop over them wrote them (byte for byte: the template is kept in
    fazhi/web/tests/test_navigation.py, which compares both), written here: the loop's lookups and
    conditions over some forty links cost ~1 ms of every staff page."""
    out = []
    for menu in menus:
        out.append(
            f'\n        <li class="nav-item dropdown">\n          <button class="nav-link dropdown-toggle{" active" if menu.current else ""}" type="button" '
            f'id="{_e(menu.key)}" data-bs-toggle="dropdown" aria-expanded="false">{_e(menu.label)}</button>\n'
            f'          <ul class="dropdown-menu" aria-labelledby="{_e(menu.key)}">\n            '
        )
        for link in menu.links:
            divider = '<li><hr class="dropdown-divider"></li>' if link.divider_before else ""
            active, current = (" active", ' aria-current="page"') if link.current else ("", "")
            out.append(f'{divider}<li><a class="dropdown-item{active}" href="{_e(link.href)}"{current}>{_e(link.label)}</a></li>\n            ')
        out.append("\n          </ul>\n        </li>\n        ")
    return mark_safe("".join(out))  # every value escaped above


def _offered(user: Any) -> tuple[tuple[str, str, tuple[tuple[str, str, bool], ...]], ...]:
    """(group key, group label, (entry label, href, divider before)) of what the user's roles use."""
    roles = user_roles(user)
    if user_is_admin(user):
        roles.add(Role.ADMIN)
    menus = []
    for group in navigation_structure():
        links: list[tuple[str, str, bool]] = []
        for entry in group.entries:
            if not roles & entry.roles or (entry.check is not None and not entry.check(user)):
                continue
            links.append((entry.label, entry.href(), entry.divider_before and bool(links)))
        if links:
            menus.append((group.key, group.label, tuple(links)))
    return tuple(menus)
