"""A register's list filter: what the staff list and the REST API both select by (search, state,
unit, received dates, overdue), always within what the user may see."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from fazhi.core.access import common_unit, personal_access_record
from fazhi.core.models import AccessKind, Unit
from fazhi.core.selectors import units_visible_to
from fazhi.registers.framework import selectors
from fazhi.registers.framework.models import Matter
from fazhi.registers.framework.registry import Register
from fazhi.registers.framework.search import matters_search

# Sortable list columns: ``?sort=<key>`` ascending, ``?sort=-<key>`` descending.
SORTS = {"received": "received_on", "due": "due_on", "case": "case_number", "state": "state"}
SORT_CHOICES = [("", "默认（最新登记在前）")] + [(d + k, d + k) for k in SORTS for d in ("", "-")]


class ListFilter(forms.Form):
    q = forms.CharField(label="检索", required=False, max_length=100)
    state = forms.ChoiceField(label="状态", required=False)
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.none(), required=False)
    received_from = forms.DateField(label="收到日期自", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    received_to = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    overdue = forms.BooleanField(label="仅看逾期", required=False)
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False, widget=forms.HiddenInput)
    after = forms.IntegerField(required=False, widget=forms.HiddenInput)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


def list_filter(data: Any, user: Any, reg: Register) -> ListFilter:
    """The filter form over ``data`` (a query dict, or None), its choices fitted to the register and the user."""
    f = ListFilter(data)
    state_field = f.fields["state"]
    assert isinstance(state_field, forms.ChoiceField)
    state_field.choices = [("", "全部")] + [(s.name, s.label) for s in reg.definition.states.values()]
    unit_field = f.fields["unit"]
    assert isinstance(unit_field, forms.ModelChoiceField)
    unit_field.queryset = units_visible_to(user)
    return f


def matters_filtered(f: ListFilter, user: Any, reg: Register) -> QuerySet[Matter]:
    """The matters the (validated, or unbound) filter selects among those the user may see."""
    qs = selectors.matters_visible_to(user, reg).select_related("unit")
    if not f.is_bound or not f.is_valid():
        return qs
    d = f.cleaned_data
    if d["q"]:
        qs = matters_search(qs, reg, d["q"])
    if d["state"]:
        qs = qs.filter(state=d["state"])
    if d["unit"]:
        qs = qs.filter(unit__path__startswith=d["unit"].path)
    if d["received_from"]:
        qs = qs.filter(received_on__gte=d["received_from"])
    if d["received_to"]:
        qs = qs.filter(received_on__lte=d["received_to"])
    if d["overdue"]:
        qs = qs.filter(due_on__lt=timezone.localdate(), state__in=reg.definition.open_states())
    return qs


def filters_in_words(reg: Register, f: ListFilter) -> str:
    """The list's filters as the access log keeps them: the search text may be a person's name,
    so only that a search was made is written."""
    if not f.is_valid():
        return ""
    d = f.cleaned_data
    words = []
    if d["unit"]:
        words.append(f"单位：{d['unit'].name}")
    if d["state"]:
        words.append(f"状态：{reg.definition.states[d['state']].label}")
    if d["received_from"] or d["received_to"]:
        words.append(f"收到日期：{d['received_from'] or '不限'}至{d['received_to'] or '不限'}")
    if d["overdue"]:
        words.append("仅看逾期")
    if d["q"]:
        words.append("按关键词检索（检索词不记录）")
    return "；".join(words) or "全部"


def list_access_record(user: Any, reg: Register, f: ListFilter, page: list[Matter]) -> None:
    """A list page whose party column shows personal data goes into the access log (the site and the API)."""
    party = reg.definition.party
    if party and party in reg.definition.personal_data and page:
        personal_access_record(
            user=user, kind=AccessKind.LIST, register=reg.name, unit=common_unit(m.unit for m in page), rows=len(page), filters=filters_in_words(reg, f)
        )


def matter_access_record(user: Any, reg: Register, matter: Matter) -> None:
    """A record shown with its personal data goes into the access log (the site and the API)."""
    if selectors.matter_shows_personal(reg, matter):
        personal_access_record(user=user, kind=AccessKind.VIEW, register=reg.name, unit=matter.unit, object_id=matter.pk, case_number=matter.case_number)
