"""A matter's page caches its history (timeline, running clocks, steps taken: fazhi/web/views.py,
_matter_history) until the next write: the cached part is the same for everyone who may see the
matter, so a second user never gets the first one's steps or buttons, a user who may not see the
matter gets no page at all, and a write that adds an event shows at once."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from conftest import Org, do
from fazhi.registers.enforcement.evidence import evidence_add
from fazhi.registers.enforcement.tests.fixtures import make_agency, open_case

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _part(page: str, start: str, end: str) -> str:
    i = page.index(start)
    return page[i : page.index(end, i)]


def _actions(page: str) -> list[str]:
    """The step buttons of the page (links to the step forms and the amend form)."""
    return re.findall(r'href="(/r/[^"]+/(?:do/\w+|amend)/)"', _part(page, 'id="actions"', "</div>"))


def test_each_user_gets_their_own_steps_over_the_cached_history_and_no_one_else_gets_the_page(org: Org, make_case: Any) -> None:
    case = make_case()
    do(case, "accept", org.bob, accepted_on=dt.date(2025, 9, 30), procedure="ordinary")
    url = f"/r/reconsideration/{case.pk}/"
    people = {"alice": org.alice, "bob": org.bob, "carol": org.carol, "dave": org.dave}
    # each one's page as computed alone (the cache empty before it)
    alone = {}
    for name, user in people.items():
        cache.clear()
        page = _client(user).get(url).content.decode()
        alone[name] = (_actions(page), _part(page, 'id="timeline"', "</ol>"))
    assert alone["alice"][0] != alone["dave"][0] and alone["dave"][0] == []  # the clerk has steps; the office none
    # then one after the other, the first filling the cache for the others
    cache.clear()
    for name, user in people.items():
        page = _client(user).get(url).content.decode()
        assert (_actions(page), _part(page, 'id="timeline"', "</ol>")) == alone[name], name
    # the other district's clerk and an unknown matter: no page, cache or not
    assert _client(org.frank).get(url).status_code == 404
    assert _client(org.erin).get(url).status_code == 404


def test_a_step_taken_shows_at_once_on_a_page_already_viewed(org: Org, make_case: Any) -> None:
    case = make_case()
    alice = _client(org.alice)
    url = f"/r/reconsideration/{case.pk}/"
    before = alice.get(url).content.decode()
    assert "受理" not in _part(before, 'id="timeline"', "</ol>")
    do(case, "accept", org.bob, accepted_on=dt.date(2025, 9, 30), procedure="ordinary")
    after = alice.get(url).content.decode()
    assert "<strong>受理</strong>" in _part(after, 'id="timeline"', "</ol>") and "鲍勃" in after
    assert _actions(after) != _actions(before)


def test_an_event_that_is_no_step_shows_at_once_on_a_page_already_viewed(org: Org, make_case: Any) -> None:
    """An event that writes nothing of the matter (evidence, a document: no write observer runs)
    forgets the cached history itself."""
    from fazhi.registers.framework.registry import register_get
    from fazhi.registers.framework.services import _write_event

    case = make_case()
    alice = _client(org.alice)
    url = f"/r/reconsideration/{case.pk}/"
    assert "送达回证" not in alice.get(url).content.decode()
    after = {"file_name": "送达回证.pdf", "size": 5, "description": "送达回证"}
    _write_event(
        reg=register_get("reconsideration"),
        matter=case,
        transition="add_file",
        actor=org.alice,
        event_date=dt.date(2025, 9, 30),
        state_before=case.state,
        before={},
        after=after,
        note="送达回证已上传",
    )
    assert "送达回证已上传" in _part(alice.get(url).content.decode(), 'id="timeline"', "</ol>")


def test_evidence_added_shows_at_once_on_a_page_already_viewed(org: Org) -> None:
    agency = make_agency(org)
    case = open_case(agency)
    clerk = _client(agency.clerk)
    url = f"/r/enforcement/{case.pk}/"
    assert "现场检查照片" not in clerk.get(url).content.decode()
    photo = b"\xff\xd8\xff\xe0photo"  # a JPEG by its first bytes
    evidence_add(case=case, actor=agency.clerk, content=photo, file_name="现场照片.jpg", description="现场检查照片", collected_on=dt.date(2025, 3, 4))
    assert "现场检查照片" in _part(clerk.get(url).content.decode(), 'id="timeline"', "</ol>")


def test_a_renamed_actor_shows_at_once_on_a_page_already_viewed(org: Org, make_case: Any) -> None:
    case = make_case()
    alice = _client(org.alice)
    url = f"/r/reconsideration/{case.pk}/"
    assert "爱丽丝" in _part(alice.get(url).content.decode(), 'id="timeline"', "</ol>")
    org.alice.first_name = "艾丽斯"
    org.alice.save(update_fields=["first_name"])
    assert "艾丽斯" in _part(alice.get(url).content.decode(), 'id="timeline"', "</ol>")


def test_the_running_clocks_show_by_their_names(org: Org, make_case: Any) -> None:
    from fazhi.law.clocks import clock_rules
    from fazhi.registers.framework.clocks import matter_clocks

    case = make_case()
    do(case, "accept", org.bob, accepted_on=dt.date(2025, 9, 30), procedure="ordinary")
    running = matter_clocks(case)
    assert running
    page = _client(org.alice).get(f"/r/reconsideration/{case.pk}/").content.decode()
    card = _part(page, "法定期限", "</ul>")
    for c in running:
        assert f"<strong>{clock_rules()[c.rule].label}</strong>：" in card and f"<strong>{c.result.due:%Y-%m-%d}</strong>" in card
