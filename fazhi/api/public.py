"""The indicators with their traces, and the published documents (annual reports, the list of
规范性文件), through the API. No ``from __future__ import annotations``: django-ninja reads the
annotations as objects."""

import datetime as dt
import decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from fazhi.api.problems import ApiProblem
from fazhi.api.schemas import UnitOut
from fazhi.indicators.catalogue import catalogue
from fazhi.indicators.engine import Computation, yoy_caution
from fazhi.indicators.views import InvalidQuery, indicator_scope, indicator_traced, role_tables
from fazhi.registers.framework.services import json_value
from fazhi.registers.normative_docs.catalogue import IN_FORCE, STATUS
from fazhi.registers.normative_docs.catalogue import catalogue as normative_catalogue
from fazhi.reports.models import Report

TRACE_MAX = 500


class PeriodQuery(Schema):
    unit: int | None = Field(None, ge=1, le=2**62, description="单位编号（默认：本接口账号所在的最高一级单位）")
    year: int | None = Field(None, ge=2000, le=2100, description="年度（默认：今年）")
    quarter: int | None = Field(None, ge=1, le=4, description="季度")
    month: int | None = Field(None, ge=1, le=12, description="月份")
    start: dt.date | None = Field(None, description="自定义期间自（与 end 同时填写）")
    end: dt.date | None = Field(None, description="自定义期间至")


class PeriodOut(Schema):
    start: dt.date
    end: dt.date
    label: str


class ValueOut(Schema):
    code: str
    name: str
    section: str
    measure_unit: str = Field(description="计量单位")
    value: str | None = Field(description="数值（十进制数字写成文字，无记录时为空）")
    numerator: str | None
    denominator: int | None
    records: int = Field(description="数值背后的记录数（比例为分母）")
    small: bool = Field(description="分母少于该指标的最小值，比例仅供参考")
    previous: str | None = Field(description="上年同期（同比指标）")
    change: str | None = Field(description="增减百分比（同比指标）")
    caution: str = Field(description="同比不宜直接比较时的说明")


class IndicatorsOut(Schema):
    unit: UnitOut
    period: PeriodOut
    values: list[ValueOut]


class TraceRow(Schema):
    id: int
    cells: list[Any]


class TraceRole(Schema):
    role: str
    label: str
    total: int
    headings: list[str]
    rows: list[TraceRow]


class TraceOut(Schema):
    indicator: ValueOut
    unit: UnitOut
    period: PeriodOut
    formula: str
    source: str
    roles: list[TraceRole]


class TraceQuery(PeriodQuery):
    limit: int = Field(100, ge=1, le=TRACE_MAX, description="每类记录最多列出的条数")


class ReportOut(Schema):
    id: int
    unit: UnitOut
    kind: str
    kind_label: str
    year: int
    title: str
    published_at: dt.datetime | None
    version: int
    sha256: str = Field(description="公开版本内容的 SHA-256（可与网站上的报告核对）")


class ReportDetail(ReportOut):
    content: dict[str, Any]


class NormativeOut(Schema):
    id: int
    doc_number: str
    title: str
    issuing_body: str
    published_on: dt.date
    effective_on: dt.date | None
    valid_until: dt.date | None
    filed_on: dt.date | None
    status: str
    status_label: str


class NormativeQuery(Schema):
    as_of: dt.date | None = Field(None, description="截至日期（默认今天）")
    status: str | None = Field(None, description="状态：" + "、".join(f"{k}（{v}）" for k, v in STATUS.items()) + "；all 为全部；默认现行有效")
    q: str | None = Field(None, max_length=100, description="检索文号或名称")


def _text(v: Any) -> str | None:
    return None if v is None else str(v)


def _value(code: str, v: Any) -> dict[str, Any]:
    ind = catalogue()[code]
    return {
        "code": code,
        "name": ind.name,
        "section": ind.section,
        "measure_unit": ind.unit,
        "value": _text(v.value),
        "numerator": _text(v.numerator),
        "denominator": v.denominator,
        "records": v.records,
        "small": v.small,
        "previous": _text(v.previous),
        "change": _text(v.change),
        "caution": yoy_caution(v),
    }


def _scope(call: Any, *args: Any) -> Any:
    try:
        return call(*args)
    except InvalidQuery as exc:
        raise ApiProblem(422, exc.message) from exc
    except Http404 as exc:
        raise ApiProblem(404, str(exc) or "没有可查看的单位") from exc


def indicators_router(errors: dict[int, Any]) -> Router:
    router = Router(tags=["指标"])
    read = {k: v for k, v in errors.items() if k in (401, 404, 422, 429)}

    @router.get("/", response={200: IndicatorsOut, **read}, operation_id="indicators", summary="一个单位一个期间的全部指标（与驾驶舱相同的口径）")
    def indicators(request: HttpRequest, period: Query[PeriodQuery]) -> Any:
        _form, unit, p, _params = _scope(indicator_scope, request)
        values = Computation(p, within=unit).values([unit.pk])
        return {
            "unit": {"id": unit.pk, "name": unit.name},
            "period": {"start": p.start, "end": p.end, "label": p.label},
            "values": [_value(code, col[unit.pk]) for code, col in values.items()],
        }

    @router.get("/{code}/trace", response={200: TraceOut, **read}, operation_id="indicator_trace", summary="一个指标数值背后的记录（追溯）")
    def trace(request: HttpRequest, code: str, query: Query[TraceQuery]) -> Any:
        if code not in catalogue():
            raise ApiProblem(404, "没有这个指标")
        ind, unit, p, _params, value, overdue = _scope(indicator_traced, request, code)
        base = catalogue()[ind.of] if ind.type == "yoy" else ind
        roles = [
            {
                "role": t.role,
                "label": t.label,
                "total": t.total,
                "headings": t.heads,
                "rows": [{"id": r.pk, "cells": [json_value(c) if not isinstance(c, decimal.Decimal) else str(c) for c in r.cells]} for r in t.records],
            }
            for t in role_tables(ind, unit, p, query.limit, overdue)
        ]
        return {
            "indicator": _value(code, value),
            "unit": {"id": unit.pk, "name": unit.name},
            "period": {"start": p.start, "end": p.end, "label": p.label},
            "formula": base.formula,
            "source": base.source,
            "roles": roles,
        }

    return router


def _report(r: Report, *, content: bool = False) -> dict[str, Any]:
    v = r.published_version
    assert v is not None
    out = {
        "id": r.pk,
        "unit": {"id": r.unit_id, "name": r.unit.name},
        "kind": r.kind,
        "kind_label": r.get_kind_display(),
        "year": r.year,
        "title": v.content.get("title", str(r)),
        "published_at": r.published_at,
        "version": v.number,
        "sha256": v.sha256,
    }
    if content:
        out["content"] = v.content
    return out


def published_router(errors: dict[int, Any]) -> Router:
    router = Router(tags=["公开内容"])
    read = {k: v for k, v in errors.items() if k in (401, 404, 422, 429)}

    @router.get("/reports", response={200: list[ReportOut], **read}, operation_id="published_reports", summary="已公开的年度报告")
    def reports(request: HttpRequest) -> Any:
        qs = Report.objects.filter(published_version__isnull=False).select_related("unit", "published_version").order_by("-year", "unit__path")
        return [_report(r) for r in qs]

    @router.get("/reports/{pk}", response={200: ReportDetail, **read}, operation_id="published_report", summary="一份已公开的年度报告（全文与校验值）")
    def report(request: HttpRequest, pk: int) -> Any:
        r = Report.objects.filter(pk=pk, published_version__isnull=False).select_related("unit", "published_version").first() if 0 < pk < 2**62 else None
        if r is None:
            raise ApiProblem(404, "报告不存在或尚未公开")
        return _report(r, content=True)

    @router.get("/normative", response={200: list[NormativeOut], **read}, operation_id="published_normative", summary="规范性文件目录（某日的状态）")
    def normative(request: HttpRequest, query: Query[NormativeQuery]) -> Any:
        today = timezone.localdate()
        day = query.as_of or today
        if day > today:
            raise ApiProblem(422, "“截至日期”不能晚于今天", {"as_of": ["“截至日期”不能晚于今天"]})
        status = query.status or IN_FORCE
        if status != "all" and status not in STATUS:
            raise ApiProblem(422, "“状态”不在可选范围内", {"status": ["“状态”不在可选范围内"]})
        entries = normative_catalogue(day, status="" if status == "all" else status, query=(query.q or "").strip())
        return [
            {
                "id": e.doc.pk,
                "doc_number": e.doc_number,
                "title": e.doc.title,
                "issuing_body": e.doc.issuing_body,
                "published_on": e.published_on,
                "effective_on": e.effective_on,
                "valid_until": e.valid_until,
                "filed_on": e.filed_on,
                "status": e.status,
                "status_label": e.status_label,
            }
            for e in entries
        ]

    return router
