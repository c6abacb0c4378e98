"""The matter rows as a checked projection of their events (``fazhi audit verify``).

Every register's row is what its events say: replaying a matter's events in order (the values
each step recorded, the state it left) must give every recorded field of the row. A row changed
in the database without a step, a row deleted, or a row without any event is reported. The
cached clock columns (``due_on``, ``due_rule``, ``calendar_version``, ``deadlines``) are the
clock engine's: they are recomputed from the events with the current calendar and compared (a
difference is a changed row, or a holiday schedule imported without ``fazhi clock recompute``
after it); ``year`` and ``closed_on`` follow from the events by rule and are checked by that rule. Rows the city-scale generator wrote in bulk
without events are bound by their batch leaf (count and id range), not field by field.

The check streams each register's rows and events side by side in primary-key order, so its
memory does not grow with the register. The events are read as the driver gives them (a
server-side cursor on PostgreSQL; the values parsed by orjson, only stored-encrypted text
decrypted), not through the model's fields. A register cuts into ranges of keys
(``matters_parts``), each checked on its own (``matters_part_check``): ``fazhi audit verify
--workers N`` checks them in N processes.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import orjson
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models

from fazhi.core.fieldcrypt import PREFIX
from fazhi.law.workdays import WorkCalendar, current_calendar
from fazhi.registers.framework.clocks import EventFact, matter_deadlines, matter_due_on
from fazhi.registers.framework.fields import event_value_read
from fazhi.registers.framework.models import GeneratedBatch, MatterEvent
from fazhi.registers.framework.registry import REGISTRY, Register

# Caches of the clock engine and bookkeeping columns: not facts a step records.
NOT_RECORDED = {"id", "created_at", "updated_at", "due_on", "due_rule", "calendar_version", "deadlines", "sequence"}
# Facts that follow from the events by rule (checked below, not field by field).
BY_RULE = {"year", "closed_on"}

CHUNK = 5000
PART_SPAN = 20_000  # keys of a register checked as one part (`matters_parts`)


def _same(field: models.Field[Any, Any], expected: Any, actual: Any) -> bool:
    if type(expected) is type(actual) and expected == actual:  # most fields: the rules below agree
        return True
    if expected in (None, "") or actual in (None, ""):
        return expected in (None, "") and actual in (None, "")
    if isinstance(field, models.DecimalField):
        try:
            return decimal.Decimal(str(expected)) == decimal.Decimal(str(actual))
        except decimal.InvalidOperation:
            return False
    if isinstance(field, models.DateTimeField):
        value = dt.datetime.fromisoformat(expected) if isinstance(expected, str) else expected
        return bool(value == actual)
    if isinstance(field, models.DateField):
        return bool(str(expected) == actual.isoformat())
    if isinstance(field, models.FloatField):
        return float(expected) == float(actual)
    return bool(expected == actual)


def _default(field: models.Field[Any, Any]) -> Any:
    return field.get_default() if field.has_default() else None


Step = tuple[str, int, dt.date, str, dict[str, Any]]  # (transition, unit, event date, state after, values recorded)


def _values(text: Any) -> Any:
    """An event's stored values as the model's field reads them: parsed (orjson; json for what
    orjson refuses, e.g. NaN), stored-encrypted text decrypted."""
    if not isinstance(text, str | bytes):
        return text
    try:
        values = orjson.loads(text)
    except orjson.JSONDecodeError:
        values = json.loads(text)
    if isinstance(values, dict) and PREFIX in (text if isinstance(text, str) else text.decode("utf-8", "replace")):
        return {k: event_value_read(k, v) for k, v in values.items()}
    return values


def _events(ctype: ContentType, lo: int | None, hi: int | None) -> Iterator[tuple[int, list[Step]]]:
    """(object_id, [step, ...]) in object_id order for object ids in [lo, hi), each matter's steps
    in the order written."""
    t = MatterEvent._meta.db_table
    after = "after::text" if connection.vendor == "postgresql" else "after"
    where, params = ["content_type_id = %s"], [ctype.pk]
    if lo is not None:
        where.append("object_id >= %s")
        params.append(lo)
    if hi is not None:
        where.append("object_id < %s")
        params.append(hi)
    sql = f"SELECT object_id, transition, unit_id, event_date, state_after, {after} FROM {t} WHERE {' AND '.join(where)} ORDER BY object_id, id"
    current: int | None = None
    bucket: list[Step] = []
    with connection.chunked_cursor() as cur:  # server-side on PostgreSQL: memory does not grow with the table
        cur.execute(sql, params)
        while rows := cur.fetchmany(CHUNK):
            for object_id, transition, unit_id, event_date, state_after, values in rows:
                if object_id != current:
                    if current is not None:
                        yield current, bucket
                    current, bucket = object_id, []
                day = dt.date.fromisoformat(event_date) if isinstance(event_date, str) else event_date
                bucket.append((transition, unit_id, day, state_after, _values(values)))
    if current is not None:
        yield current, bucket


def _check_register(reg: Register, progress: Callable[[int], None] | None, lo: int | None = None, hi: int | None = None) -> tuple[int, list[str]]:
    """The register's matters with keys in [lo, hi) (all without bounds) against their events."""
    model = reg.model
    label = reg.definition.label
    fields = [f for f in model._meta.concrete_fields if f.name not in NOT_RECORDED]
    checked = [f for f in fields if f.name not in BY_RULE]
    names = [f.attname for f in fields] + ["due_on", "deadlines"]
    cal = current_calendar()
    terminal = {name for name, s in reg.definition.states.items() if s.terminal}
    batches = [(b.first_id, b.last_id) for b in GeneratedBatch.objects.filter(register=reg.name)]
    problems: list[str] = []
    count = 0
    events = _events(ContentType.objects.get_for_model(model), lo, hi)
    pending = next(events, None)
    qs = model.objects.order_by("pk")
    if lo is not None:
        qs = qs.filter(pk__gte=lo)
    if hi is not None:
        qs = qs.filter(pk__lt=hi)
    rows = qs.values_list("pk", *names).iterator(chunk_size=CHUNK)
    for row in rows:
        pk, values = row[0], dict(zip(names, row[1:], strict=True))
        while pending is not None and pending[0] < pk:
            problems.append(f"{label}记录 #{pending[0]} 已被删除，但其 {len(pending[1])} 个事件仍在日志中")
            pending = next(events, None)
        count += 1
        if progress and count % CHUNK == 0:
            progress(CHUNK)
        if pending is None or pending[0] != pk:
            if not any(first <= pk <= last for first, last in batches):
                problems.append(f"{label} {values['case_number']} 没有任何事件（记录未经办理步骤写入）")
            continue
        _, steps = pending
        pending = next(events, None)
        problems.extend(_compare(reg, {"pk": pk, **values}, steps, checked, terminal, cal))
    while pending is not None:
        problems.append(f"{label}记录 #{pending[0]} 已被删除，但其 {len(pending[1])} 个事件仍在日志中")
        pending = next(events, None)
    if progress and count % CHUNK:
        progress(count % CHUNK)
    return count, problems


def _compare(reg: Register, values: dict[str, Any], steps: list[Step], checked: list[Any], terminal: set[str], cal: WorkCalendar) -> list[str]:
    replay: dict[str, Any] = {}
    closed_on: dt.date | None = None
    state = ""
    for n, (_, unit_id, event_date, state_after, after) in enumerate(steps):
        replay["unit"] = unit_id  # the unit handling the matter when the step was taken
        replay.update(after)
        state = state_after
        if closed_on is None and state_after in terminal and n > 0:  # a step closes a matter; creating one never does
            closed_on = event_date
    who = f"{reg.definition.label} {values['case_number']}"
    wrong: list[str] = []
    for f in checked:
        key = f.name
        actual = values[f.attname]
        if key == "state":
            ok = actual == state
        elif key in replay:
            ok = _same(f, replay[key], actual)
        else:
            ok = _same(f, _default(f), actual)
        if not ok:
            wrong.append(str(f.verbose_name))
    received = replay.get("received_on")
    if received and values.get("year") != int(str(received)[:4]):
        wrong.append("年度")
    if values.get("closed_on") != closed_on:
        wrong.append("办结日期")
    problems = []
    if wrong:
        # field names only: the values may be personal data, which never goes to a log
        problems.append(f"{who}：{'、'.join(dict.fromkeys(wrong))} 与其事件记录不符（记录未经办理步骤被改动）")
    clocks = _clocks_wrong(reg, values, steps, cal)
    if clocks:
        problems.append(f"{who}：{'、'.join(clocks)} 与按事件和现行日历重算的结果不符（记录被改动，或更新节假日安排后尚未执行 fazhi clock recompute）")
    return problems


def _clocks_wrong(reg: Register, values: dict[str, Any], steps: list[Step], cal: WorkCalendar) -> list[str]:
    matter = SimpleNamespace(**values)
    facts = [EventFact(transition, event_date) for transition, _, event_date, _, _ in steps]
    wrong = []
    if matter_deadlines(matter, facts, cal=cal, reg=reg) != (values["deadlines"] or {}):
        wrong.append("期限遵守情况")
    if matter_due_on(matter, facts, cal=cal, reg=reg) != values["due_on"]:
        wrong.append("当前期限")
    return wrong


def matters_check(progress: Callable[[int], None] | None = None) -> tuple[int, list[str]]:
    """Replay every matter of every register against its row; (rows checked, problems)."""
    total, problems = 0, []
    for reg in REGISTRY.values():
        count, found = _check_register(reg, progress)
        total += count
        problems.extend(found)
    return total, problems


def matters_parts(span: int | None = None) -> list[tuple[str, int | None, int | None]]:
    """The check cut into (register, first key, key after the last) ranges of about ``span`` keys
    that together cover every key (the first range open below, the last open above: an event of a
    deleted row falls in one of them)."""
    span = span or PART_SPAN
    parts: list[tuple[str, int | None, int | None]] = []
    for name, reg in REGISTRY.items():
        low = reg.model.objects.order_by("pk").values_list("pk", flat=True).first()
        high = reg.model.objects.order_by("-pk").values_list("pk", flat=True).first()
        cuts = list(range(low + span, high + 1, span)) if low is not None and high is not None else []
        bounds: list[int | None] = [None, *cuts, None]
        parts += [(name, bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]
    return parts


def matters_part_check(part: tuple[str, int | None, int | None]) -> tuple[int, list[str]]:
    name, lo, hi = part
    return _check_register(REGISTRY[name], None, lo, hi)


def matters_count() -> int:
    return sum(reg.model.objects.count() for reg in REGISTRY.values())
