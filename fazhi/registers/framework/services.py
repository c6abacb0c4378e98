"""The one service that changes matters: create, transition, amend.

Whatever the path (web form, admin, API, import, command), a change goes through here: the
declaration is checked, then the actor's role and unit, then the change, its append-only event
and its audit leaf are written in one transaction.
"""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from fazhi.audit.services import audit_append, audit_deferred
from fazhi.core.errors import FazhiError, PermissionDenied, TransitionNotAllowed, ValidationFailed
from fazhi.core.models import Unit
from fazhi.core.selectors import role_labels, user_has_role, user_roles_for_unit
from fazhi.core.types import Actor, actor_row
from fazhi.law.clocks import ExtensionNotAllowed, NoRuleInForce
from fazhi.registers.framework.clocks import matter_refresh_due
from fazhi.registers.framework.definition import CREATE, SAME, Transition
from fazhi.registers.framework.events import event_leaf_bytes
from fazhi.registers.framework.models import CaseNumberSequence, Matter, MatterEvent
from fazhi.registers.framework.registry import Register, model_field, register_get, register_of


def json_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, float):
        return str(value)
    return value


def case_number_next(*, register: Register, unit: Unit, year: int) -> tuple[int, str]:
    """Next number in the register's sequence for this unit and year, inside the caller's transaction.

    The row lock serialises concurrent creators; because the increment commits or rolls back
    with the matter itself, the numbers stay gap-free.
    """
    try:
        with transaction.atomic():
            CaseNumberSequence.objects.get_or_create(register=register.name, unit=unit, year=year)
    except IntegrityError:
        pass  # another transaction created it first; lock it below
    seq = CaseNumberSequence.objects.select_for_update().get(register=register.name, unit=unit, year=year)
    seq.last_value += 1
    seq.save(update_fields=["last_value"])
    number = register.definition.case_number_template.format(unit_short=unit.short_name, year=year, seq=seq.last_value)
    return seq.last_value, number


def _clean_fields(reg: Register, matter: Matter, t: Transition, data: dict[str, Any]) -> dict[str, Any]:
    """Convert and validate the submitted values of a transition's declared fields."""
    allowed = set(t.fields) | set(t.optional)
    errors: dict[str, list[str]] = {}
    for key in data:
        if key not in allowed:
            errors.setdefault(key, []).append("此步骤不接受该字段")
    cleaned: dict[str, Any] = {}
    for name in (*t.fields, *t.optional):
        f = model_field(reg.model, name)
        raw = data.get(name)
        if isinstance(raw, models.Model):  # a form's ModelChoiceField gives the instance
            raw = raw.pk
        if raw in (None, "") and name in t.fields and not isinstance(f, models.BooleanField):
            errors.setdefault(name, []).append(f"“{f.verbose_name}”为必填项")
            continue
        if raw in (None, "") and name not in data:
            continue
        try:
            cleaned[name] = f.clean(raw if raw != "" else f.get_default(), matter)
        except ValidationError as exc:
            errors.setdefault(name, []).extend(f"“{f.verbose_name}”：{m}" for m in exc.messages)
    if reg.definition.outcome_field and reg.definition.outcome_field in cleaned:
        code = cleaned[reg.definition.outcome_field]
        if code and code not in reg.definition.outcomes:
            errors.setdefault(reg.definition.outcome_field, []).append(f"未知的决定类型 {code!r}")
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def _check_role(actor: Actor, unit: Unit, roles: tuple[str, ...], what: str) -> None:
    if user_has_role(actor, unit, roles):
        return
    if not user_roles_for_unit(actor, unit):
        raise PermissionDenied(f"您无权办理{unit.name}的事项")
    raise PermissionDenied(f"“{what}”需要以下角色之一：{role_labels(roles)}；您在{unit.name}的角色不符")


def _snapshot(matter: Matter, names: list[str]) -> dict[str, Any]:
    return {n: json_value(getattr(matter, n if not isinstance(model_field(type(matter), n), models.ForeignKey) else f"{n}_id")) for n in names}


def _write_event(
    *,
    reg: Register,
    matter: Matter,
    transition: str,
    actor: Actor,
    event_date: dt.date,
    state_before: str,
    before: dict[str, Any],
    after: dict[str, Any],
    note: str,
) -> MatterEvent:
    from django.contrib.contenttypes.models import ContentType

    event = MatterEvent.objects.create(
        content_type=ContentType.objects.get_for_model(reg.model),
        object_id=matter.pk,
        register=reg.name,
        case_number=matter.case_number,
        transition=transition,
        actor=actor_row(actor),
        unit=matter.unit,
        occurred_at=timezone.now(),
        event_date=event_date,
        state_before=state_before,
        state_after=matter.state,
        before=before,
        after=after,
        note=note,
    )
    audit_append(source="matter_event", source_id=event.pk, data=event_leaf_bytes(event))
    return event


def _assign(matter: Matter, values: dict[str, Any]) -> None:
    for name, value in values.items():
        f = model_field(type(matter), name)
        if isinstance(f, models.ForeignKey) and not isinstance(value, models.Model):
            setattr(matter, f.attname, value)
        else:
            setattr(matter, name, value)


def _full_clean(matter: Matter, names: list[str]) -> None:
    exclude = [f.name for f in matter._meta.fields if f.name not in names]
    try:
        matter.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        raise ValidationFailed({k: list(v) for k, v in exc.message_dict.items()}) from exc


@transaction.atomic
def matter_create(
    *, register: str, unit: Unit, actor: Actor, data: dict[str, Any], carried_in: bool = False, note: str = "", imported_number: str = ""
) -> Matter:
    """Register a matter. ``imported_number``: the case number a ledger import brings (its caller,
    the importer, has checked the actor's right to the unit and waives the per-step roles)."""
    reg = register_get(register)
    t = reg.definition.create
    if not imported_number:
        _check_role(actor, unit, t.roles, t.label)
    return _create(reg, t, unit=unit, actor=actor, data=data, fixed={"carried_in": carried_in}, note=note, imported_number=imported_number)


PORTAL_USERNAME = "portal"


def system_user(username: str, name: str) -> Any:
    """An account recorded as the actor of what no person signs in for (it cannot log in)."""
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(username=username, defaults={"first_name": name, "is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def portal_user() -> Any:
    """The actor of what the public submits on the portal."""
    return system_user(PORTAL_USERNAME, "公众（网上申请）")


@transaction.atomic
def matter_create_public(*, register: str, unit: Unit, data: dict[str, Any], fixed: dict[str, Any]) -> Matter:
    """A matter submitted by a member of the public: only the fields ``public_create`` declares."""
    reg = register_get(register)
    t = reg.definition.public_create
    if t is None:
        raise PermissionDenied(f"{reg.definition.label}不接受网上申请")
    return _create(reg, t, unit=unit, actor=portal_user(), data=data, fixed=fixed, note="公众通过门户网站提交")


def _imported_sequence(reg: Register, unit: Unit, year: int, number: str) -> int:
    """The sequence of an imported case number; the counter moves past it when it follows the template."""
    template = reg.definition.case_number_template.format(unit_short=unit.short_name, year=year, seq="SEQ")
    match = re.fullmatch(re.escape(template).replace("SEQ", r"(\d+)"), number)
    if not match:
        return 0
    value = int(match.group(1))
    if not _PLANNING.get():
        sequences_advance(reg, {(unit.pk, year): value})
    return value


def sequences_advance(reg: Register, highest: dict[tuple[int, int], int]) -> None:
    """Move each (unit, year) counter past the highest sequence an import brought."""
    for (unit_id, year), value in highest.items():
        try:
            with transaction.atomic():
                CaseNumberSequence.objects.get_or_create(register=reg.name, unit_id=unit_id, year=year)
        except IntegrityError:
            pass
        CaseNumberSequence.objects.filter(register=reg.name, unit_id=unit_id, year=year, last_value__lt=value).update(last_value=value)


# Planning: a ledger import runs its rows through these services in a transaction it then rolls
# back, and writes what they produced afterwards in bulk (ledger.py). While it plans, the shared
# rows every writer touches are left alone: the audit log's head (audit_deferred), the case-number
# counters and the derived stores the write observers keep; the import writes them with the rows.
_PLANNING: ContextVar[bool] = ContextVar("matters_planning", default=False)


@contextmanager
def planning() -> Iterator[None]:
    token = _PLANNING.set(True)
    try:
        with audit_deferred():
            yield
    finally:
        _PLANNING.reset(token)


# Called after every write of matters with (register, [(before or None, after)]): what derived
# stores (the indicator rollups) use to stay exact. ``before`` is a copy taken before the step.
WriteObserver = Callable[[Register, list[tuple[Matter | None, Matter]]], None]
WRITE_OBSERVERS: list[WriteObserver] = []


def write_observer_add(fn: WriteObserver) -> None:
    if fn not in WRITE_OBSERVERS:
        WRITE_OBSERVERS.append(fn)


def matters_written(reg: Register, pairs: list[tuple[Matter | None, Matter]]) -> None:
    if _PLANNING.get():
        return
    for fn in WRITE_OBSERVERS:
        fn(reg, pairs)


# Step observers: work another app does at a step, in the step's transaction (the documents the
# step issues). ``fn(reg, matter, step, event, imported)``; ``imported``: a step replayed from a
# ledger (its documents were issued on paper at the time). An observer that raises refuses the
# step: nothing is written.
StepObserver = Callable[[Register, Matter, str, MatterEvent, bool], None]
STEP_OBSERVERS: list[StepObserver] = []


def step_observer_add(fn: StepObserver) -> None:
    if fn not in STEP_OBSERVERS:
        STEP_OBSERVERS.append(fn)


def steps_observed(reg: Register, matter: Matter, step: str, event: MatterEvent, *, imported: bool) -> None:
    if _PLANNING.get():
        return
    for fn in STEP_OBSERVERS:
        fn(reg, matter, step, event, imported)


def _create(
    reg: Register, t: Transition, *, unit: Unit, actor: Actor, data: dict[str, Any], fixed: dict[str, Any], note: str, imported_number: str = ""
) -> Matter:
    matter = reg.model(unit=unit, state=reg.definition.initial)
    cleaned = _clean_fields(reg, matter, t, data)
    _assign(matter, fixed | cleaned)
    errors = reg.hooks.validate(matter, CREATE, cleaned)
    if errors:
        raise ValidationFailed(errors)
    derive = getattr(reg.hooks, "derive", None)
    if derive is not None:
        derived = derive(matter, CREATE, cleaned)
        _assign(matter, derived)
        cleaned |= derived
    _full_clean(matter, list(cleaned))
    matter.year = matter.received_on.year
    if imported_number:
        if type(matter).objects.filter(case_number=imported_number).exists():
            raise ValidationFailed({"case_number": [f"案号 {imported_number} 已被其他单位使用"]})
        matter.case_number = imported_number
        matter.sequence = _imported_sequence(reg, unit, matter.year, imported_number)
    else:
        matter.sequence, matter.case_number = case_number_next(register=reg, unit=unit, year=matter.year)
    matter.save()
    # 上年结转 is recorded when it is set, so that `audit verify` can check the row against it
    recorded = [n for n in fixed if n != "carried_in" or fixed[n]] + list(cleaned)
    event = _write_event(
        reg=reg,
        matter=matter,
        transition=CREATE,
        actor=actor,
        event_date=matter.received_on,
        state_before="",
        before={},
        after={**_snapshot(matter, recorded), "case_number": matter.case_number},
        note=note,
    )
    try:
        matter_refresh_due(matter)
    except NoRuleInForce as exc:  # a date before the law the clock comes from: refused, nothing written
        raise ValidationFailed({"received_on": [str(exc)]}) from exc
    after = getattr(reg.hooks, "after", None)
    if after is not None and not _PLANNING.get():
        after(matter, CREATE, None)
    steps_observed(reg, matter, CREATE, event, imported=bool(imported_number))
    if not _PLANNING.get():
        matters_written(reg, [(None, type(matter).objects.get(pk=matter.pk))])
    return matter


@transaction.atomic
def matter_transition(
    *, matter: Matter, transition: str, actor: Actor, data: dict[str, Any] | None = None, note: str = "", imported: bool = False
) -> MatterEvent:
    """Take one step. ``imported``: replayed from a ledger row by the importer, which has checked
    the actor's right to the unit; the step's own roles are waived, every other check holds."""
    reg = register_of(matter)
    locked = type(matter).objects.select_for_update().get(pk=matter.pk)
    t = reg.definition.transitions.get(transition)
    if t is None:
        raise TransitionNotAllowed(f"{reg.definition.label}没有“{transition}”这一步骤")
    if locked.state not in t.sources:
        state_label = reg.definition.states[locked.state].label
        raise TransitionNotAllowed(f"案件 {locked.case_number} 当前状态为“{state_label}”，不能执行“{t.label}”")
    if not imported:
        _check_role(actor, locked.unit, t.roles, t.label)
    if t.max_times is not None:
        done = MatterEvent.objects.filter(register=reg.name, object_id=locked.pk, transition=t.name).count()
        if done >= t.max_times:
            raise TransitionNotAllowed(f"“{t.label}”最多只能执行 {t.max_times} 次")
    cleaned = _clean_fields(reg, locked, t, data or {})
    errors = reg.hooks.validate(locked, transition, cleaned)
    if errors:
        raise ValidationFailed(errors)
    derive = getattr(reg.hooks, "derive", None)
    if derive is not None:
        # values that follow from the step by rule (e.g. 负责人出庭 counted per 审级), recorded
        # in the same event as the step itself
        cleaned |= derive(locked, transition, cleaned)
    names = list(cleaned)
    before = _snapshot(locked, names)
    previous = copy.copy(locked)
    state_before = locked.state
    _assign(locked, cleaned)
    locked.state = state_before if t.target == SAME else t.target
    if reg.definition.states[locked.state].terminal and locked.closed_on is None:
        locked.closed_on = cleaned.get(t.date_field) if t.date_field else timezone.localdate()
    _full_clean(locked, names)
    locked.save()
    event_date: dt.date = (cleaned.get(t.date_field) if t.date_field else None) or timezone.localdate()
    event = _write_event(
        reg=reg,
        matter=locked,
        transition=t.name,
        actor=actor,
        event_date=event_date,
        state_before=state_before,
        before=before,
        after=_snapshot(locked, names),
        note=note,
    )
    try:
        matter_refresh_due(locked)
    except ExtensionNotAllowed as exc:  # the whole step is rolled back with the refusal
        raise TransitionNotAllowed(str(exc)) from exc
    except NoRuleInForce as exc:
        raise ValidationFailed({t.date_field or "__all__": [str(exc)]}) from exc
    after = getattr(reg.hooks, "after", None)
    if after is not None and not _PLANNING.get():
        after(locked, t.name, event)
    steps_observed(reg, locked, t.name, event, imported=imported)
    if not _PLANNING.get():
        matters_written(reg, [(previous, type(matter).objects.get(pk=matter.pk))])
    matter.refresh_from_db()
    return event


@transaction.atomic
def matter_amend(*, matter: Matter, actor: Actor, changes: dict[str, Any], reason: str, imported: bool = False) -> MatterEvent:
    """Correct recorded facts. Never a silent edit: the old and new values and the reason are an event."""
    reg = register_of(matter)
    locked = type(matter).objects.select_for_update().get(pk=matter.pk)
    if not reason.strip():
        raise ValidationFailed({"reason": ["更正必须说明理由"]})
    if not imported:
        _check_role(actor, locked.unit, reg.definition.amend_roles, "更正")
    t = Transition(name="amend", label="更正", sources=(), target="", roles=reg.definition.amend_roles, fields=(), optional=reg.definition.amendable)
    cleaned = _clean_fields(reg, locked, t, changes)
    changed = {k: v for k, v in cleaned.items() if _snapshot(locked, [k])[k] != json_value(v)}
    if not changed:
        raise ValidationFailed({"__all__": ["没有任何字段被更改"]})
    # a correction must leave the record as consistent as the steps do (dates in order, sums
    # that add up, a mediator of the case's committee): the register's own checks, as "amend"
    errors = reg.hooks.validate(locked, "amend", changed)
    if errors:
        raise ValidationFailed(errors)
    before = _snapshot(locked, list(changed))
    previous = copy.copy(locked)
    _assign(locked, changed)
    _full_clean(locked, list(changed))
    locked.save()
    event = _write_event(
        reg=reg,
        matter=locked,
        transition="amend",
        actor=actor,
        event_date=timezone.localdate(),
        state_before=locked.state,
        before=before,
        after=_snapshot(locked, list(changed)),
        note=reason,
    )
    if not _PLANNING.get():
        matters_written(reg, [(previous, type(matter).objects.get(pk=matter.pk))])
    matter.refresh_from_db()
    return event


class BatchRefused(TransitionNotAllowed):
    """A batch step refused as a whole; ``problems``: one message per matter that cannot take it."""

    def __init__(self, label: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"以下 {len(problems)} 件案件不能“{label}”，所选案件均未办理：" + "；".join(problems))


def _plain(exc: FazhiError) -> str:
    if isinstance(exc, ValidationFailed):  # the messages name their fields in Chinese already
        return "；".join(m for msgs in exc.errors.values() for m in msgs)
    return exc.message


@transaction.atomic
def matters_transition_batch(*, matters: list[Matter], transition: str, actor: Actor, day: dt.date, note: str = "") -> list[MatterEvent]:
    """One step for many matters (批量办理), all or nothing: each matter goes through
    :func:`matter_transition` (its checks, roles, event and audit leaf); when any matter cannot
    take the step, none does and the refusal names every such matter."""
    if not matters:
        raise ValidationFailed({"__all__": ["请至少选择一件案件"]})
    reg = register_of(matters[0])
    t = reg.definition.transitions.get(transition)
    if t is None or not t.batch:
        raise TransitionNotAllowed(f"{reg.definition.label}的“{t.label if t else transition}”不能批量办理")
    data = {t.date_field: day} if t.date_field else {}
    events: list[MatterEvent] = []
    problems: list[str] = []
    for matter in matters:
        try:
            with transaction.atomic():
                events.append(matter_transition(matter=matter, transition=t.name, actor=actor, data=data, note=note))
        except FazhiError as exc:
            problems.append(f"{matter.case_number}（{_plain(exc).replace(f'案件 {matter.case_number} ', '')}）")
    if problems:
        raise BatchRefused(t.label, problems)
    return events
