"""The navigation: what each demo persona is offered, and that every entry opens for them."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from fazhi.core.demo import build_org, build_users
from fazhi.web.navigation import NavLink, NavMenu, nav_for, nav_html, navigation_structure

# the demo's named accounts and one account of each kind of unit below them
PERSONAS = [
    "clerk",
    "reviewer",
    "head",
    "office",
    "evaluator",
    "checker",
    "leader",
    "admin",
    "clerk_gh",
    "aid_reviewer",
    "aid_head",
    "jc_md_d02_clerk1",
    "jc_md_d02_reviewer",
    "jc_md_d02_head",
    "jc_md_j01_sf_clerk1",
    "jc_md_d01_la_clerk1",
]


@pytest.fixture
def demo_people(db: Any) -> dict[str, Any]:
    rng = random.Random(1)
    build_users(build_org(rng), rng)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=PERSONAS)}
    assert set(users) == set(PERSONAS)
    return users


def menus(user: Any) -> dict[str, list[str]]:
    return {m.label: [link.label for link in m.links] for m in nav_for(user)}


def test_every_persona_opens_every_entry_it_is_offered(demo_people: dict[str, Any]) -> None:
    offered: set[str] = set()
    for username, user in demo_people.items():
        client = Client()
        client.force_login(user)
        home = client.get("/")
        assert home.status_code == 200, username
        nav: list[NavMenu] = home.context["nav_menus"]
        assert nav == nav_for(user, "/")
        html = home.content.decode()
        for menu in nav:
            assert f'id="{menu.key}"' in html and 'data-bs-toggle="dropdown"' in html
            for link in menu.links:
                assert f'href="{link.href}"' in html
                response = client.get(link.href)
                assert response.status_code == 200, (username, link.label, link.href, response.status_code)
                offered.add(link.href)
    # every declared entry is some persona's (nothing declared for nobody)
    declared = {entry.href() for group in navigation_structure() for entry in group.entries}
    assert declared == offered


def test_each_role_gets_its_own_groups(demo_people: dict[str, Any]) -> None:
    dept_clerk = menus(demo_people["jc_md_d02_clerk1"])
    assert "行政执法" in dept_clerk["登记办理"] and "政府信息公开申请" in dept_clerk["登记办理"]
    assert "系统" not in dept_clerk and dept_clerk["报告"] == ["报告阅读器"]  # the annual report is the office's
    assert "考核" not in dept_clerk.get("监督考核", []) and "督察" not in dept_clerk.get("监督考核", [])
    assert "驾驶舱" not in dept_clerk.get("监督考核", [])

    admin = menus(demo_people["admin"])
    assert admin["系统"] == ["全过程记录", "个人信息查阅记录", "导入单位与人员", "后台管理"]
    assert "登记办理" not in admin

    office = menus(demo_people["office"])
    assert office["报告"] == ["年度报告", "报告阅读器"]
    assert {"驾驶舱", "考核", "督察", "案卷评查", "发布规范性文件目录"} <= set(office["监督考核"])
    assert "导入单位与人员" not in office["系统"] and "个人信息查阅记录" in office["系统"]

    evaluator = menus(demo_people["evaluator"])
    assert "考核" in evaluator["监督考核"] and "登记办理" not in evaluator

    leader = menus(demo_people["leader"])
    assert "驾驶舱" in leader["监督考核"] and "年度报告" in leader["报告"]


def test_the_page_marks_where_the_user_is_and_collapses_on_a_phone(demo_people: dict[str, Any]) -> None:
    client = Client()
    client.force_login(demo_people["clerk"])
    html = client.get("/r/reconsideration/").content.decode()
    assert 'class="navbar-toggler"' in html and 'data-bs-target="#nav-main"' in html and 'aria-label="展开或收起导航菜单"' in html
    assert 'href="/r/reconsideration/" aria-current="page"' in html
    assert html.index('href="#main"') < html.index("<nav") and 'id="main"' in html
    assert "vendor/bootstrap/js/bootstrap.bundle.min.js" in html


def test_anonymous_visitors_get_no_staff_navigation(db: Any) -> None:
    html = Client().get("/login/").content.decode()
    assert "登记办理" not in html and "nav-main" not in html


def test_the_cached_navigation_is_each_users_own_and_follows_a_new_role_at_once(org: Any) -> None:
    """What a user is offered is cached per user until the next write of what it depends on
    (fazhi/web/navigation.py): a role granted shows at once, and no user gets another's menus."""
    from fazhi.core.models import Role
    from fazhi.core.services import membership_grant

    dave, erin = Client(), Client()
    dave.force_login(org.dave)
    erin.force_login(org.erin)

    def labels(client: Client) -> set[str]:
        return {link.label for menu in client.get("/").context["nav_menus"] for link in menu.links}

    office = labels(dave)
    assert "全过程记录" in office and labels(dave) == office  # the second view: from the cache
    clerk = labels(erin)
    assert "全过程记录" not in clerk and "驾驶舱" not in clerk and "文书打印" in clerk
    membership_grant(user=org.erin, unit=org.dept, role=Role.HEAD)
    assert "驾驶舱" in labels(erin) and "全过程记录" not in labels(erin)
    assert labels(dave) == office


# web/base.html's loop over the menus (after its indentation) before fazhi/web/navigation.py:nav_html
# wrote them in Python
NAV_LOOP = (
    "{% for menu in nav_menus %}\n"
    '        <li class="nav-item dropdown">\n'
    '          <button class="nav-link dropdown-toggle{% if menu.current %} active{% endif %}" type="butt'
    'on" id="{{ menu.key }}" data-bs-toggle="dropdown" aria-expanded="false">{{ menu.label }}</button>\n'
    '          <ul class="dropdown-menu" aria-labelledby="{{ menu.key }}">\n'
    '            {% for link in menu.links %}{% if link.divider_before %}<li><hr class="dropdown-divider"'
    '></li>{% endif %}<li><a class="dropdown-item{% if link.current %} active{% endif %}" href="{{ link.h'
    'ref }}"{% if link.current %} aria-current="page"{% endif %}>{{ link.label }}</a></li>\n'
    "            {% endfor %}\n"
    "          </ul>\n"
    "        </li>\n"
    "        {% endfor %}"
)


def test_the_menus_written_in_python_are_the_templates_byte_for_byte(demo_people: dict[str, Any]) -> None:
    from django.template import Context, Template

    loop = Template(NAV_LOOP)
    seen = set()
    for user in demo_people.values():
        for path in ("/", "/r/reconsideration/", "/zhibiao/"):
            menus = nav_for(user, path)
            seen |= {(link.current, link.divider_before) for m in menus for link in m.links}
            assert str(nav_html(menus)) == loop.render(Context({"nav_menus": menus}))
    assert seen == {(False, False), (True, False), (False, True)}  # current links and dividers were among them
    odd = [NavMenu("m<1>", "A & B", (NavLink('<script>"', "/x/?a=1&b=2", current=True, divider_before=True),), current=True)]
    assert str(nav_html(odd)) == loop.render(Context({"nav_menus": odd})) and "<script>" not in str(nav_html(odd))
