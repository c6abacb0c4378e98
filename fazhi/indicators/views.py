"""Staff pages of the indicators: the dashboard (领导驾驶舱), the catalogue for a unit and period,
and the trace of every value down to the records, exportable to xlsx."""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import html
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from fazhi.core.http import xlsx_response
from fazhi.core.models import Unit
from fazhi.core.pagecache import RECORDS, cached
from fazhi.core.selectors import unit_scope_q, units_visible_to, user_can_see_unit, user_memberships, user_scope_paths
from fazhi.indicators.catalogue import Indicator, catalogue, is_table, source_label, source_model, unit_path
from fazhi.indicators.dashboard import layout, monthly, ranking
from fazhi.indicators.engine import Computation, Period, Value, trace
from fazhi.indicators.tables import TABLES, cell
from fazhi.registers.framework import selectors
from fazhi.registers.framework.ledger import xlsx_bytes
from fazhi.registers.framework.registry import REGISTRY

ROLE_LABELS = {
    "value": "计入的记录",
    "numerator": "分子",
    "denominator": "分母",
    "outside": "分母中未计入分子的记录",
    "overdue": "期末尚未办结且已超期（计为未按期）",
}


def roles_of(ind: Indicator, unit: Unit, period: Period, overdue: QuerySet[Any] | None = None) -> dict[str, QuerySet[Any]]:
    """The trace's querysets; for a share, first the records of the denominator that the
    numerator leaves out (for an on-time share: the late ones, the open overdue ones among them,
    also listed apart), the reason a share is not 100%."""
    roles = trace(ind, unit, period, overdue)
    if "numerator" in roles and "denominator" in roles:
        outside = roles["denominator"].exclude(pk__in=roles["numerator"].values("pk"))
        late = {"overdue": roles["overdue"]} if "overdue" in roles else {}
        return {"outside": outside, **late, "numerator": roles["numerator"], "denominator": roles["denominator"]}
    return roles


TRACE_PAGE = 200
TRACE_EXPORT_LIMIT = 200_000


class InvalidQuery(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def explained(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Invalid statistics parameters get a page that says what is wrong (400), not a server error."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except InvalidQuery as exc:
            return render(request, "indicators/invalid.html", {"message": exc.message}, status=400)

    return wrapper


class PeriodForm(forms.Form):
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.none(), required=False)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(
        label="季度", coerce=int, required=False, empty_value=None, choices=[("", "全年")] + [(q, f"第{q}季度") for q in range(1, 5)]
    )
    month = forms.TypedChoiceField(label="月份", coerce=int, required=False, empty_value=None, choices=[("", "—")] + [(m, f"{m}月") for m in range(1, 13)])
    start = forms.DateField(label="自", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("start")) != bool(data.get("end")):
            raise forms.ValidationError("自定义期间需同时填写起止日期")
        if data.get("start") and data["start"] > data["end"]:
            raise forms.ValidationError("起始日期晚于截止日期")
        if data.get("start") and (data["end"] - data["start"]).days > 3660:
            raise forms.ValidationError("自定义期间不能超过十年")
        return data


def indicator_scope(request: HttpRequest) -> tuple[PeriodForm, Unit, Period, dict[str, str]]:
    """The unit (visible to the user; by default the highest one they reach) and the period asked for."""
    form = PeriodForm(request.GET or None)
    unit_field = form.fields["unit"]
    assert isinstance(unit_field, forms.ModelChoiceField)
    unit_field.queryset = units_visible_to(request.user)
    today = timezone.localdate()
    if request.GET and not form.is_valid():
        raise InvalidQuery(
            "统计条件无效：" + "；".join(f"{form.fields[k].label if k in form.fields else '期间'}：{e}" for k, errs in form.errors.items() for e in errs)
        )
    data = form.cleaned_data if request.GET else {}
    unit = data.get("unit")
    if unit is None:
        paths = user_scope_paths(request.user)
        unit = Unit.objects.filter(path__in=paths).order_by("path").first() if paths else None
    if unit is None or not user_can_see_unit(request.user, unit):
        raise Http404("没有可查看的单位")
    year = data.get("year") or today.year
    params = {"year": str(year)}
    if data.get("start"):
        period = Period(data["start"], data["end"], f"{data['start']:%Y年%m月%d日}至{data['end']:%Y年%m月%d日}")
        params = {"start": data["start"].isoformat(), "end": data["end"].isoformat()}
    elif data.get("month"):
        period = Period.month(year, data["month"])
        params["month"] = str(data["month"])
    elif data.get("quarter"):
        period = Period.quarter(year, data["quarter"])
        params["quarter"] = str(data["quarter"])
    else:
        period = Period.year(year)
    # the form as asked, with the unit and year it resolved to
    initial = {k: data.get(k) for k in ("quarter", "month", "start", "end")} | {"unit": unit.pk, "year": year}
    form = PeriodForm(initial=initial)
    form.fields["unit"] = unit_field
    for field in form.fields.values():
        field.widget.attrs.setdefault("class", "form-select form-select-sm" if isinstance(field, forms.ChoiceField) else "form-control form-control-sm")
    return form, unit, period, params


def _query(unit: Unit | None, params: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(({"unit": unit.pk} if unit else {}) | params)


def _overdue(user: Any, unit: Unit, today: dt.date) -> list[dict[str, Any]]:
    out = []
    for reg in REGISTRY.values():
        qs = selectors.matters_visible_to(user, reg).filter(unit__path__startswith=unit.path, state__in=reg.definition.open_states(), due_on__lt=today)
        n = qs.count()
        if n:
            url = reverse("matter_list", args=[reg.name]) + f"?unit={unit.pk}&overdue=on"
            out.append({"label": reg.definition.label, "count": n, "url": url})
    return out


def _overdue_cached(user: Any, unit: Unit, today: dt.date) -> list[dict[str, Any]]:
    """The overdue counts of the matters the user sees in the unit's subtree: cached per (the
    user's units and roles, unit, day) until the next write of a matter (fazhi/core/pagecache.py)."""
    memberships = tuple(sorted((m.unit_id, m.unit.path, m.role) for m in user_memberships(user)))
    return cached(RECORDS, ("overdue", memberships, unit.pk, unit.path, today), lambda: _overdue(user, unit, today))


def _jsonable(v: Any) -> Any:
    return float(v) if isinstance(v, decimal.Decimal) else v


def _figures(unit: Unit, period: Period, today: dt.date, query: str, pquery: str) -> dict[str, str]:
    """The dashboard's figures for one unit and period, rendered: the key figures, the monthly
    trends, the rankings of the units below and every indicator. They depend on the unit, the
    period and today's date (open matters past their deadline), never on who looks: cached until
    the next write that changes them (fazhi/core/pagecache.py)."""
    cat = catalogue()
    lay = layout()
    children = list(Unit.objects.filter(parent=unit).order_by("path"))
    values = Computation(period, within=unit).values([unit.pk] + [c.pk for c in children])
    mine = {code: col[unit.pk] for code, col in values.items()}
    # the key figures a year earlier, for those that are not already a year-over-year comparison
    plain = [c for c in lay.key if cat[c].type != "yoy"]
    before = Computation(period.year_before(), plain, within=unit).values([unit.pk]) if plain else {}
    earlier = {c: before[c][unit.pk] for c in plain}
    sections: dict[str, list[tuple[Indicator, Value]]] = {}
    for code, ind in cat.items():
        sections.setdefault(ind.section, []).append((ind, mine[code]))
    ranked = [ranking(cat[code], better, children, values[code]) for code, better in lay.rank] if children else []
    trends = monthly(unit, period.start.year, lay.trend, min(period.end, today))
    chart = {
        "months": [f"{m}月" for m in range(1, 13)],
        "series": [{"name": cat[c].name, "data": [_jsonable(v) for v in trends[c]]} for c in lay.trend],
    }
    context = {"query": query, "pquery": pquery, "key": [(cat[c], mine[c], earlier.get(c)) for c in lay.key], "sections": sections, "ranked": ranked}
    return {
        "key": render_to_string("indicators/_dashboard_key.html", context),
        "rest": render_to_string("indicators/_dashboard_rest.html", context),
        "chart_json": json.dumps(chart, ensure_ascii=False),
    }


@login_required
@explained
def dashboard(request: HttpRequest) -> HttpResponse:
    form, unit, period, params = indicator_scope(request)
    today = timezone.localdate()
    query, pquery = _query(unit, params), _query(None, params)
    parts = ("dashboard", unit.pk, period.start, period.end, period.label, today, query)
    figures = cached(RECORDS, parts, lambda: _figures(unit, period, today, query, pquery))
    return render(
        request,
        "indicators/dashboard.html",
        {
            "form": form,
            "unit": unit,
            "period": period,
            "pquery": pquery,
            "figures": {"key": mark_safe(figures["key"]), "rest": mark_safe(figures["rest"]), "chart_json": figures["chart_json"]},
            "overdue": _overdue_cached(request.user, unit, today),
            "children": Unit.objects.filter(parent=unit).order_by("path"),
        },
    )


def _indicator(code: str) -> Indicator:
    ind = catalogue().get(code)
    if ind is None:
        raise Http404("没有这个指标")
    return ind


@dataclass
class Record:
    cells: list[Any]
    url: str | None
    pk: int


def listing(source: str, qs: QuerySet[Any], limit: int) -> tuple[list[str], Iterator[Record]]:
    """The headings and rows a trace shows for the records of a register or a table."""
    if is_table(source):
        table = TABLES[source]
        unit_attr = table.unit.replace("__", ".") + ".name"
        rows = qs.select_related(table.unit).order_by("pk")[:limit].iterator(chunk_size=2000)
        heads = [h for h, _ in table.columns] + ["所属单位"]
        return heads, (Record([cell(r, a) for _, a in table.columns] + [cell(r, unit_attr)], None, r.pk) for r in rows)
    reg = REGISTRY[source]

    def state_label(name: str) -> str:
        s = reg.definition.states.get(name)
        return s.label if s else name

    # only the columns shown, read as values: no model instance, no decryption of the fields a
    # trace does not show, one reverse() for every row's link
    # ordered by an expression, not the column: with a LIMIT, PostgreSQL otherwise walks the whole
    # received_on index in order, filtering, whenever it misjudges how few rows match (the open
    # cases at a period's end: 3.1 s on the city's 6 million cases, 59 ms this way)
    received = Coalesce("received_on", "received_on")
    rows = qs.order_by(received, "pk").values_list("pk", "case_number", "unit__name", "received_on", "state")[:limit].iterator(chunk_size=2000)
    head, _, tail = reverse("matter_detail", args=[source, 999999999]).partition("999999999")
    heads = ["案号", "办理单位", "收到（立案）日期", "状态"]
    return heads, (Record([number, unit_name, received_on, state_label(s)], f"{head}{pk}{tail}", pk) for pk, number, unit_name, received_on, s in rows)


# Up to this many records a role's ids and sort keys are read once (its total counted here, its
# page read by id); beyond, it is counted in SQL and its page read with ORDER BY ... LIMIT, so that
# a trace over a whole city's millions of cases never holds them in memory.
KEYS_AT_MOST = 50_000


def _keys(source: str, qs: QuerySet[Any]) -> list[tuple[Any, int]] | None:
    """(sort key, pk) of every record of ``qs`` in the order ``listing`` shows them, or None when
    there are more than KEYS_AT_MOST."""
    if is_table(source):
        rows = [(pk, pk) for pk in qs.order_by().values_list("pk", flat=True)[: KEYS_AT_MOST + 1]]
    else:
        rows = list(qs.order_by().values_list("received_on", "pk")[: KEYS_AT_MOST + 1])
    if len(rows) > KEYS_AT_MOST:
        return None
    rows.sort()
    return rows


@dataclass
class RoleTable:
    role: str
    label: str
    total: int
    heads: list[str]
    records: list[Record]


def role_tables(ind: Indicator, unit: Unit, period: Period, limit: int, overdue: QuerySet[Any] | None = None) -> list[RoleTable]:
    """Each role of the trace with its total and its first ``limit`` records (the trace page and
    the API). One scan of the records a role (numerator, denominator), not a COUNT and an ORDER BY
    ... LIMIT each; the records of the denominator the numerator leaves out are taken from those
    two in Python rather than by a third and fourth scan."""
    base = catalogue()[ind.of] if ind.type == "yoy" else ind
    roles = roles_of(ind, unit, period, overdue)
    keys = {role: _keys(base.register, qs) for role, qs in roles.items() if role != "outside"}
    if "outside" in roles:
        num, den = keys["numerator"], keys["denominator"]
        if num is not None and den is not None:
            counted = {pk for _, pk in num}
            keys["outside"] = [k for k in den if k[1] not in counted]
        else:
            keys["outside"] = _keys(base.register, roles["outside"])
    manager = source_model(base.register)._default_manager
    out = []
    for role, qs in roles.items():
        found = keys[role]
        if found is None:
            total, page = qs.count(), qs
        else:
            total, page = len(found), manager.filter(pk__in=[pk for _, pk in found[:limit]])
        heads, records = listing(base.register, page, limit)
        out.append(RoleTable(role, ROLE_LABELS.get(role, role), total, heads, list(records)))
    return out


def visible_part(user: Any, source: str, qs: QuerySet[Any]) -> QuerySet[Any]:
    """The records of ``qs`` in the units the user reaches: a list of records never shows
    another unit's (a district's figure is counted over every unit, listed over the user's)."""
    return qs.filter(unit_scope_q(user_scope_paths(user), f"{unit_path(source)}__path"))


def value_traced(ind: Indicator, unit: Unit, period: Period) -> tuple[Value, QuerySet[Any] | None]:
    """The value being traced, and for an on-time share the open overdue matters its computation
    read (given to the trace's roles, not read again)."""
    computed = Computation(period, [ind.code], within=unit)
    value = computed.values([unit.pk])[ind.code][unit.pk]
    base = catalogue()[ind.of] if ind.type == "yoy" else ind
    return value, computed.overdue.get((base.code, period))


def indicator_traced(request: HttpRequest, code: str) -> tuple[Indicator, Unit, Period, dict[str, str], Value, QuerySet[Any] | None]:
    """The indicator, unit and period asked for, the value being traced and its overdue matters (``value_traced``)."""
    ind = _indicator(code)
    _form, unit, period, params = indicator_scope(request)
    return ind, unit, period, params, *value_traced(ind, unit, period)


def _shown(value: Any) -> str:
    """A value as a template shows it (localized, escaped)."""
    if type(value) is str:  # localize() returns a string as it is; escaped as escape() does
        return html.escape(value)
    return str(conditional_escape(localize(value)))


def _cell(value: Any) -> Any:
    """As the ``cell`` filter of the staff pages (fazhi/web/templatetags/fazhi.py, a layer above) shows a value."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)  # as a template does before its date filter
    if isinstance(value, dt.datetime):
        return value.date().isoformat()  # as date_format(value, "Y-m-d"), without the format parser
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _records_html(rows: list[Any]) -> SafeString:
    """The rows of a trace's table (up to TRACE_PAGE records of a few cells each), built here
    rather than by template loops: the record's number links to its page, the other cells read
    as ``cell`` shows them (a date as 2026-01-31, yes/no as 是/否, nothing as —)."""
    out = []
    for rec in rows:
        tds = []
        for i, c in enumerate(rec.cells):
            if i == 0 and rec.url:
                tds.append(f'<td><a href="{conditional_escape(rec.url)}">{_shown(c)}</a></td>')
            else:
                tds.append(f"<td>{_shown(_cell(c))}</td>")
        out.append("<tr>" + "".join(tds) + "</tr>\n")
    return mark_safe("".join(out))  # every value escaped above


def _trace_body(ind: Indicator, unit: Unit, period: Period, params: dict[str, str], value: Value, overdue: QuerySet[Any] | None = None) -> str:
    """The trace rendered: the definition, the value and the records of each role. It depends on
    the indicator, the unit, the period and today's date (open overdue matters), never on who
    looks: cached until the next write that changes it (fazhi/core/pagecache.py)."""
    base = catalogue()[ind.of] if ind.type == "yoy" else ind
    roles = [
        {
            "role": t.role,
            "label": t.label,
            "total": t.total,
            "heads": t.heads,
            "rows": t.records,
            "body": _records_html(t.records),
            "more": t.total > TRACE_PAGE,
        }
        for t in role_tables(ind, unit, period, TRACE_PAGE, overdue)
    ]
    previous = None
    if ind.type == "yoy":
        before = period.year_before()
        previous = {"period": before, "query": _query(unit, {"start": before.start.isoformat(), "end": before.end.isoformat()})}
    context = {
        "ind": ind,
        "base": base,
        "unit": unit,
        "period": period,
        "value": value,
        "roles": roles,
        "source": source_label(base.register),
        "query": _query(unit, params),
        "previous": previous,
    }
    return render_to_string("indicators/_trace_body.html", context)


@login_required
@explained
def trace_page(request: HttpRequest, code: str) -> HttpResponse:
    ind = _indicator(code)
    _form, unit, period, params = indicator_scope(request)
    parts = ("trace", code, unit.pk, period.start, period.end, period.label, timezone.localdate(), _query(unit, params))

    def compute() -> str:
        return _trace_body(ind, unit, period, params, *value_traced(ind, unit, period))

    body = cached(RECORDS, parts, compute)
    return render(request, "indicators/trace.html", {"ind": ind, "unit": unit, "body": mark_safe(body)})


def trace_rows(ind: Indicator, unit: Unit, period: Period, value: Value, overdue: QuerySet[Any] | None = None) -> list[tuple[str, list[list[Any]]]]:
    """The trace as workbook sheets: the definition and value, then one sheet per role (``overdue``: as ``value_traced`` gave them)."""
    base = catalogue()[ind.of] if ind.type == "yoy" else ind
    head = [
        ["项目", "内容"],
        ["指标", f"{ind.code} {ind.name}"],
        ["单位", unit.name],
        ["统计期间", f"{period.start:%Y-%m-%d} 至 {period.end:%Y-%m-%d}"],
        ["数值", _jsonable(value.value)],
        ["计量单位", ind.unit],
        ["口径", base.formula],
        ["依据", base.source],
        ["口径说明（地区差异）", base.variant],
    ]
    if value.numerator is not None:
        head += [["分子", _jsonable(value.numerator)], ["分母", value.denominator]]
    if value.small:
        head.append(["提示", f"分母少于 {ind.min_denominator} 件，比例仅供参考"])
    if value.previous is not None:
        head += [["上年同期", _jsonable(value.previous)], ["增减（%）", _jsonable(value.change)]]
    sheets = [("定义", head)]
    for role, qs in roles_of(ind, unit, period, overdue).items():
        heads, records = listing(base.register, qs, TRACE_EXPORT_LIMIT)
        rows: list[list[Any]] = [["序号", *heads, "记录编号"]]
        for i, record in enumerate(records, start=1):
            rows.append([i, *(_jsonable(c) for c in record.cells), record.pk])
        if len(rows) > TRACE_EXPORT_LIMIT:
            rows.append(["", f"仅导出前 {TRACE_EXPORT_LIMIT} 条，请缩小单位或期间"])
        sheets.append((ROLE_LABELS.get(role, role), rows))
    return sheets


@login_required
@explained
def trace_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    ind, unit, period, _params, value, overdue = indicator_traced(request, code)
    content = xlsx_bytes(trace_rows(ind, unit, period, value, overdue))
    return xlsx_response(content, f"指标溯源-{ind.name}-{unit.name}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx")
