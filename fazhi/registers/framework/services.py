"""The one service that changes matters: create, transition, amend.

Whatever the path (web form, admin, API, import, command), a change goes through here: the
declaration is checked, then the actor's role and unit, then the change, its append-only event
and its audit leaf are written in one transaction.
"""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from fazhi.audit.services import audit_append
from fazhi.core.errors import FazhiError, PermissionDenied, TransitionNotAllowed, ValidationFailed
from fazhi.core.models import Unit
from fazhi.core.pagecache import RECORDS, bump
from fazhi.core.selectors import role_labels, user_has_role, user_roles_for_unit
from fazhi.core.types import Actor, actor_row
from fazhi.law.clocks import ExtensionNotAllowed, NoRuleInForce
from fazhi.registers.framework.clocks import EventFact, due_values, events_forget, events_known, events_known_add, matter_events
from fazhi.registers.framework.definition import CREATE, SAME, Transition
from fazhi.registers.framework.events import event_leaf_bytes
from fazhi.registers.framework.memo import memoized
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
            cleaned[name] = _field_clean(f, raw if raw != "" else f.get_default(), matter)
        except ValidationError as exc:
            errors.setdefault(name, []).extend(f"“{f.verbose_name}”：{m}" for m in exc.messages)
    if reg.definition.outcome_field and reg.definition.outcome_field in cleaned:
        code = cleaned[reg.definition.outcome_field]
        if code and code not in reg.definition.outcomes:
            errors.setdefault(reg.definition.outcome_field, []).append(f"未知的决定类型 {code!r}")
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def _field_clean(f: models.Field[Any, Any], raw: Any, matter: Matter) -> Any:
    """The field's own cleaning; a foreign key's lookup of its row is made once per import."""
    if isinstance(f, models.ForeignKey) and isinstance(raw, (int, str)):
        return memoized(("field.clean", f.model._meta.label, f.name, raw), lambda: f.clean(raw, matter))
    return f.clean(raw, matter)


def _related_checked(reg: Register, cleaned: dict[str, Any], derived: dict[str, Any]) -> set[str]:
    """The foreign keys the step's fields cleaned (their row found) and no rule changed since."""
    return {n for n in cleaned if n not in derived and isinstance(model_field(reg.model, n), models.ForeignKey)}


def _check_role(actor: Actor, unit: Unit, roles: tuple[str, ...], what: str) -> None:
    if user_has_role(actor, unit, roles):
        return
    if not user_roles_for_unit(actor, unit):
        raise PermissionDenied(f"您无权办理{unit.name}的事项")
    raise PermissionDenied(f"“{what}”需要以下角色之一：{role_labels(roles)}；您在{unit.name}的角色不符")


def _snapshot(matter: Matter, names: list[str]) -> dict[str, Any]:
    return {n: json_value(getattr(matter, n if not isinstance(model_field(type(matter), n), models.ForeignKey) else f"{n}_id")) for n in names}


@functools.lru_cache(maxsize=1024)
def _excluded(model: type[Matter], names: frozenset[str], checked: frozenset[str]) -> frozenset[str]:
    """The fields a step's validation leaves out: the same for every row of a ledger's step."""
    return frozenset(f.name for f in model._meta.fields if f.name not in names or f.name in checked)


@dataclass
class Checked:
    """A step checked on a matter object and applied to it in memory (nothing written yet): what
    its event records. Made by :func:`create_checked`, :func:`transition_checked` and
    :func:`amend_checked`, the one procedure of every path: the services below write it (row
    lock, row, event, audit leaf, hooks, observers); a ledger import plans a whole file with it
    and writes the file in bulk (ledger.py)."""

    transition: str
    event_date: dt.date
    state_before: str
    before: dict[str, Any]
    after: dict[str, Any]
    previous: Matter | None  # a copy of the matter before the step (None: created by it)


def event_new(*, reg: Register, matter: Matter, step: Checked, actor: Actor, note: str) -> MatterEvent:
    """The step's event, unsaved."""
    from django.contrib.contenttypes.models import ContentType

    return MatterEvent(
        content_type=ContentType.objects.get_for_model(reg.model),
        object_id=matter.pk,
        register=reg.name,
        case_number=matter.case_number,
        transition=step.transition,
        actor=actor_row(actor),
        unit=matter.unit,
        occurred_at=timezone.now(),
        event_date=step.event_date,
        state_before=step.state_before,
        state_after=matter.state,
        before=step.before,
        after=step.after,
        note=note,
    )


def _event_record(*, reg: Register, matter: Matter, step: Checked, actor: Actor, note: str) -> MatterEvent:
    """Save the step's event and append its audit leaf (in the caller's transaction)."""
    event = event_new(reg=reg, matter=matter, step=step, actor=actor, note=note)
    event.save(force_insert=True)
    audit_append(source="matter_event", source_id=event.pk, data=event_leaf_bytes(event))
    events_known_add(matter, event)
    return event


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
    """An event that is no step of the procedure (evidence added, a document issued). The matter
    is not written (no write observer runs), but its page shows the event: what is cached of the
    page until the next write (its history: fazhi/web/views.py) is forgotten here."""
    step = Checked(transition, event_date, state_before, before, after, None)
    event = _event_record(reg=reg, matter=matter, step=step, actor=actor, note=note)
    bump(RECORDS)
    return event


def _assign(matter: Matter, values: dict[str, Any]) -> None:
    for name, value in values.items():
        f = model_field(type(matter), name)
        if isinstance(f, models.ForeignKey) and not isinstance(value, models.Model):
            setattr(matter, f.attname, value)
        else:
            setattr(matter, name, value)


def _full_clean(matter: Matter, names: list[str], checked: set[str] | frozenset[str] = frozenset()) -> None:
    """The model's validation of the step's fields (``checked``: foreign keys already cleaned)."""
    try:
        matter.full_clean(exclude=_excluded(type(matter), frozenset(names), frozenset(checked)), validate_unique=False)
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


def imported_sequence(reg: Register, unit: Unit, year: int, number: str) -> int:
    """The sequence of an imported case number when it follows the register's template (else 0)."""
    template = reg.definition.case_number_template.format(unit_short=unit.short_name, year=year, seq="SEQ")
    match = re.fullmatch(re.escape(template).replace("SEQ", r"(\d+)"), number)
    return int(match.group(1)) if match else 0


def imported_number_set(reg: Register, matter: Matter, number: str, *, taken: bool) -> None:
    """Give a new matter the case number a ledger brings, refused when another matter has it."""
    if taken:
        raise ValidationFailed({"case_number": [f"案号 {number} 已被其他单位使用"]})
    matter.case_number = number
    matter.sequence = imported_sequence(reg, matter.unit, matter.year, number)


def sequences_advance(reg: Register, highest: dict[tuple[int, int], int]) -> None:
    """Move each (unit, year) counter past the highest sequence an import brought."""
    for (unit_id, year), value in highest.items():
        try:
            with transaction.atomic():
                CaseNumberSequence.objects.get_or_create(register=reg.name, unit_id=unit_id, year=year)
        except IntegrityError:
            pass
        CaseNumberSequence.objects.filter(register=reg.name, unit_id=unit_id, year=year, last_value__lt=value).update(last_value=value)


# Called after every write of matters with (register, [(before or None, after)]): what derived
# stores (the indicator rollups) use to stay exact. ``before`` is a copy taken before the step.
WriteObserver = Callable[[Register, list[tuple[Matter | None, Matter]]], None]
WRITE_OBSERVERS: list[WriteObserver] = []
# An observer's work in two halves: ``ready(register, pairs)`` computes, without writing or
# locking anything, what the write needs (rollup deltas, search rows) and returns the writes
# themselves; a bulk write makes them ready before its transaction (bulk.written_prepare).
# ``own_rows``: its writes touch only rows of the matters written (their search rows), which
# nobody else writes while the matters are new or locked: a bulk write does them before it takes
# the audit log's head, so that the office waits less for it.
WriteReady = Callable[[Register, list[tuple[Matter | None, Matter]]], Callable[[], None]]
WRITE_READY: dict[WriteObserver, WriteReady] = {}
WRITE_OWN_ROWS: set[WriteObserver] = set()


def write_observer_add(fn: WriteObserver, *, ready: WriteReady | None = None, own_rows: bool = False) -> None:
    if fn not in WRITE_OBSERVERS:
        WRITE_OBSERVERS.append(fn)
    if ready is not None:
        WRITE_READY[fn] = ready
    if own_rows:
        WRITE_OWN_ROWS.add(fn)


def matters_written(reg: Register, pairs: list[tuple[Matter | None, Matter]]) -> None:
    for fn in WRITE_OBSERVERS:
        fn(reg, pairs)


def matters_written_ready(reg: Register, pairs: list[tuple[Matter | None, Matter]]) -> tuple[list[Callable[[], None]], list[Callable[[], None]]]:
    """The write observers' work for ``pairs``, each made ready as far as it can be without the
    write's locks: (those that write only the matters' own rows, the others), each in the
    observers' order; calling them all (in the write's transaction) is :func:`matters_written`."""
    own: list[Callable[[], None]] = []
    shared: list[Callable[[], None]] = []
    for fn in WRITE_OBSERVERS:
        (own if fn in WRITE_OWN_ROWS else shared).append(WRITE_READY[fn](reg, pairs) if fn in WRITE_READY else functools.partial(fn, reg, pairs))
    return own, shared


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
    for fn in STEP_OBSERVERS:
        fn(reg, matter, step, event, imported)


def dues_apply(reg: Register, matter: Matter, events: list[Any], date_field: str) -> None:
    """The clocks after the step, cached on the matter; the clock's refusal refuses the step."""
    try:
        values = due_values(matter, events, reg)
    except ExtensionNotAllowed as exc:
        raise TransitionNotAllowed(str(exc)) from exc
    except NoRuleInForce as exc:  # a date before the law the clock comes from
        raise ValidationFailed({date_field: [str(exc)]}) from exc
    for k, v in values.items():
        setattr(matter, k, v)


def create_checked(
    reg: Register,
    t: Transition,
    *,
    unit: Unit,
    data: dict[str, Any],
    fixed: dict[str, Any],
    number: Callable[[Matter], None],
    clocks: bool = True,
) -> tuple[Matter, Checked]:
    """A new matter from its registration, every check of the step held, in memory. ``number``
    gives it its case number (the next of the sequence, or the one a ledger brings).
    ``clocks=False``: the caller applies the clocks (:func:`dues_apply`) once after its last step."""
    matter = reg.model(unit=unit, state=reg.definition.initial)
    events_known(matter, [])
    cleaned = _clean_fields(reg, matter, t, data)
    _assign(matter, fixed | cleaned)
    errors = reg.hooks.validate(matter, CREATE, cleaned)
    if errors:
        raise ValidationFailed(errors)
    derive = getattr(reg.hooks, "derive", None)
    derived = derive(matter, CREATE, cleaned) if derive is not None else {}
    _assign(matter, derived)
    checked = _related_checked(reg, cleaned, derived)
    cleaned |= derived
    _full_clean(matter, list(cleaned), checked)
    matter.year = matter.received_on.year
    number(matter)
    if clocks:
        dues_apply(reg, matter, [EventFact(CREATE, matter.received_on)], "received_on")
    # 上年结转 is recorded when it is set, so that `audit verify` can check the row against it
    recorded = [n for n in fixed if n != "carried_in" or fixed[n]] + list(cleaned)
    after = {**_snapshot(matter, recorded), "case_number": matter.case_number}
    return matter, Checked(CREATE, matter.received_on, "", {}, after, None)


def transition_checked(
    reg: Register,
    matter: Matter,
    transition: str,
    data: dict[str, Any],
    *,
    actor: Actor,
    imported: bool,
    keep_previous: bool = True,
    clocks: bool = True,
) -> Checked:
    """One step on the matter object, every check held (state, roles unless ``imported``,
    max_times, fields, the register's validate and derive, the clocks), applied in memory.
    ``keep_previous=False``: no copy of the matter before the step (a ledger import reads the
    matters' rows before its write once, for the whole file). ``clocks=False``: the caller
    applies the clocks once after its last step (:func:`dues_apply` over all the events: the
    clocks walk the events in order, so a step's refusal is found there too)."""
    t = reg.definition.transitions.get(transition)
    if t is None:
        raise TransitionNotAllowed(f"{reg.definition.label}没有“{transition}”这一步骤")
    if matter.state not in t.sources:
        state_label = reg.definition.states[matter.state].label
        raise TransitionNotAllowed(f"案件 {matter.case_number} 当前状态为“{state_label}”，不能执行“{t.label}”")
    if not imported:
        _check_role(actor, matter.unit, t.roles, t.label)
    events = matter_events(matter, reg)
    events_known(matter, events)  # the register's checks read the clocks from these
    if t.max_times is not None and sum(1 for e in events if e.transition == t.name) >= t.max_times:
        raise TransitionNotAllowed(f"“{t.label}”最多只能执行 {t.max_times} 次")
    cleaned = _clean_fields(reg, matter, t, data)
    errors = reg.hooks.validate(matter, transition, cleaned)
    if errors:
        raise ValidationFailed(errors)
    derive = getattr(reg.hooks, "derive", None)
    # values that follow from the step by rule (e.g. 负责人出庭 counted per 审级), recorded in
    # the same event as the step itself
    derived = derive(matter, transition, cleaned) if derive is not None else {}
    checked = _related_checked(reg, cleaned, derived)
    cleaned |= derived
    names = list(cleaned)
    before = _snapshot(matter, names)
    previous = copy.copy(matter) if keep_previous else None
    state_before = matter.state
    _assign(matter, cleaned)
    matter.state = state_before if t.target == SAME else t.target
    if reg.definition.states[matter.state].terminal and matter.closed_on is None:
        matter.closed_on = cleaned.get(t.date_field) if t.date_field else timezone.localdate()
    _full_clean(matter, names, checked)
    event_date: dt.date = (cleaned.get(t.date_field) if t.date_field else None) or timezone.localdate()
    if clocks:
        dues_apply(reg, matter, [*events, EventFact(t.name, event_date)], t.date_field or "__all__")
    return Checked(t.name, event_date, state_before, before, _snapshot(matter, names), previous)


def amend_checked(reg: Register, matter: Matter, changes: dict[str, Any], reason: str, *, actor: Actor, imported: bool) -> Checked:
    """A correction of recorded facts on the matter object, checked like the steps, in memory."""
    if not reason.strip():
        raise ValidationFailed({"reason": ["更正必须说明理由"]})
    if not imported:
        _check_role(actor, matter.unit, reg.definition.amend_roles, "更正")
    t = Transition(name="amend", label="更正", sources=(), target="", roles=reg.definition.amend_roles, fields=(), optional=reg.definition.amendable)
    cleaned = _clean_fields(reg, matter, t, changes)
    changed = {k: v for k, v in cleaned.items() if _snapshot(matter, [k])[k] != json_value(v)}
    if not changed:
        raise ValidationFailed({"__all__": ["没有任何字段被更改"]})
    # a correction must leave the record as consistent as the steps do (dates in order, sums
    # that add up, a mediator of the case's committee): the register's own checks, as "amend"
    errors = reg.hooks.validate(matter, "amend", changed)
    if errors:
        raise ValidationFailed(errors)
    before = _snapshot(matter, list(changed))
    previous = copy.copy(matter)
    _assign(matter, changed)
    _full_clean(matter, list(changed), _related_checked(reg, changed, {}))
    return Checked("amend", timezone.localdate(), matter.state, before, _snapshot(matter, list(changed)), previous)


def _create(
    reg: Register, t: Transition, *, unit: Unit, actor: Actor, data: dict[str, Any], fixed: dict[str, Any], note: str, imported_number: str = ""
) -> Matter:
    def number(matter: Matter) -> None:
        if imported_number:
            imported_number_set(reg, matter, imported_number, taken=type(matter).objects.filter(case_number=imported_number).exists())
            if matter.sequence:  # the counter moves past a number that follows the template
                sequences_advance(reg, {(unit.pk, matter.year): matter.sequence})
        else:
            matter.sequence, matter.case_number = case_number_next(register=reg, unit=unit, year=matter.year)

    matter, step = create_checked(reg, t, unit=unit, data=data, fixed=fixed, number=number)
    matter.save(force_insert=True)
    event = _event_record(reg=reg, matter=matter, step=step, actor=actor, note=note)
    after = getattr(reg.hooks, "after", None)
    if after is not None:
        after(matter, CREATE, None)
    steps_observed(reg, matter, CREATE, event, imported=bool(imported_number))
    matters_written(reg, [(None, type(matter).objects.get(pk=matter.pk))])
    events_forget(matter)  # the caller's object: its next step reads its events anew
    return matter


@transaction.atomic
def matter_transition(
    *, matter: Matter, transition: str, actor: Actor, data: dict[str, Any] | None = None, note: str = "", imported: bool = False
) -> MatterEvent:
    """Take one step. ``imported``: replayed from a ledger row by the importer, which has checked
    the actor's right to the unit; the step's own roles are waived, every other check holds."""
    reg = register_of(matter)
    locked = type(matter).objects.select_for_update().get(pk=matter.pk)
    step = transition_checked(reg, locked, transition, data or {}, actor=actor, imported=imported)
    locked.save()
    event = _event_record(reg=reg, matter=locked, step=step, actor=actor, note=note)
    after = getattr(reg.hooks, "after", None)
    if after is not None:
        after(locked, step.transition, event)
    steps_observed(reg, locked, step.transition, event, imported=imported)
    matters_written(reg, [(step.previous, type(matter).objects.get(pk=matter.pk))])
    matter.refresh_from_db()
    events_forget(matter)
    return event


@transaction.atomic
def matter_amend(*, matter: Matter, actor: Actor, changes: dict[str, Any], reason: str, imported: bool = False) -> MatterEvent:
    """Correct recorded facts. Never a silent edit: the old and new values and the reason are an event."""
    reg = register_of(matter)
    locked = type(matter).objects.select_for_update().get(pk=matter.pk)
    step = amend_checked(reg, locked, changes, reason, actor=actor, imported=imported)
    locked.save()
    event = _event_record(reg=reg, matter=locked, step=step, actor=actor, note=reason)
    matters_written(reg, [(step.previous, type(matter).objects.get(pk=matter.pk))])
    matter.refresh_from_db()
    events_forget(matter)
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
