"""How an indicator value reads on a page: "无记录" rather than a 0 that looks like a result."""

from __future__ import annotations

import decimal
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from fazhi.indicators.catalogue import Indicator
from fazhi.indicators.engine import Value, yoy_caution

register = template.Library()


def _number(v: Any) -> str:
    if isinstance(v, decimal.Decimal):
        return f"{v:,.2f}".rstrip("0").rstrip(".") if v != v.to_integral_value() else f"{v:,.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


@register.filter
def show(value: Value, ind: Indicator) -> SafeString:
    if ind.type == "yoy":
        if value.records == 0:
            return mark_safe('<span class="text-muted">无记录</span>')
        caution = yoy_caution(value)
        change = (
            ""
            if value.change is None
            else format_html(' <span class="small text-warning-emphasis yoy-caution">（上年同期 {}，{}）</span>', _number(value.previous), caution)
            if caution
            else format_html(
                ' <span class="small {}">{}{}%</span>', "text-success" if value.change >= 0 else "text-danger", "+" if value.change >= 0 else "", value.change
            )
        )
        return format_html("{} {}{}", _number(value.value), ind.unit, change)
    if value.records == 0 and ind.type not in ("open_at",):
        return mark_safe('<span class="text-muted" title="统计期内没有相关记录">无记录</span>')
    if value.value is None:
        return mark_safe('<span class="text-muted">—</span>')
    text = format_html("{}{}", _number(value.value), ind.unit if ind.unit == "%" else " " + ind.unit)
    if value.small:
        return format_html(
            '{} <span class="badge text-bg-warning" title="分母仅 {} 件，少于 {} 件，比例仅供参考">样本少</span>', text, value.denominator, ind.min_denominator
        )
    return text


@register.filter
def parts(value: Value, ind: Indicator) -> str:
    if ind.type in ("ratio", "on_time") and value.denominator:
        return f"{_number(value.numerator)} / {_number(value.denominator)}"
    if ind.type == "yoy" and value.previous is not None:
        return f"上年同期 {_number(value.previous)}"
    return ""
