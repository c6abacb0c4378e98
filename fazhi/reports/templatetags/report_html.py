"""A report paragraph as HTML: every generated figure wrapped, linked to its trace for staff."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def paragraph_html(paragraph: Any, unit_id: int, year: int, link: bool = True) -> SafeString:
    text, pos = paragraph.text, 0
    pieces: list[str] = []
    query = urlencode({"unit": unit_id, "year": year})
    for f in sorted(paragraph.figures, key=lambda f: f.start):
        pieces.append(escape(text[pos : f.start]))
        span = escape(text[f.start : f.end])
        attrs = f'class="figure" data-code="{escape(f.code)}" data-value="{escape(f.value)}" data-role="{escape(f.role)}"'
        if link:
            code = f.code
            url = reverse("indicator_trace", args=[code]) + "?" + query
            if f.role == "previous":
                url = reverse("indicator_trace", args=[code]) + "?" + urlencode({"unit": unit_id, "year": year - 1})
            pieces.append(f'<a {attrs} href="{escape(url)}">{span}</a>')
        else:
            pieces.append(f"<span {attrs}>{span}</span>")
        pos = f.end
    pieces.append(escape(text[pos:]))
    return mark_safe("".join(pieces))  # every piece above is escaped
