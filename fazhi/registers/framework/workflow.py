"""Workflows outside the registers, declared and audited like the registers.

The annual reports, 督察 leads, 考核 schemes, 案卷评查 campaigns and 双随机 plans each declare their
lifecycle in ``definitions/workflows/<name>.yaml`` with the registers' own grammar (states, the
creating step, transitions with their roles and required fields; see
:func:`fazhi.registers.framework.definition.lifecycle_load`), plus what a step records:

- ``model``: the workflow's row (``app_label.Model``); ``unit``: the field naming the unit whose
  roles govern the steps (a transition may name another with ``unit:``, e.g. the supervised unit
  answering a letter); ``state_field``: the row's state column, or none, when the state lives in
  the events alone;
- ``recorded``: the row's fields every step records (the values after the step);
- ``children``: rows a step writes besides the workflow's own (a report's versions and
  signatures, a campaign's sampled files), each with the fields recorded;
- ``personal_data``: fields bound by a keyed digest instead of their value.

An app's service checks a step with :func:`workflow_check` (the state allows it, the actor holds
a role it names over the right unit), validates what only it can, writes its rows, and calls
:func:`workflow_record` in the same transaction: the state moves as declared, and one
:class:`WorkflowEvent` with one audit leaf records the step. ``fazhi audit verify`` re-encodes
every such event (the leaf source ``workflow_event``) and replays each record's events against
its rows (:func:`workflows_check`): a row, child row or state changed or deleted in the database
without a step is found.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from fazhi.core.canonical import canonical_bytes, keyed_digest, to_canonical_value
from fazhi.core.errors import DefinitionError, PermissionDenied, TransitionNotAllowed, ValidationFailed
from fazhi.core.selectors import require_role
from fazhi.core.strictyaml import LineDict, check_keys, load_strict
from fazhi.core.types import Actor, actor_row_or_none
from fazhi.registers.framework.definition import CREATE, SAME, State, Transition, _str_list, lifecycle_load
from fazhi.registers.framework.models import WorkflowEvent

SOURCE = "workflow_event"  # the audit leaf source


@dataclass(frozen=True)
class WorkflowDefinition:
    name: str
    label: str
    source: str
    model: str
    unit_field: str
    state_field: str
    states: dict[str, State]
    initial: str
    create: Transition
    transitions: dict[str, Transition]
    recorded: tuple[str, ...]
    children: dict[str, tuple[str, ...]]  # "app_label.model" (lower case) -> fields
    personal_data: tuple[str, ...] = ()

    def step(self, action: str) -> Transition:
        if action == CREATE:
            return self.create
        if action not in self.transitions:
            raise TransitionNotAllowed("没有这个步骤")
        return self.transitions[action]

    def state_label(self, state: str) -> str:
        return self.states[state].label if state in self.states else state


@dataclass
class Workflow:
    definition: WorkflowDefinition
    model: type[models.Model]
    children: dict[str, type[models.Model]]
    # who may see a record: f(user, object id) -> bool, given by the app that owns the workflow
    # (its selectors), so that apps below it (the documents a step issues) can ask
    visible: Callable[[Any, int], bool] | None = None


WORKFLOWS: dict[str, Workflow] = {}


def workflow_load(path: Path) -> WorkflowDefinition:
    """Load and check one workflow definition; every error names the file and line."""
    filename = str(path)
    top = check_keys(
        load_strict(path),
        allowed={"workflow", "label", "model", "unit", "state_field", "states", "initial", "create", "transitions", "recorded", "children", "personal_data"},
        required={"workflow", "label", "model", "unit", "states", "initial", "create", "transitions", "recorded"},
        filename=filename,
        where="定义",
    )
    name = str(top["workflow"])
    if path.stem != name:
        raise DefinitionError(f"{filename}:{top.line_of('workflow')}: workflow 名 {name!r} 应与文件名 {path.stem!r} 一致")
    states, initial, create, transitions = lifecycle_load(top, filename, extra_keys=frozenset({"unit", "admin"}))
    children: dict[str, tuple[str, ...]] = {}
    raw_children = top.get("children") or LineDict()
    if not isinstance(raw_children, LineDict):
        raise DefinitionError(f"{filename}:{top.line_of('children')}: children 应为“模型: [字段]”映射")
    for model, fields in raw_children.items():
        children[str(model).lower()] = _str_list(fields, filename, raw_children.line_of(model), f"children {model}")
    return WorkflowDefinition(
        name=name,
        label=str(top["label"]),
        source=filename,
        model=str(top["model"]).lower(),
        unit_field=str(top["unit"]),
        state_field=str(top.get("state_field", "") or ""),
        states=states,
        initial=initial,
        create=create,
        transitions=transitions,
        recorded=_str_list(top["recorded"], filename, top.line_of("recorded"), "recorded"),
        children=children,
        personal_data=_str_list(top.get("personal_data"), filename, top.line_of("personal_data"), "personal_data"),
    )


def _model(label: str, filename: str) -> type[models.Model]:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        raise DefinitionError(f"{filename}: 未知的模型 {label!r}") from None


def _fields_check(model: type[models.Model], names: Iterable[str], filename: str, where: str) -> None:
    known = {f.name for f in model._meta.get_fields()}
    for name in names:
        if name not in known:
            raise DefinitionError(f"{filename}: {where} 引用了模型 {model.__name__} 中不存在的字段 {name!r}")


def workflow_add(name: str) -> Workflow:
    """Register a workflow from its definition (an app's ``ready()``); checks every field it names."""
    d = workflow_load(Path(settings.FAZHI_DEFINITIONS_DIR) / "workflows" / f"{name}.yaml")
    model = _model(d.model, d.source)
    _fields_check(model, [d.unit_field, *d.recorded, *([d.state_field] if d.state_field else [])], d.source, "定义")
    for t in (d.create, *d.transitions.values()):
        _fields_check(model, [*t.fields, *t.optional, *([t.unit_field] if t.unit_field else [])], d.source, f"transition {t.name}")
    children = {label: _model(label, d.source) for label in d.children}
    for label, fields in d.children.items():
        _fields_check(children[label], fields, d.source, f"children {label}")
    wf = Workflow(definition=d, model=model, children=children)
    WORKFLOWS[name] = wf
    return wf


def workflow_get(name: str) -> Workflow:
    return WORKFLOWS[name]


def workflow_visibility_set(name: str, visible: Callable[[Any, int], bool]) -> None:
    WORKFLOWS[name].visible = visible


def workflow_visible(name: str, user: Any, object_id: int) -> bool:
    """Whether the user may see the workflow's record (False when its app said nothing)."""
    wf = WORKFLOWS.get(name)
    return bool(wf is not None and wf.visible is not None and wf.visible(user, object_id))


# --- encoding -------------------------------------------------------------------------------


def _digest(label: str, pk: Any, field: str, value: Any) -> Any:
    """Keyed digest of a personal value: binds the leaf to the row without disclosing the value."""
    if value in (None, ""):
        return value
    return keyed_digest(label, pk, field, value)


def field_encode(obj: models.Model, name: str, personal: Iterable[str] = ()) -> Any:
    """A field's value as a step records it: a related row by its id, related rows (many-to-many)
    by their sorted ids, a JSON value by the SHA-256
    of its JSON text (it may hold floats, which have no canonical form), dates and decimals as
    canonical strings, personal values by a keyed digest."""
    f = obj._meta.get_field(name)
    if isinstance(f, models.ManyToManyField):
        return sorted(getattr(obj, name).values_list("pk", flat=True))
    if isinstance(f, models.ForeignKey):
        value: Any = getattr(obj, f.attname)
    else:
        value = getattr(obj, name)
    if isinstance(f, models.JSONField):
        return "sha256:" + hashlib.sha256(canonical_bytes(value, floats=True)).hexdigest()
    if isinstance(f, models.DecimalField) and value is not None:
        # as the column stores it: 8.5 written, 8.50 read back
        value = f.to_python(value).quantize(decimal.Decimal(1).scaleb(-(f.decimal_places or 0)))
    if name in personal:
        return _digest(obj._meta.label_lower, obj.pk, name, value)
    return to_canonical_value(value)


def row_values(obj: models.Model, names: Iterable[str], personal: Iterable[str] = ()) -> dict[str, Any]:
    personal = tuple(personal)
    return {n: field_encode(obj, n, personal) for n in names}


def event_leaf_bytes(e: WorkflowEvent) -> bytes:
    return canonical_bytes(
        {
            "v": 1,
            "workflow_event": e.pk,
            "workflow": e.workflow,
            "object": e.object_id,
            "action": e.action,
            "label": e.label,
            "actor": e.actor_id,
            "unit": e.unit_id,
            "occurred_at": e.occurred_at,
            "event_date": e.event_date,
            "state_before": e.state_before,
            "state_after": e.state_after,
            "values": e.values,
            "text": e.text,
        }
    )


def event_reencode(ids: list[int]) -> dict[int, bytes]:
    return {e.pk: event_leaf_bytes(e) for e in WorkflowEvent.objects.filter(pk__in=ids)}


# --- steps ----------------------------------------------------------------------------------


def workflow_state(name: str, obj: models.Model) -> str:
    """The record's state: its state column, or the state its last step left."""
    d = WORKFLOWS[name].definition
    if d.state_field:
        return str(getattr(obj, d.state_field))
    last = WorkflowEvent.objects.filter(workflow=name, object_id=obj.pk).order_by("-id").values_list("state_after", flat=True).first()
    return last or ""


def workflow_check(name: str, obj: models.Model, action: str, actor: Actor | None, *, system: bool = False) -> Transition:
    """Refuse the step unless the record's state allows it and the actor holds one of the step's
    roles over the unit it names. ``system``: a step the platform takes by rule (a 督察 scan), with
    no actor. Returns the transition."""
    d = WORKFLOWS[name].definition
    t = d.step(action)
    if not system:
        if actor is None or not getattr(actor, "is_authenticated", False):
            raise PermissionDenied("请先登录")
        unit = getattr(obj, t.unit_field or d.unit_field)
        require_role(actor, unit, t.roles, t.label, admin=t.admin)
    if action != CREATE:
        state = workflow_state(name, obj)
        if state not in t.sources:
            raise TransitionNotAllowed(f"{d.label}当前状态为“{d.state_label(state)}”，不能{t.label}")
    return t


def workflow_require(name: str, action: str, values: dict[str, Any]) -> dict[str, Any]:
    """The step's required fields, stripped; refused (naming each field) when one is empty."""
    wf = WORKFLOWS[name]
    t = wf.definition.step(action)
    errors: dict[str, list[str]] = {}
    out = dict(values)
    for f in t.fields:
        v = values.get(f)
        if isinstance(v, str):
            v = v.strip()
            out[f] = v
        if v in (None, "", [], {}):
            errors[f] = [f"请填写{_label(wf.model, f)}"]
    if errors:
        raise ValidationFailed(errors)
    return out


def workflow_record(
    name: str,
    obj: models.Model,
    action: str,
    *,
    actor: Actor | None,
    text: str = "",
    on: dt.date | None = None,
    label: str = "",
    rows: Iterable[models.Model] = (),
    removed: Iterable[models.Model] = (),
) -> WorkflowEvent:
    """Record a step taken on ``obj`` (already written): move its state as declared, write one
    event with the values the step left and its audit leaf. Must run inside the step's transaction."""
    from fazhi.audit.services import audit_append

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("workflow_record must run inside the transaction that writes the step")
    wf = WORKFLOWS[name]
    d = wf.definition
    t = d.step(action)
    before = "" if action == CREATE else workflow_state(name, obj)
    after = d.initial if action == CREATE else (before if t.target == SAME else t.target)
    if d.state_field and getattr(obj, d.state_field) != after:
        setattr(obj, d.state_field, after)
        obj.save(update_fields=[d.state_field])
    child_rows = []
    for row in rows:
        label_lower = row._meta.label_lower
        if label_lower not in d.children:
            raise RuntimeError(f"{label_lower} is not a child of workflow {name}")
        child_rows.append({"model": label_lower, "id": row.pk, "fields": row_values(row, d.children[label_lower], d.personal_data)})
    gone = [{"model": row._meta.label_lower, "id": row.pk} for row in removed]
    event = WorkflowEvent.objects.create(
        workflow=name,
        object_id=obj.pk,
        action=action,
        label=(label or t.label)[:200],
        actor=actor_row_or_none(actor),
        unit=getattr(obj, d.unit_field),
        occurred_at=timezone.now(),
        event_date=on,
        state_before=before,
        state_after=after,
        values={"fields": row_values(obj, d.recorded, d.personal_data), "rows": child_rows, "removed": gone},
        text=text,
    )
    audit_append(source=SOURCE, source_id=event.pk, data=event_leaf_bytes(event))
    for observer in WORKFLOW_OBSERVERS:
        observer(name, obj, action, event)
    return event


# Work another app does at a workflow step, in the step's transaction (the letters the step issues:
# fazhi.documents registers one). ``fn(workflow, obj, action, event)``; one that raises refuses the step.
WorkflowObserver = Callable[[str, models.Model, str, WorkflowEvent], None]
WORKFLOW_OBSERVERS: list[WorkflowObserver] = []


def workflow_observer_add(fn: WorkflowObserver) -> None:
    if fn not in WORKFLOW_OBSERVERS:
        WORKFLOW_OBSERVERS.append(fn)


def workflow_events(name: str, obj: models.Model) -> models.QuerySet[WorkflowEvent]:
    """A record's steps in order (its history page)."""
    return WorkflowEvent.objects.filter(workflow=name, object_id=obj.pk).select_related("actor").order_by("id")


# --- the projection check -------------------------------------------------------------------


def _label(model: type[models.Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def workflows_check(progress: Callable[[int], None] | None = None) -> tuple[int, list[str]]:
    """Replay every workflow's events against its rows and child rows. Messages name the record
    and the fields, never a value."""
    problems: list[str] = []
    checked = 0
    for name, wf in WORKFLOWS.items():
        d = wf.definition
        start = checked
        main: dict[int, tuple[str, dict[str, Any]]] = {}
        kids: dict[tuple[str, int], dict[str, Any] | None] = {}
        for object_id, state, values in WorkflowEvent.objects.filter(workflow=name).order_by("id").values_list("object_id", "state_after", "values"):
            main[object_id] = (state, values.get("fields", {}))
            for row in values.get("rows", []):
                kids[(row["model"], row["id"])] = row["fields"]
            for row in values.get("removed", []):
                kids[(row["model"], row["id"])] = None
        seen: set[int] = set()
        for obj in wf.model._default_manager.order_by("pk").iterator(chunk_size=2000):
            checked += 1
            seen.add(obj.pk)
            expected = main.get(obj.pk)
            if expected is None:
                problems.append(f"{d.label} #{obj.pk} 没有任何步骤记录（记录未经流程写入）")
                continue
            state, fields = expected
            now = row_values(obj, fields.keys(), d.personal_data)
            wrong = [_label(wf.model, k) for k, v in fields.items() if now[k] != v]
            if d.state_field and getattr(obj, d.state_field) != state:
                wrong.insert(0, _label(wf.model, d.state_field))
            if wrong:
                problems.append(f"{d.label} #{obj.pk}：{'、'.join(wrong)} 与其步骤记录不符（记录未经流程被改动）")
        for object_id in sorted(main.keys() - seen):
            problems.append(f"{d.label} #{object_id} 已被删除，但其步骤记录仍在日志中")
        for label_lower, model in wf.children.items():
            expected_rows = {pk: f for (m, pk), f in kids.items() if m == label_lower}
            what = str(model._meta.verbose_name)
            present: set[int] = set()
            for row in model._default_manager.order_by("pk").iterator(chunk_size=2000):
                checked += 1
                present.add(row.pk)
                recorded = expected_rows.get(row.pk)
                if recorded is None:
                    why = "已记录删除却仍存在" if row.pk in expected_rows else "没有任何步骤记录（未经流程写入）"
                    problems.append(f"{d.label}的{what} #{row.pk} {why}")
                    continue
                now = row_values(row, recorded.keys(), d.personal_data)
                wrong = [_label(model, k) for k, v in recorded.items() if now[k] != v]
                if wrong:
                    problems.append(f"{d.label}的{what} #{row.pk}：{'、'.join(wrong)} 与其步骤记录不符（记录未经流程被改动）")
            for pk in sorted(k for k, f in expected_rows.items() if f is not None and k not in present):
                problems.append(f"{d.label}的{what} #{pk} 已被删除，但其步骤记录仍在日志中")
        if progress:
            progress(checked - start)
    return checked, problems


def workflows_count() -> int:
    return sum(wf.model._default_manager.count() + sum(m._default_manager.count() for m in wf.children.values()) for wf in WORKFLOWS.values())


# --- carrying history over (data migrations) ------------------------------------------------


@dataclass(frozen=True)
class OldStep:
    """A step as an app recorded it before it used this mechanism (its own event table)."""

    object_id: int
    action: str
    label: str
    actor_id: int | None
    at: dt.datetime
    text: str = ""
    on: dt.date | None = None


def history_carry(
    apps_: Any,
    *,
    workflow: str,
    model: str,
    unit_field: str,
    state_field: str,
    recorded: tuple[str, ...],
    children: dict[str, tuple[str, ...]],
    parent_of: dict[str, str],
    initial: str,
    targets: dict[str, str],
    old_steps: list[OldStep],
    derived_state: Callable[[Any], str] | None = None,
) -> int:
    """For a data migration: carry an app's existing history into workflow events and audit
    leaves, in the order it happened, then record each row as it stands (one ``carry_over`` step
    with every recorded field and child row), so that ``fazhi audit verify`` passes afterwards.

    The lists are frozen in the migration (not read from the current definition). ``targets``:
    the state each old action led to (actions not listed keep the state); ``parent_of``: each
    child model -> its field naming the workflow's row; ``derived_state``: for a workflow
    without a state column, the state a row is in. Returns the number of events written.
    Uses the historical models it is given, and the audit log's own writer."""
    from fazhi.audit.services import audit_append_many

    Model = apps_.get_model(model)
    Event = apps_.get_model("framework", "WorkflowEvent")
    rows = {obj.pk: obj for obj in Model._default_manager.all()}
    if not rows:
        return 0
    state: dict[int, str] = {}
    events: list[Any] = []
    for s in sorted(old_steps, key=lambda s: (s.at, s.object_id)):
        obj = rows.get(s.object_id)
        if obj is None:
            continue
        before = state.get(s.object_id, "")
        after = initial if not before else targets.get(s.action, before)
        state[s.object_id] = after
        events.append(
            Event(
                workflow=workflow,
                object_id=s.object_id,
                action=s.action,
                label=s.label[:200],
                actor_id=s.actor_id,
                unit_id=getattr(obj, f"{unit_field}_id"),
                occurred_at=s.at,
                event_date=s.on,
                state_before=before,
                state_after=after,
                values={"fields": {}, "rows": [], "removed": []},
                text=s.text,
            )
        )
    now = timezone.now()
    kids: dict[int, list[Any]] = {pk: [] for pk in rows}
    for label, fields in children.items():
        for row in apps_.get_model(label)._default_manager.order_by("pk"):
            *path, last = parent_of[label].split("__")
            owner = row
            for step in path:
                owner = getattr(owner, step)
            parent = getattr(owner, f"{last}_id")
            if parent in kids:
                kids[parent].append((label, row, fields))
    for pk, obj in sorted(rows.items()):
        current = str(getattr(obj, state_field)) if state_field else (derived_state(obj) if derived_state else initial)
        events.append(
            Event(
                workflow=workflow,
                object_id=pk,
                action="carry_over",
                label="启用流程审计时的记录状态",
                actor_id=None,
                unit_id=getattr(obj, f"{unit_field}_id"),
                occurred_at=now,
                event_date=None,
                state_before=state.get(pk, ""),
                state_after=current,
                values={
                    "fields": row_values(obj, recorded),
                    "rows": [{"model": label, "id": row.pk, "fields": row_values(row, fields)} for label, row, fields in kids[pk]],
                    "removed": [],
                },
                text="",
            )
        )
    written = []
    for e in events:
        e.save()
        written.append(e)
    audit_append_many([(SOURCE, e.pk, event_leaf_bytes(e)) for e in written])
    return len(written)
