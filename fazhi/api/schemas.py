"""The API's schemas: fixed ones, and for every register, models built from its declaration (the
fields of its creation, of each step and of its corrections), so that the OpenAPI document says
exactly what each register takes and gives."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any, Literal

from django.db import models
from ninja import Schema
from pydantic import ConfigDict, Field, create_model

from fazhi.registers.framework.definition import Transition
from fazhi.registers.framework.registry import Register, model_field


class Problem(Schema):
    type: str = Field("about:blank", description="问题类型")
    title: str = Field(description="问题类别（中文）")
    status: int = Field(description="HTTP 状态码")
    detail: str = Field(description="说明（中文，与网页上的提示相同）")
    errors: dict[str, list[str]] | None = Field(None, description="按字段列出的错误（键为请求中的字段名）")


class UnitOut(Schema):
    id: int
    name: str


class StateOut(Schema):
    code: str
    label: str


class StepOut(Schema):
    code: str
    label: str
    required: list[str]
    optional: list[str]


class RegisterOut(Schema):
    code: str
    label: str
    states: list[StateOut]
    create: StepOut
    steps: list[StepOut]
    amendable: list[str]
    search: list[str] = Field(description="检索（q）覆盖的字段，另含案号")


class MatterSummary(Schema):
    id: int
    case_number: str
    unit: UnitOut
    state: str
    state_label: str
    received_on: dt.date
    due_on: dt.date | None
    closed_on: dt.date | None
    party: str | None = Field(None, description="当事人（申请人）")


class MatterPage(Schema):
    count: int = Field(description="符合条件的总数")
    next_after: int | None = Field(None, description="下一页：以此值作为 after 参数；为空表示没有下一页")
    results: list[MatterSummary]


class EventOut(Schema):
    id: int
    step: str
    step_label: str
    date: dt.date
    occurred_at: dt.datetime
    actor: str
    state_before: str
    state_after: str
    before: dict[str, Any]
    after: dict[str, Any]
    note: str


def _field_type(f: models.Field[Any, Any], *, choices: list[str] | None = None) -> Any:
    if choices:
        return Literal[tuple(choices)]  # type: ignore[valid-type]
    if isinstance(f, models.ForeignKey):
        return int
    if isinstance(f, models.BooleanField):
        return bool
    if isinstance(f, models.DateTimeField):
        return dt.datetime
    if isinstance(f, models.DateField):
        return dt.date
    if isinstance(f, models.IntegerField):
        return int
    if isinstance(f, models.DecimalField):
        return decimal.Decimal
    if isinstance(f, models.JSONField):
        return Any
    return str


def _choices(reg: Register, name: str, f: models.Field[Any, Any]) -> list[str] | None:
    if name == reg.definition.outcome_field:
        return list(reg.definition.outcomes)
    if f.choices:
        return [str(value) for value, _label in f.flatchoices]
    return None


def _input_field(reg: Register, name: str, required: bool) -> tuple[Any, Any]:
    f = model_field(reg.model, name)
    kind = _field_type(f, choices=_choices(reg, name, f))
    extra: dict[str, Any] = {"description": str(f.verbose_name) + ("（填对应记录的编号）" if isinstance(f, models.ForeignKey) else "")}
    if kind is str and getattr(f, "max_length", None):
        extra["max_length"] = f.max_length
    if kind is int and isinstance(f, models.PositiveIntegerField | models.PositiveSmallIntegerField | models.ForeignKey):
        extra["ge"] = 0 if not isinstance(f, models.ForeignKey) else 1
    if kind is int:
        extra.setdefault("ge", -(2**31))
        extra["le"] = 2**31 - 1
    if required and not isinstance(f, models.BooleanField):
        return kind, Field(..., **extra)
    return kind | None, Field(None, **extra)


FORBID = ConfigDict(extra="forbid")


def step_input(reg: Register, t: Transition, *, with_unit: bool = False) -> type[Schema]:
    """The body of a step: its required and optional fields, and a note (办理说明)."""
    fields: dict[str, Any] = {}
    if with_unit:
        fields["unit"] = (int, Field(..., ge=1, le=2**62, description="办理单位的编号"))
    for name in t.fields:
        fields[name] = _input_field(reg, name, True)
    for name in t.optional:
        fields[name] = _input_field(reg, name, False)
    fields["note"] = (str, Field("", max_length=2000, description="办理说明"))
    return _model(f"{_camel(reg.name)}{_camel(t.name)}In", fields)


def amend_input(reg: Register) -> type[Schema]:
    fields: dict[str, Any] = {name: _input_field(reg, name, False) for name in reg.definition.amendable}
    fields["reason"] = (str, Field(..., min_length=1, max_length=2000, description="更正理由"))
    return _model(f"{_camel(reg.name)}AmendIn", fields)


def _output_field(reg: Register, name: str) -> tuple[Any, Any]:
    f = model_field(reg.model, name)
    kind = _field_type(f)
    if kind is decimal.Decimal:
        kind = str  # as the site records it: a decimal written out
    if kind is Any:
        return Any, Field(None, description=str(f.verbose_name))
    return kind | None, Field(None, description=str(f.verbose_name))


def recorded_fields(reg: Register) -> list[str]:
    """The fields a register's declaration names (creation, steps, corrections), in the model's order."""
    d = reg.definition
    named = {*d.create.fields, *d.create.optional, *d.amendable}
    for t in d.transitions.values():
        named |= {*t.fields, *t.optional}
    return [f.name for f in reg.model._meta.concrete_fields if f.name in named]


def matter_output(reg: Register) -> type[Schema]:
    fields: dict[str, Any] = {name: _output_field(reg, name) for name in recorded_fields(reg)}
    values = _model(f"{_camel(reg.name)}Fields", fields, forbid=False)
    detail = {
        "fields": (values, Field(description="登记和办理中记录的信息")),
        "events": (list[EventOut], Field(description="办理经过（每一步一条，与审计日志一致）")),
        "steps_available": (list[str], Field(description="本接口账号现在可以办理的步骤")),
    }
    return create_model(f"{_camel(reg.name)}Matter", __base__=MatterSummary, **detail)  # type: ignore[call-overload, no-any-return]


def _model(name: str, fields: dict[str, Any], *, forbid: bool = True) -> type[Schema]:
    base = type(f"{name}Base", (Schema,), {"model_config": FORBID}) if forbid else Schema
    return create_model(name, __base__=base, **fields)


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))
