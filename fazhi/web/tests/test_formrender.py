"""The select boxes written in a loop (fazhi/web/formrender.py) are Django's templates' HTML, byte for byte."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from conftest import Org
from fazhi.core.models import Unit
from fazhi.web.formrender import OPTION, SELECT, FormRenderer


class Everything(forms.Form):
    plain = forms.ChoiceField(choices=[("", "—"), ("a", "甲 <b>&'\""), (1, 2025), ("s", mark_safe("<i>安全</i>"))], required=False)
    grouped = forms.ChoiceField(choices=[("第一组", [("x", "X"), ("y", "Y")]), ("z", "Z"), ("第二组 <&>", [("w", "W")])])
    many = forms.MultipleChoiceField(choices=[("p", "P"), ("q", "Q"), ("r", "R")])
    typed = forms.TypedChoiceField(coerce=int, choices=[("", "全年")] + [(q, f"第{q}季度") for q in range(1, 5)], required=False)
    yes_no = forms.NullBooleanField()
    unit = forms.ModelChoiceField(queryset=Unit.objects.order_by("path"), required=False)
    text = forms.CharField(required=False)


def _rendered(renderer: Any, data: dict[str, Any] | None, initial: dict[str, Any] | None = None) -> list[str]:
    form = Everything(data, initial=initial, renderer=renderer)
    form.fields["plain"].widget.attrs.update({"class": "form-select <x>", "disabled": True, "hidden": False, "data-n": 3})
    return [str(bf) for bf in form]


@pytest.mark.django_db
def test_a_select_box_is_the_templates_html_byte_for_byte(org: Org) -> None:
    cases = [
        (None, None),
        (None, {"plain": "a", "grouped": "w", "many": ["p", "r"], "typed": 2, "yes_no": True, "unit": org.district.pk}),
        ({"plain": "1", "grouped": "y", "many": ["q"], "typed": "", "yes_no": "false", "unit": str(org.district.pk), "text": "<t>"}, None),
        ({"plain": "nope", "unit": "999999"}, None),
    ]
    ours, theirs = FormRenderer(), DjangoTemplates()
    for data, initial in cases:
        expected = _rendered(theirs, data, initial)
        assert _rendered(ours, data, initial) == expected
    # the loop did the work, not the templates
    asked: list[str] = []
    original = FormRenderer.get_template
    FormRenderer.get_template = lambda self, name: asked.append(name) or original(self, name)  # type: ignore[method-assign]
    try:
        html = "".join(_rendered(ours, None, {"unit": org.district.pk}))
    finally:
        FormRenderer.get_template = original  # type: ignore[method-assign]
    assert SELECT not in asked and OPTION not in asked and asked  # the text input still went through its template
    assert html.count("<option") == 4 + 4 + 3 + 5 + 3 + 1 + Unit.objects.count()
    assert "甲 &lt;b&gt;&amp;&#x27;&quot;" in html and "<i>安全</i>" in html and '<optgroup label="第二组 &lt;&amp;&gt;">' in html
