from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def lookup(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, key) if mapping else key


# keys of events that are not fields of the matter (a file stored with a step)
EVENT_KEYS = {"file_name": "文件名", "size": "大小", "description": "说明"}
# what only an auditor reads: shown behind 技术信息
TECHNICAL_KEYS = {"sha256"}


def _field_value(field: Any, value: Any) -> Any:
    if value in (None, ""):
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.is_relation and field.related_model is not None:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else value
    return value


@register.filter
def event_fields(data: dict[str, Any] | None, reg: Any) -> list[tuple[str, Any]]:
    """The fields an event recorded as a clerk reads them: 申请人电话：…, not applicant_phone：…."""
    fields = {f.name: f for f in reg.model._meta.fields}
    order = {name: i for i, name in enumerate(fields)}
    out: list[tuple[str, Any]] = []
    # in the form's order (the model's), never the database's: PostgreSQL's jsonb sorts the keys
    items = list((data or {}).items())
    for key, value in sorted(items, key=lambda kv: (order.get(kv[0], len(order)), items.index(kv))):
        if key in TECHNICAL_KEYS:
            continue
        if key in fields:
            out.append((str(fields[key].verbose_name), _field_value(fields[key], value)))
        elif key == "size" and isinstance(value, int):
            out.append(("大小", f"{value} 字节"))
        else:
            out.append((EVENT_KEYS.get(key, key), value if value not in (None, "") else "（空）"))
    return out


@register.filter
def cell(value: Any) -> Any:
    """A value of a record in a table: a date as 2026-01-31, yes/no as 是/否, nothing as —."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return date_filter(value, "Y-m-d")
    return value


_DIGEST = re.compile(r"(?:\S*校验值\s*)?SHA-256\s*[0-9a-f]{64}")


@register.filter
def digests_aside(text: Any) -> SafeString | str:
    """A recorded text ("方案校验值 SHA-256 25e5…") with its digests moved behind 技术信息."""
    text = "" if text is None else str(text)
    found = _DIGEST.findall(text)
    if not found:
        return text
    plain = _DIGEST.sub("", text).strip(" ；，")
    return format_html('{}<details class="small text-muted"><summary>技术信息</summary>{}</details>', plain, "；".join(found))
