"""Bulk writing of matters: the same rows, events, audit leaves and cached due dates as the
services write, in a few statements per batch.

Two callers. Generators (demo, benchmarks) build histories that respect the procedure by
construction (tests check a sample of them against the register's checks): :func:`bulk_write`.
A ledger import checks every row by the services' own step procedure (services.*_checked) on
matter objects in memory, then writes what they produced: :func:`written_replay`. Everything
else goes through the services.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections, transaction
from django.utils import timezone

from fazhi.audit.services import audit_append_many, audit_leaves_stage
from fazhi.core.bulkrows import ids_take, rows_insert, values_ready
from fazhi.core.types import Actor, actor_row_or_none
from fazhi.registers.framework.clocks import EventFact, _due_values, matter_clocks, matter_deadlines
from fazhi.registers.framework.events import event_leaf_bytes
from fazhi.registers.framework.models import CaseNumberSequence, Matter, MatterEvent
from fazhi.registers.framework.registry import Register


@dataclass
class Step:
    transition: str
    actor: Actor
    day: dt.date
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Written:
    """A matter as an import's plan left it after its row's steps: its row and the events of
    those steps, to be written for real."""

    number: int  # the ledger row, for messages
    pk: int | None  # an existing matter's id; None: a new matter
    values: dict[str, Any]  # column (attname) -> value, the id left out
    events: list[MatterEvent]  # the steps' events, unsaved (the matter's id set when written)
    last_event: int  # an existing matter's last event when the row was planned (0: none)
    prepared: tuple[Any, ...] | None = None  # the row's values as the database takes them (replays)


@dataclass
class Planned:
    """A matter in its final state and the steps that led there (the first is the creation)."""

    matter: Matter
    steps: list[Step]


def _json(value: Any) -> Any:
    from fazhi.registers.framework.services import json_value

    return json_value(value)


@transaction.atomic
def bulk_write(reg: Register, planned: list[Planned], *, batch: int = 2000) -> int:
    """Number the matters, then write them, their events and the events' audit leaves."""
    counters: dict[tuple[int, int], int] = {}
    for seq in CaseNumberSequence.objects.filter(register=reg.name):
        counters[(seq.unit_id, seq.year)] = seq.last_value
    ctype = ContentType.objects.get_for_model(reg.model)
    now = timezone.now()
    cal = None
    for start in range(0, len(planned), batch):
        chunk = planned[start : start + batch]
        for p in chunk:
            m = p.matter
            m.year = m.received_on.year
            key = (m.unit_id, m.year)
            counters[key] = counters.get(key, 0) + 1
            m.sequence = counters[key]
            m.case_number = reg.definition.case_number_template.format(unit_short=m.unit.short_name, year=m.year, seq=m.sequence)
        reg.model.objects.bulk_create([p.matter for p in chunk], batch_size=batch)
        events = []
        for p in chunk:
            m, state = p.matter, ""
            for s in p.steps:
                t = reg.definition.transitions.get(s.transition)
                after_state = reg.definition.initial if t is None and s.transition == "register" else (state if t is None or t.target == "same" else t.target)
                events.append(
                    MatterEvent(
                        content_type=ctype,
                        object_id=m.pk,
                        register=reg.name,
                        case_number=m.case_number,
                        transition=s.transition,
                        actor=actor_row_or_none(s.actor),
                        unit_id=m.unit_id,
                        occurred_at=now,
                        event_date=s.day,
                        state_before=state,
                        state_after=after_state,
                        before={},
                        after={k: _json(v) for k, v in s.values.items()} | ({"case_number": m.case_number} if s.transition == "register" else {}),
                        note="演示数据",
                    )
                )
                state = after_state
        events_append(events, batch=batch)
        by_matter: dict[int, list[EventFact]] = defaultdict(list)
        for e in events:
            by_matter[e.object_id].append(EventFact(e.transition, e.event_date))
        groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
        for p in chunk:
            facts = by_matter[p.matter.pk]
            values = _due_values(p.matter, matter_clocks(p.matter, facts, cal=cal, explain=False, reg=reg), reg)
            p.matter.deadlines = matter_deadlines(p.matter, facts, cal=cal, reg=reg)
            groups[(values["due_on"], values["due_rule"], values["calendar_version"], json.dumps(p.matter.deadlines, sort_keys=True))].append(p.matter.pk)
        for (due_on, due_rule, version, deadlines), pks in groups.items():
            for i in range(0, len(pks), 900):
                reg.model.objects.filter(pk__in=pks[i : i + 900]).update(
                    due_on=due_on, due_rule=due_rule, calendar_version=version, deadlines=json.loads(deadlines)
                )
        from fazhi.registers.framework.services import matters_written

        matters_written(reg, [(None, p.matter) for p in chunk])
    for (unit_id, year), value in counters.items():
        CaseNumberSequence.objects.update_or_create(register=reg.name, unit_id=unit_id, year=year, defaults={"last_value": value})
    return len(planned)


def events_append(events: list[MatterEvent], *, batch: int = 2000) -> None:
    """Insert events (ids in list order) and append their audit leaves in that order."""
    if events and not connection.in_atomic_block:
        raise RuntimeError("events are appended inside the transaction that writes their matters")
    rows_insert(MatterEvent._meta.db_table, _event_columns(), _events_prepared(events), batch=batch)
    audit_append_many([("matter_event", e.pk, event_leaf_bytes(e)) for e in events])


def _event_columns() -> list[str]:
    return ["id", *(str(f.column) for f in MatterEvent._meta.concrete_fields if not f.primary_key)]


def _events_prepared(events: list[MatterEvent]) -> list[tuple[Any, ...]]:
    """The events' rows as plain tuples (for COPY on PostgreSQL, executemany elsewhere), their ids
    taken in list order beforehand (the ORM's bulk_create costs several times the statement for
    these rows)."""
    if not events:
        return []
    fields = [f for f in MatterEvent._meta.concrete_fields if not f.primary_key]
    conn = connections[connection.alias]  # the wrapper itself: each attribute of the proxy is a lookup
    rows = []
    for e, pk in zip(events, ids_take(MatterEvent, len(events)), strict=True):
        e.pk = pk
        rows.append((pk, *values_ready(f.get_db_prep_save(f.pre_save(e, True), conn) for f in fields)))
        e._state.adding, e._state.db = False, conn.alias
    return rows


@dataclass
class WritePlan:
    """An import's final write made ready before its transaction (:func:`written_prepare`): every
    value as the database takes it (personal data encrypted), the ids, the events' audit leaves
    and their hashes, the write observers' work (rollup deltas summed per key, search rows). What
    is left for the transaction (:func:`written_commit`) is the locks, the statements and the
    tree's extension by the leaves' hashes."""

    reg: Register
    written: list[Written]
    fresh: list[int]  # the new matters' ids, in order
    matters: list[Matter]
    events: list[MatterEvent]
    event_rows: list[tuple[Any, ...]]
    leaves: list[tuple[str, int, bytes]]
    hashes: list[bytes]
    highest: dict[tuple[int, int], int]  # (unit, year) -> the highest sequence the new matters bring
    own: list[Callable[[], None]]  # the write observers' writes to rows of these matters alone (search)
    shared: list[Callable[[], None]]  # ... and to rows others write too (rollups, the page cache's version)


def written_prepare(reg: Register, written: list[Written]) -> WritePlan:
    """Everything of an import's final write that needs no lock, outside any transaction: the
    matters' and events' values converted, their ids reserved (bulkrows.ids_take), the events'
    leaves and their hashes, the write observers' work made ready. A matter's state before
    (for the rollups' deltas) is read here: the transaction re-checks that nobody stepped it
    since it was planned (ledger._changed_meanwhile), so it still holds there."""
    from fazhi.audit.merkle import leaf_hash
    from fazhi.registers.framework.services import matters_written_ready

    model: Any = reg.model
    previous: dict[int, Matter] = {}
    pks = [w.pk for w in written if w.pk is not None]
    for i in range(0, len(pks), 900):
        previous |= {m.pk: m for m in model.objects.filter(pk__in=pks[i : i + 900])}
    rows_prepare(model, written)
    highest: dict[tuple[int, int], int] = {}
    for w in written:
        if w.pk is None and w.values.get("sequence"):
            key = (w.values["unit_id"], w.values["year"])
            highest[key] = max(highest.get(key, 0), w.values["sequence"])
    fresh = ids_take(model, sum(1 for w in written if w.pk is None))
    given = iter(fresh)
    matters = [model(pk=w.pk if w.pk is not None else next(given), **w.values) for w in written]
    events = []
    for w, m in zip(written, matters, strict=True):
        for e in w.events:
            e.object_id = m.pk
            events.append(e)
    event_rows = _events_prepared(events)
    leaves = [("matter_event", e.pk, event_leaf_bytes(e)) for e in events]
    hashes = [leaf_hash(data) for _, _, data in leaves]
    # all at once: the rollups' deltas summed over the whole file, one upsert
    own, shared = matters_written_ready(reg, [(previous.get(m.pk), m) for m in matters])
    return WritePlan(reg, written, fresh, matters, events, event_rows, leaves, hashes, highest, own, shared)


def written_commit(plan: WritePlan) -> None:
    """The final write of an import made ready by :func:`written_prepare`, in the caller's
    transaction. Locks in the services' order, so that a clerk's step and this write cannot
    deadlock, each as late as that order allows: the case-number counters (a clerk's
    registration takes its counter before it inserts its row: taken after the rows, a clerk's
    case number equal to one of the file's would wait for this transaction while holding the
    counter this one waits for), the rows and events (inserts nobody else waits for), the
    register's after-step hooks and step observers, the write observers' rows of these matters
    alone (search rows: nobody else writes them while the matters are new or locked by the
    re-check), on PostgreSQL the leaves copied into a temporary table and the deferred
    foreign-key checks of all these rows run (else at the commit), then the audit log's head (the tree extended by the leaves' hashes) and, last, what
    the write observers update that others write too (rollups, the page cache's version), which a
    clerk's step too takes after the head."""
    from fazhi.registers.framework.definition import CREATE
    from fazhi.registers.framework.services import sequences_advance, steps_observed

    reg = plan.reg
    sequences_advance(reg, plan.highest)
    rows_write(reg.model, plan.written, new_ids=plan.fresh)
    rows_insert(MatterEvent._meta.db_table, _event_columns(), plan.event_rows)
    by_pk = {m.pk: m for m in plan.matters}
    # a correction runs no hook and issues nothing
    steps = [(by_pk[e.object_id], e.transition, None if e.transition == CREATE else e) for e in plan.events if e.transition != "amend"]
    after_many = getattr(reg.hooks, "after_many", None)
    after = getattr(reg.hooks, "after", None)
    if after_many is not None:
        after_many(steps)
    elif after is not None:
        for matter, transition, event in steps:
            after(matter, transition, event)
    for e in plan.events:
        if e.transition != "amend":
            steps_observed(reg, by_pk[e.object_id], e.transition, e, imported=True)
    for apply in plan.own:
        apply()
    staged = audit_leaves_stage(plan.leaves, plan.hashes)  # PostgreSQL: copied now, placed under the head
    if connection.vendor == "postgresql":  # the checks pending so far run now; later rows' at the commit, as before
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    audit_append_many(plan.leaves, plan.hashes, staged=staged)
    for apply in plan.shared:
        apply()


def written_replay(reg: Register, written: list[Written], *, effects: bool) -> None:
    """Write what an import planned: new matters inserted, existing ones updated, their events.

    ``effects=False`` writes only the matters' rows: an import replays the rows it has planned so
    far before planning the next ones, so that each row's checks see the matters the rows before
    it will have written (a proposal number used twice, a catalogue item already decided); the
    checks read a matter's events from the plan (clocks.events_known). ``effects=True`` is the
    real write, in the caller's transaction (:func:`written_prepare` then :func:`written_commit`:
    an import prepares before its transaction): the rows, the events and their audit leaves, the
    case-number counters, the register's after-step hooks (which see the row's final state), the
    step observers and the write observers (rollups, search)."""
    if not effects:
        rows_write(reg.model, written)
        return
    written_commit(written_prepare(reg, written))


def rows_write(model: Any, written: list[Written], batch: int = 500, *, new_ids: list[int] | None = None) -> None:
    """The planned matters' rows, inserted (new) or updated (existing) in bulk. Each row's values
    are converted for the database once (the field conversions, encryption of personal data
    included, cost far more than the statement) and kept for the import's next write of it.
    ``new_ids``: the new rows' ids, in order (the final write: inserted with them, by COPY on
    PostgreSQL); without, the database gives them (a planning transaction, rolled back)."""
    rows_prepare(model, written)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    table = connection.ops.quote_name(model._meta.db_table)
    names = [connection.ops.quote_name(f.column) for f in fields]
    pk = connection.ops.quote_name(model._meta.pk.column)
    fresh = [w.prepared for w in written if w.pk is None and w.prepared is not None]
    existing = [(*w.prepared, w.pk) for w in written if w.pk is not None and w.prepared is not None]
    if new_ids is not None:
        columns = [str(c) for c in [model._meta.pk.column, *(f.column for f in fields)]]
        rows_insert(model._meta.db_table, columns, [(i, *row) for i, row in zip(new_ids, fresh, strict=True)], batch=batch)
        fresh = []
    with connection.cursor() as cur:
        insert = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})"
        update = f"UPDATE {table} SET {', '.join(f'{n} = %s' for n in names)} WHERE {pk} = %s"
        for i in range(0, len(fresh), batch):
            cur.executemany(insert, fresh[i : i + batch])
        for i in range(0, len(existing), batch):
            cur.executemany(update, existing[i : i + batch])


def rows_prepare(model: Any, written: list[Written]) -> None:
    """Each planned row's values converted for the database once (``Written.prepared``): the
    field conversions, encryption of personal data included, cost far more than the statement."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    conn = connections[connection.alias]
    for w in written:
        if w.prepared is None:
            obj = model(**w.values)
            add = w.pk is None
            w.prepared = values_ready(f.get_db_prep_save(f.pre_save(obj, add), conn) for f in fields)
            w.values |= {f.attname: getattr(obj, f.attname) for f in fields if getattr(f, "auto_now", False) or (add and getattr(f, "auto_now_add", False))}
