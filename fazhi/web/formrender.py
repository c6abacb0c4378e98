"""The form renderer (settings.FORM_RENDERER): Django's templates, except the select box.

Django renders a ``<select>`` by including one template per ``<option>`` (and the attributes'
template per option again): a select of 90 units costs ~14 ms of template work on every page
that shows it (the dashboard's period form, the register lists' filters). This renderer writes
the same HTML, byte for byte, in a plain loop; any other widget, or a select whose options use
another template, goes through the templates as before. fazhi/web/tests/test_formrender.py
compares both outputs.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # (not in django-stubs)

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _shown(value: Any) -> str:
    """``{{ value }}`` in an autoescaping template: localized, then escaped unless safe."""
    value = localize(template_localtime(value))
    return str(conditional_escape(value if isinstance(value, str) else str(value)))


def _formatted(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: the filter keeps a safe string safe; anything else is escaped."""
    text = str(value)  # what "%s" % value gives (a tuple: the filter formats str(tuple))
    return text if isinstance(value, SafeData) else str(conditional_escape(text))


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_shown(name)}" if value is True else f' {_shown(name)}="{_formatted(value)}"')
    return "".join(out)


class FormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget") if template_name == SELECT else None
        if widget is None or any(o.get("template_name") != OPTION for _, options, _ in widget["optgroups"] for o in options):
            return str(super().render(template_name, context, request))
        out = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                out.append(f'\n  <optgroup label="{_shown(group_name)}">')
            for o in options:  # each option ends with its template's last newline
                out.append(f'\n  <option value="{_formatted(o["value"])}"{_attrs(o["attrs"])}>{_shown(o["label"])}</option>\n')
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return SafeString("".join(out))
