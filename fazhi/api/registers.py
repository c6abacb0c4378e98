"""The registers through the API: list (the site's filters), detail with the timeline, creation,
every step and corrections, each through the same services as the site (the same rules, events and
audit leaves), within the system account's units and roles and the client's scopes.

No ``from __future__ import annotations`` here: the endpoints are made per register in a loop, and
django-ninja reads their annotations as objects."""

import datetime as dt
from typing import Any, Literal

from django import forms
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import create_model

from fazhi.api.models import ApiClient
from fazhi.api.problems import ApiProblem, from_fazhi_error
from fazhi.api.schemas import (
    MatterPage,
    RegisterOut,
    amend_input,
    matter_output,
    recorded_fields,
    step_input,
)
from fazhi.core.errors import FazhiError
from fazhi.core.selectors import user_roles_for_unit, user_units_with_role
from fazhi.registers.framework import selectors
from fazhi.registers.framework.definition import Transition
from fazhi.registers.framework.forms import form_fit, transition_form_class
from fazhi.registers.framework.listing import list_access_record, list_filter, matter_access_record, matters_filtered
from fazhi.registers.framework.models import Matter
from fazhi.registers.framework.registry import REGISTRY, Register, model_field
from fazhi.registers.framework.services import json_value, matter_amend, matter_create, matter_transition

PAGE_MAX = 200


class MatterFilter(Schema):
    q: str | None = Field(None, max_length=100, description="检索：案号及台账声明的检索字段（当事人、文号等）")
    state: str | None = Field(None, max_length=40, description="状态代码（见台账说明）")
    unit: int | None = Field(None, ge=1, le=2**62, description="单位编号（含下级单位）")
    received_from: dt.date | None = Field(None, description="收到日期自")
    received_to: dt.date | None = Field(None, description="收到日期至")
    overdue: bool = Field(False, description="仅看逾期未办结")
    after: int | None = Field(None, ge=1, le=2**62, description="翻页：上一页返回的 next_after")
    limit: int = Field(50, ge=1, le=PAGE_MAX, description="每页条数")


def client_of(request: HttpRequest) -> ApiClient:
    client = getattr(request, "auth", None)
    assert isinstance(client, ApiClient)
    return client


def register_allowed(request: HttpRequest, reg: Register, *, write: bool = False) -> ApiClient:
    client = client_of(request)
    if client.registers and reg.name not in client.registers:
        raise ApiProblem(403, f"此接口账号无权访问{reg.definition.label}台账")
    if write and not client.can_write:
        raise ApiProblem(403, "此接口账号只能读取，不能登记、办理或更正")
    return client


def _labels(reg: Register) -> dict[str, str]:
    return {f.name: str(f.verbose_name) for f in reg.model._meta.concrete_fields} | {"unit": "办理单位", "note": "办理说明", "reason": "更正理由"}


def _form_data(values: dict[str, Any]) -> QueryDict:
    """JSON values as a form posts them, for the site's own form to validate."""
    data = QueryDict(mutable=True)
    for key, value in values.items():
        if value is None or value is False:
            continue
        data[key] = "on" if value is True else value.isoformat() if isinstance(value, dt.date) else str(value)
    return data


def _form_errors(form: forms.Form, labels: dict[str, str]) -> ApiProblem:
    errors: dict[str, list[str]] = {}
    for name, msgs in form.errors.items():
        label = labels.get(name, "")
        errors[name if name != "handling_unit" else "unit"] = [f"“{label}”{m}" if label and name != "__all__" else str(m) for m in msgs]
    return ApiProblem(422, "；".join(m for msgs in errors.values() for m in msgs), errors)


def _validated(request: HttpRequest, reg: Register, t: Transition, matter: Matter, values: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    """A step's (or a correction's) values checked by the site's own form for this matter."""
    form = transition_form_class(reg, t)(_form_data(values))
    form = form_fit(form, reg, t, user=request.user, units=[matter.unit], day=timezone.localdate(), matter=matter, widgets=False)
    if not form.is_valid():
        raise _form_errors(form, labels)
    return dict(form.cleaned_data)


def _write(service: Any) -> Any:
    """Run a service; its refusal becomes the API's problem (the same message, the right status)."""
    try:
        return service()
    except FazhiError as exc:
        raise from_fazhi_error(exc) from exc


def _matter(request: HttpRequest, reg: Register, pk: int) -> Matter:
    matter = selectors.matter_get_for(request.user, reg, pk) if 0 < pk < 2**62 else None
    if matter is None:
        raise ApiProblem(404, "案件不存在或您无权查看")
    return matter


def _summary(reg: Register, m: Matter) -> dict[str, Any]:
    state = reg.definition.states.get(m.state)
    party = reg.definition.party
    return {
        "id": m.pk,
        "case_number": m.case_number,
        "unit": {"id": m.unit_id, "name": m.unit.name},
        "state": m.state,
        "state_label": state.label if state else m.state,
        "received_on": m.received_on,
        "due_on": m.due_on,
        "closed_on": m.closed_on,
        "party": getattr(m, party) if party else None,
    }


def _detail(request: HttpRequest, reg: Register, m: Matter) -> dict[str, Any]:
    events = list(selectors.matter_events(m))
    labels = {t.name: t.label for t in reg.definition.transitions.values()} | {"register": "登记", "amend": "更正"} | reg.event_labels
    states = reg.definition.states
    done: dict[str, int] = {}
    for e in events:
        done[e.transition] = done.get(e.transition, 0) + 1
    fields = {}
    for name in recorded_fields(reg):
        value = json_value(getattr(m, model_field(reg.model, name).attname))
        fields[name] = value
    return _summary(reg, m) | {
        "fields": fields,
        "events": [
            {
                "id": e.pk,
                "step": e.transition,
                "step_label": labels.get(e.transition, e.transition),
                "date": e.event_date,
                "occurred_at": e.occurred_at,
                "actor": e.actor.get_full_name() or e.actor.first_name or e.actor.get_username(),
                "state_before": states[e.state_before].label if e.state_before in states else e.state_before,
                "state_after": states[e.state_after].label if e.state_after in states else e.state_after,
                "before": e.before,
                "after": e.after,
                "note": e.note,
            }
            for e in events
        ],
        "steps_available": [t.name for t in selectors.transitions_available(request.user, m, done=done)],
    }


def _step_refused(request: HttpRequest, reg: Register, m: Matter, t: Transition) -> ApiProblem:
    """Why a step not available now is refused, as the site says it."""
    if m.state not in t.sources:
        label = reg.definition.states[m.state].label
        return ApiProblem(409, f"案件 {m.case_number} 当前状态为“{label}”，不能执行“{t.label}”")
    if not user_roles_for_unit(request.user, m.unit) & set(t.roles):
        return ApiProblem(403, f"“{t.label}”需要的角色，此接口账号在{m.unit.name}没有")
    return ApiProblem(409, f"案件 {m.case_number} 现在不能执行“{t.label}”")


def _describe(reg: Register) -> dict[str, Any]:
    d = reg.definition

    def step(t: Transition) -> dict[str, Any]:
        return {"code": t.name, "label": t.label, "required": list(t.fields), "optional": list(t.optional)}

    return {
        "code": reg.name,
        "label": d.label,
        "states": [{"code": s.name, "label": s.label} for s in d.states.values()],
        "create": step(d.create),
        "steps": [step(t) for t in d.transitions.values()],
        "amendable": list(d.amendable),
        "search": list(d.search),
    }


def register_router(reg: Register, errors: dict[int, Any]) -> Router:
    """The endpoints of one register."""
    router = Router(tags=[f"{reg.definition.label}"])
    d = reg.definition
    labels = _labels(reg)
    detail_schema = matter_output(reg)
    read_errors = {k: v for k, v in errors.items() if k in (400, 401, 403, 404, 422, 429)}

    @router.get("/", response={200: RegisterOut, **read_errors}, operation_id=f"{reg.name}_describe", summary=f"{d.label}：台账说明（状态、步骤和字段）")
    def describe(request: HttpRequest) -> Any:
        register_allowed(request, reg)
        return _describe(reg)

    states = tuple(d.states)
    filter_schema = create_model(
        f"{reg.name.title().replace('_', '')}Filter",
        __base__=MatterFilter,
        state=(Literal[states] | None, Field(None, description="状态：" + "、".join(f"{s.name}（{s.label}）" for s in d.states.values()))),  # type: ignore[valid-type, arg-type]
    )

    @router.get("/matters", response={200: MatterPage, **read_errors}, operation_id=f"{reg.name}_list", summary=f"{d.label}：列表（与台账页面相同的筛选）")
    def matter_list(request: HttpRequest, filters: Query[filter_schema]) -> Any:  # type: ignore[valid-type]
        register_allowed(request, reg)
        values = filters.dict()  # type: ignore[attr-defined]
        limit, after = values.pop("limit"), values.pop("after")
        f = list_filter(_form_data(values), request.user, reg)
        if not f.is_valid():
            raise _form_errors(f, {n: str(fd.label) for n, fd in f.fields.items()})
        qs = matters_filtered(f, request.user, reg)
        total = qs.count()
        if after:
            qs = qs.filter(pk__lt=after)
        page = list(qs.order_by("-pk")[: limit + 1])
        more = len(page) > limit
        page = page[:limit]
        list_access_record(request.user, reg, f, page)
        return {"count": total, "next_after": page[-1].pk if more else None, "results": [_summary(reg, m) for m in page]}

    @router.get("/matters/{pk}", response={200: detail_schema, **read_errors}, operation_id=f"{reg.name}_detail", summary=f"{d.label}：一件案件及其办理经过")
    def matter_detail(request: HttpRequest, pk: int) -> Any:
        register_allowed(request, reg)
        matter = _matter(request, reg, pk)
        matter_access_record(request.user, reg, matter)
        return _detail(request, reg, matter)

    create_in = step_input(reg, d.create, with_unit=True)

    @router.post("/matters", response={201: detail_schema, **errors}, operation_id=f"{reg.name}_create", summary=f"{d.label}：{d.create.label}")
    def matter_new(request: HttpRequest, body: create_in) -> Any:  # type: ignore[valid-type]
        register_allowed(request, reg, write=True)
        values = body.dict()  # type: ignore[attr-defined]
        note = values.pop("note")
        units = user_units_with_role(request.user, d.create.roles)
        form_class = transition_form_class(reg, d.create)
        form_class = type("ApiNewForm", (form_class,), {"handling_unit": forms.ModelChoiceField(queryset=units)})
        values["handling_unit"] = values.pop("unit")
        form = form_fit(form_class(_form_data(values)), reg, d.create, user=request.user, units=list(units), day=timezone.localdate(), widgets=False)
        if not form.is_valid():
            raise _form_errors(form, labels | {"handling_unit": "办理单位"})
        data = {k: v for k, v in form.cleaned_data.items() if k != "handling_unit"}
        matter = _write(lambda: matter_create(register=reg.name, unit=form.cleaned_data["handling_unit"], actor=request.user, data=data, note=note))
        return Status(201, _detail(request, reg, _matter(request, reg, matter.pk)))

    for t in d.transitions.values():
        _step_endpoint(router, reg, t, detail_schema, errors, labels)

    amend_in = amend_input(reg)

    @router.post(
        "/matters/{pk}/amendments",
        response={200: detail_schema, **errors},
        operation_id=f"{reg.name}_amend",
        summary=f"{d.label}：更正登记信息（记录原值、新值和理由）",
    )
    def matter_amend_api(request: HttpRequest, pk: int, body: amend_in) -> Any:  # type: ignore[valid-type]
        register_allowed(request, reg, write=True)
        matter = _matter(request, reg, pk)
        given = body.dict(exclude_unset=True)  # type: ignore[attr-defined]
        reason = given.pop("reason")
        t = Transition(name="amend", label="更正", sources=(), target="", roles=d.amend_roles, fields=(), optional=d.amendable)
        current: dict[str, Any] = {n: getattr(matter, model_field(reg.model, n).attname) for n in d.amendable}
        cleaned = _validated(request, reg, t, matter, current | given, labels)
        _write(lambda: matter_amend(matter=matter, actor=request.user, changes={k: cleaned[k] for k in given}, reason=reason))
        return _detail(request, reg, _matter(request, reg, pk))

    return router


def _step_endpoint(router: Router, reg: Register, t: Transition, detail_schema: Any, errors: dict[int, Any], labels: dict[str, str]) -> None:
    body_schema = step_input(reg, t)

    @router.post(
        f"/matters/{{pk}}/steps/{t.name}",
        response={200: detail_schema, **errors},
        operation_id=f"{reg.name}_{t.name}",
        summary=f"{reg.definition.label}：{t.label}",
    )
    def step(request: HttpRequest, pk: int, body: body_schema) -> Any:  # type: ignore[valid-type]
        register_allowed(request, reg, write=True)
        matter = _matter(request, reg, pk)
        if t not in selectors.transitions_available(request.user, matter):
            raise _step_refused(request, reg, matter, t)
        values = body.dict()  # type: ignore[attr-defined]
        note = values.pop("note")
        cleaned = _validated(request, reg, t, matter, values, labels)
        _write(lambda: matter_transition(matter=matter, transition=t.name, actor=request.user, data=cleaned, note=note))
        return _detail(request, reg, _matter(request, reg, pk))


def registers_router(errors: dict[int, Any]) -> Router:
    router = Router()

    @router.get(
        "/",
        response={200: list[RegisterOut], **{k: v for k, v in errors.items() if k in (401, 429)}},
        operation_id="registers",
        summary="本接口账号可访问的台账",
    )
    def registers(request: HttpRequest) -> Any:
        client = client_of(request)
        return [_describe(r) for r in REGISTRY.values() if not client.registers or r.name in client.registers]

    for reg in REGISTRY.values():
        router.add_router(f"/{reg.name}", register_router(reg, errors))
    return router
