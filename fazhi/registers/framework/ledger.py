"""Spreadsheet ledgers (台账) of any register: the column template, import and export.

One row is one matter. Its columns are the fields of the matter's registration followed by the
fields of the steps the register's ``ledger`` declaration lists; importing a row registers the
matter under the row's 案号 and replays, in the declared order, every step whose columns are
filled, checked by the same step procedure as the web forms' services (services.*_checked: every
check holds) on matter objects in memory, then the whole file is written in one short
transaction (every step an event and an audit leaf). Re-importing a file is a no-op; a row that has gained columns since
adds the steps they imply, and changed registration facts become amendments with a reason.
Export writes the same columns, so an exported list can be corrected and imported again.
"""

from __future__ import annotations

import copy
import decimal
import io
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, models, transaction

from fazhi.core.errors import FazhiError, ImportFailed, PermissionDenied, ValidationFailed
from fazhi.core.importers import ImportResult
from fazhi.core.masking import mask_id_number, mask_name, mask_phone, text_public
from fazhi.core.models import Role, Unit
from fazhi.core.selectors import user_can_see_unit, user_has_role, user_is_admin
from fazhi.core.tabular import parse_bool, parse_date, read_table, xlsx_row
from fazhi.core.types import Actor
from fazhi.law.workdays import calendar_pinned
from fazhi.registers.framework.bulk import WritePlan, Written, rows_write, written_commit, written_prepare, written_replay
from fazhi.registers.framework.clocks import events_known, events_of, matter_events
from fazhi.registers.framework.definition import LedgerStep, Transition
from fazhi.registers.framework.memo import memoized, rows_memoized
from fazhi.registers.framework.models import Matter, MatterEvent
from fazhi.registers.framework.registry import Register, model_field
from fazhi.registers.framework.services import (
    Checked,
    amend_checked,
    create_checked,
    dues_apply,
    event_new,
    imported_number_set,
    system_user,
    transition_checked,
)

UNIT_COLUMN = "办理单位编码"
NUMBER_COLUMN = "案号"
CARRIED_COLUMN = "上年结转"
STAFF_ROLES = {Role.CLERK, Role.REVIEWER, Role.HEAD}
MAX_PROBLEMS = 200
IMPORT_USERNAME = "ledger_import"


@dataclass(frozen=True)
class Column:
    header: str
    field: str  # a model field, or "" for the unit / case number / carried-in columns
    required: bool
    hint: str


def _step_fields(t: Transition) -> list[str]:
    return list(dict.fromkeys([*([t.date_field] if t.date_field else []), *t.fields, *t.optional]))


def ledger_fields(reg: Register) -> list[str]:
    d = reg.definition
    names = [*d.create.fields, *d.create.optional]
    for step in d.ledger:
        names += _step_fields(d.transitions[step.transition])
    return list(dict.fromkeys(names))


def _hint(reg: Register, name: str) -> str:
    f = model_field(reg.model, name)
    if name == reg.definition.outcome_field:
        return "可填：" + "、".join(o.label for o in reg.definition.outcomes.values())
    if f.choices:
        return "可填：" + "、".join(str(label) for _, label in f.flatchoices)
    if isinstance(f, models.DateField):
        return "日期，如 2025-03-01"
    if isinstance(f, models.BooleanField):
        return "是 / 否"
    if isinstance(f, models.ForeignKey):
        target = f.related_model
        assert isinstance(target, type) and issubclass(target, models.Model)
        return "单位编码或全称" if target is Unit else {"code": "编码（如执法证号、事项编码）", "case_number": "案号"}.get(_fk_label(target), "名称")
    if isinstance(f, (models.DecimalField, models.IntegerField)):
        return "数字"
    return ""


def ledger_columns(reg: Register) -> list[Column]:
    d = reg.definition
    date_label = str(model_field(reg.model, "received_on").verbose_name)
    columns = [
        Column(UNIT_COLUMN, "", True, "本系统中的单位编码"),
        Column(NUMBER_COLUMN, "", True, "台账中的编号；重复导入时用它识别同一案件"),
        Column(CARRIED_COLUMN, "", False, "是 / 否（上年受理、本年结转的案件）"),
    ]
    for name in ledger_fields(reg):
        f = model_field(reg.model, name)
        label = date_label if name == "received_on" else str(f.verbose_name)
        columns.append(Column(label, name, name in d.create.fields and not isinstance(f, models.BooleanField), _hint(reg, name)))
    return columns


# ---------------------------------------------------------------- cells -> values


class CellError(Exception):
    pass


def _choice_code(choices: Iterable[tuple[str, str]], raw: str) -> str:
    for code, label in choices:
        if raw in (code, label) or raw.startswith(f"{label}（"):
            return code
    raise CellError(f"无法识别“{raw}”，应为 {'、'.join(label for _, label in choices)}")


def cell_value(reg: Register, name: str, raw: Any, row: dict[str, Any]) -> Any:
    """A spreadsheet cell as the value the services take (they run the model's own validation)."""
    f = model_field(reg.model, name)
    if isinstance(f, models.DateField):
        day = parse_date(raw)
        if day is None:
            raise CellError(f"无法识别日期“{raw}”，请写成 2025-03-01")
        return day
    if isinstance(f, models.BooleanField):
        flag = parse_bool(raw)
        if flag is None:
            raise CellError(f"应填“是”或“否”，而不是“{raw}”")
        return flag
    text = str(raw).strip()
    if name == reg.definition.outcome_field:
        return _choice_code([(o.code, o.label) for o in reg.definition.outcomes.values()], text)
    if f.choices:
        return _choice_code([(str(c), str(label)) for c, label in f.flatchoices], text)
    if isinstance(f, models.ForeignKey):
        return _foreign_key(reg, f, text, row)
    if isinstance(raw, float) and isinstance(f, models.DecimalField):
        return str(decimal.Decimal(str(raw)))
    return text


def _fk_label(target: type[models.Model]) -> str:
    """The column a ledger shows for a related row: its code where names may repeat (two
    officers called 陈刚), a matter's case number, otherwise its name."""
    names = {g.name for g in target._meta.fields}
    return "code" if "code" in names else "case_number" if "case_number" in names else "name"


def _foreign_key(reg: Register, f: models.ForeignKey[Any, Any], text: str, row: dict[str, Any]) -> Any:
    target = f.related_model
    assert isinstance(target, type) and issubclass(target, models.Model)
    names = {g.name for g in target._meta.get_fields()}
    label = _fk_label(target)
    # a mediator is named within the committee of the same row
    within = tuple(sorted((other, row[other]) for other in names & set(row) if isinstance(row[other], int)))

    def read() -> list[Any]:
        cond = models.Q(**{label: text}) | (models.Q(name=text) if "name" in names and label != "name" else models.Q(pk__in=[]))
        qs = target._default_manager.filter(cond).filter(**{f"{other}_id": value for other, value in within})
        return list(qs.values_list("pk", flat=True)[:2])

    pks = memoized(("ledger.cell", target._meta.label, text, within), read)
    if not pks:
        raise CellError(f"找不到“{text}”")
    if len(pks) > 1:
        raise CellError(f"“{text}”不唯一，请填写编码")
    return pks[0]


# ---------------------------------------------------------------- import


def import_user() -> Any:
    """The actor of a command-line import."""
    return system_user(IMPORT_USERNAME, "台账导入（命令行）")


def _when_holds(step: LedgerStep, values: dict[str, Any]) -> bool:
    for name, accepted in step.when.items():
        value = values.get(name)
        text = "" if value in (None, "") else str(value)
        if not any(a == text or (a == "*" and text) for a in accepted):
            return False
    return True


def ledger_import(
    *,
    reg: Register,
    data: bytes,
    filename: str,
    actor: Actor | None = None,
    progress: Callable[[int], None] | None = None,
    cli: bool = False,
    max_rows: int | None = None,
) -> ImportResult:
    """Import a ledger: all rows or none. ``cli``: run by the operator on the server (no user).
    The reference rows the cells and checks name (officers, items) are read once per file.
    ``max_rows``: a larger file is refused before any row is read (the web page's limit)."""
    with rows_memoized():
        return _ledger_import(reg=reg, data=data, filename=filename, actor=actor, progress=progress, cli=cli, max_rows=max_rows)


def _ledger_import(
    *, reg: Register, data: bytes, filename: str, actor: Actor | None, progress: Callable[[int], None] | None, cli: bool, max_rows: int | None
) -> ImportResult:
    columns = ledger_columns(reg)
    table = read_table(data, filename, required=[c.header for c in columns if c.required])
    if max_rows is not None and len(table.rows) > max_rows:
        # All or nothing means one final write transaction, and its length grows with the file:
        # while it runs, everyone else's steps wait (on SQLite, a wait past 30 s fails).
        raise ImportFailed(
            [
                f"台账有 {len(table.rows)} 行数据，网页上一次最多导入 {max_rows} 行：导入的最后一步在一次写入中保存全部数据，"
                f"行数越多，其他人办理案件时等待越久。请把文件拆分为每份不超过 {max_rows} 行后分批导入，"
                "或请系统管理员在办公时间以外用命令行导入整个文件"
            ]
        )
    by_header = {c.header: c for c in columns}
    unknown = [h for h in table.header if h and h not in by_header]
    if unknown:
        raise ImportFailed([f"第1行（列名）：不认识的列“{'”“'.join(unknown)}”；请使用本台账的导入模板"])
    if actor is None:
        if not cli:
            raise PermissionDenied("请先登录")
        actor = import_user()
    trusted = cli or user_is_admin(actor)
    units = {u.code: u for u in Unit.objects.all()}
    problems: list[str] = []
    seen: dict[str, int] = {}
    # 0. Read every row first (units, case numbers, every cell): a malformed cell anywhere in the
    # file is reported at once, before any step runs.
    rows: list[_Row] = []
    for number, raw_row in table.rows:
        try:
            rows.append(_row_read(reg, number, raw_row, by_header, units, actor, trusted, seen))
        except _RowProblems as exc:
            if _too_many(problems, exc.problems):
                break
    if problems:
        raise ImportFailed(problems)
    # 1. Plan: every row's steps checked and applied to matter objects in memory, by the same
    # procedure as the services (services.*_checked), each matter's events from the plan.
    # Nothing is written and no transaction is open: the office works on. A register whose checks
    # look at its other matters (a proposal number used twice) must see the file's rows before:
    # the first such read stops this plan, and the file is planned again with each planned row
    # written in transactions rolled back.
    counted = 0

    def tick(position: int) -> None:  # rows planned; a second plan counts only the rows beyond the first
        nonlocal counted
        if progress and position > counted:
            progress(position - counted)
            counted = position

    try:
        known = _matters_known(reg, rows)
        with _reads_only(reg):
            planned, result, problems = _plan(reg, rows, known, by_header, actor, trusted, filename, tick, rows_written=False)
    except _ReadsMatters:
        known = _matters_known(reg, rows)  # as read again: the first plan changed its objects
        planned, result, problems = _plan(reg, rows, known, by_header, actor, trusted, filename, tick, rows_written=True)
    if problems:
        raise ImportFailed(problems)
    # 2. Write what was planned: made ready outside any transaction (values converted, ids
    # reserved, leaves hashed, rollup deltas and search rows computed), then one short transaction.
    final_write(reg, planned, written_prepare(reg, planned))
    return result


def final_write(reg: Register, planned: list[Written], plan: WritePlan) -> None:
    """The import's one write transaction: what someone else changed since the planning refuses
    the whole file (nothing written), then the plan is written (bulk.written_commit). A case
    number registered by someone else after the re-check (the unique index then refuses the
    insert) is named the same way."""
    try:
        with transaction.atomic():
            problems = _changed_meanwhile(reg, planned)
            if problems:
                raise ImportFailed(problems)
            written_commit(plan)
    except IntegrityError:
        with transaction.atomic():
            problems = _changed_meanwhile(reg, planned)
        if not problems:
            raise
        raise ImportFailed(problems) from None


class _ReadsMatters(Exception):
    """The register's checks read its matters: the file's planned rows must be in the table."""


@contextmanager
def _reads_only(reg: Register) -> Iterator[None]:
    """Planning in memory: a statement that writes is a bug (refused); a read of the register's
    own table means its checks look at other matters (_ReadsMatters)."""
    table = connection.ops.quote_name(reg.model._meta.db_table)

    def guard(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if not sql.lstrip().upper().startswith("SELECT"):
            raise RuntimeError(f"a ledger import's planning must not write: {sql[:60]}")
        if table in sql:
            raise _ReadsMatters()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(guard):
        yield


def _plan(
    reg: Register,
    rows: list[_Row],
    known: dict[str, Matter],
    by_header: dict[str, Column],
    actor: Actor,
    trusted: bool,
    filename: str,
    tick: Callable[[int], None],
    *,
    rows_written: bool,
) -> tuple[list[Written], ImportResult, list[str]]:
    """Every row planned (``rows_written``: each planned row's matter written in a transaction
    rolled back, so that the rows after it see it; on SQLite in chunks of PLAN_SECONDS with a
    pause between them, for the office's writes to get in)."""
    planned: list[Written] = []
    problems: list[str] = []
    result = ImportResult()
    chunked = rows_written and connection.vendor == "sqlite"
    position = 0
    while position < len(rows) and len(problems) < MAX_PROBLEMS:
        if position:
            time.sleep(PLAN_PAUSE)  # writers queued for the lock get it before the next chunk
        with transaction.atomic() if rows_written else nullcontext(), calendar_pinned():
            if chunked and planned:
                written_replay(reg, planned, effects=False)
            started = time.monotonic()
            while position < len(rows):
                row = rows[position]
                position += 1
                try:
                    outcome, written = _import_row(reg, row, by_header, actor, trusted, filename, known, rows_written=rows_written)
                    setattr(result, outcome, getattr(result, outcome) + 1)
                    if written is not None:
                        planned.append(written)
                except _RowProblems as exc:
                    if _too_many(problems, exc.problems):
                        break
                tick(position)
                if chunked and time.monotonic() - started > PLAN_SECONDS:
                    break  # SQLite has one writer: let the office's own writes through between chunks
            if rows_written:
                transaction.set_rollback(True)
    return planned, result, problems


def _matters_known(reg: Register, rows: list[_Row]) -> dict[str, Matter]:
    """The file's matters already registered, by case number, each with its events (read once)."""
    numbers = [r.case_number for r in rows]
    known: dict[str, Matter] = {}
    for i in range(0, len(numbers), 900):
        known |= {m.case_number: m for m in reg.model.objects.filter(case_number__in=numbers[i : i + 900]).select_related("unit")}
    events = events_of(reg.name, [m.pk for m in known.values()])
    for m in known.values():
        events_known(m, events[m.pk])
    return known


def _too_many(problems: list[str], more: list[str]) -> bool:
    """Add a row's problems; at MAX_PROBLEMS say that the list stops there, and stop."""
    problems += more
    if len(problems) < MAX_PROBLEMS:
        return False
    problems.append(f"错误过多，仅列出前 {MAX_PROBLEMS} 条")
    return True


# SQLite: the longest a planning transaction holds the database's single write lock. Other
# requests queue for it (settings: "timeout" 30 s), so they wait at most about this long.
PLAN_SECONDS = 1.0
# ... and the pause between two chunks: longer than SQLite's longest sleep between two tries of a
# waiting writer (100 ms), so that one waiting is sure to get the lock.
PLAN_PAUSE = 0.12


def _changed_meanwhile(reg: Register, planned: list[Written]) -> list[str]:
    """Rows whose matter someone else changed (or whose new case number someone else used) between
    the planning and the writing: the plan no longer holds; the import is refused as a whole."""
    problems: list[str] = []
    existing = {w.pk: w for w in planned if w.pk is not None}
    if existing:
        ids = list(existing)
        for i in range(0, len(ids), 900):
            chunk = ids[i : i + 900]
            list(reg.model.objects.select_for_update().filter(pk__in=chunk).values_list("pk", flat=True))
            last = dict(
                MatterEvent.objects.filter(register=reg.name, object_id__in=chunk)
                .values("object_id")
                .annotate(last=models.Max("pk"))
                .values_list("object_id", "last")
            )
            for pk in chunk:
                w = existing[pk]
                if last.get(pk, 0) != w.last_event:
                    problems.append(f"第{w.number}行：案件 {w.values.get('case_number')} 在导入过程中被他人办理或更正，请重新导入该文件")
    new = {str(w.values["case_number"]): w for w in planned if w.pk is None}
    names = list(new)
    q = connection.ops.quote_name
    with connection.cursor() as cursor:  # plain SQL: the ORM's IN list costs ~15 us a value, in the write's lock
        for i in range(0, len(names), 900):
            part = names[i : i + 900]
            cursor.execute(f"SELECT {q('case_number')} FROM {q(reg.model._meta.db_table)} WHERE {q('case_number')} IN ({', '.join(['%s'] * len(part))})", part)
            for (number,) in cursor.fetchall():
                problems.append(f"第{new[number].number}行“{NUMBER_COLUMN}”：案号 {number} 在导入过程中已被他人登记，请核对后重新导入")
    return problems[:MAX_PROBLEMS]


def _written(reg: Register, number: int, matter: Matter, existing: bool, events: list[MatterEvent], last_event: int) -> Written:
    """What a row's plan writes: the matter's row and its new events."""
    values = {f.attname: getattr(matter, f.attname) for f in reg.model._meta.concrete_fields if not f.primary_key}
    return Written(number=number, pk=matter.pk if existing else None, values=values, events=events, last_event=last_event)


class _RowProblems(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems


@dataclass
class _Row:
    """A ledger row as read, before any step runs."""

    number: int
    unit: Unit
    case_number: str
    carried: bool
    values: dict[str, Any]


def _row_read(
    reg: Register,
    number: int,
    raw_row: dict[str, Any],
    by_header: dict[str, Column],
    units: dict[str, Unit],
    actor: Actor,
    trusted: bool,
    seen: dict[str, int],
) -> _Row:
    """The unit, case number and cells of a row, or every problem they have (nothing written)."""
    d = reg.definition
    problems: list[str] = []

    def fail(header: str | None, message: str) -> None:
        problems.append(f"第{number}行“{header}”：{message}" if header else f"第{number}行：{message}")

    create_names = [*d.create.fields, *d.create.optional]
    code = str(raw_row.get(UNIT_COLUMN) or "").strip()
    unit = units.get(code)
    if unit is None:
        fail(UNIT_COLUMN, f"找不到单位 {code}" if code else "不能为空")
    elif not trusted and not user_has_role(actor, unit, STAFF_ROLES):
        fail(UNIT_COLUMN, f"您在{unit.name}没有经办、审核或负责人角色，不能导入该单位的台账")
    case_number = str(raw_row.get(NUMBER_COLUMN) or "").strip()
    if not case_number:
        fail(NUMBER_COLUMN, "不能为空（用于识别同一案件，重复导入不会重复登记）")
    elif case_number in seen:
        fail(NUMBER_COLUMN, f"{case_number} 与第{seen[case_number]}行重复")
    else:
        seen[case_number] = number
    carried = parse_bool(raw_row.get(CARRIED_COLUMN, "") or "")
    if carried is None:
        fail(CARRIED_COLUMN, f"应填“是”或“否”，而不是“{raw_row.get(CARRIED_COLUMN)}”")

    values: dict[str, Any] = {}
    for header, raw in raw_row.items():
        column = by_header.get(header)
        if column is None or not column.field or raw in (None, ""):
            continue
        try:
            value = cell_value(reg, column.field, raw, values)
        except CellError as exc:
            fail(header, str(exc))
            continue
        if value is False and column.field not in create_names:
            continue  # "否" in a step's check box (as exported) asks for no step
        values[column.field] = value
    if problems:
        raise _RowProblems(problems)
    assert unit is not None
    return _Row(number=number, unit=unit, case_number=case_number, carried=bool(carried), values=values)


def _import_row(
    reg: Register,
    row: _Row,
    by_header: dict[str, Column],
    actor: Actor,
    trusted: bool,
    filename: str,
    known: dict[str, Matter],
    *,
    rows_written: bool,
) -> tuple[str, Written | None]:
    """The row's steps checked and applied in memory (services.*_checked); ``rows_written``: its
    matter written in the caller's planning transaction when the row changes it.

    The clocks are applied once, after the row's last step, over all its events (the same
    refusals: the clocks walk the events in order). A row refused that way is planned again
    with the clocks applied at each step, as the services do, so that its problems are named
    exactly as they would be there (the step, its column, the first problem first)."""
    found = known.get(row.case_number)
    before = copy.copy(found) if found is not None else None
    try:
        return _row_planned(reg, row, by_header, actor, trusted, filename, known, rows_written=rows_written, clocks=False)
    except _RowProblems:
        if before is not None:
            known[row.case_number] = before
        return _row_planned(reg, row, by_header, actor, trusted, filename, known, rows_written=rows_written, clocks=True)


def _row_planned(
    reg: Register,
    row: _Row,
    by_header: dict[str, Column],
    actor: Actor,
    trusted: bool,
    filename: str,
    known: dict[str, Matter],
    *,
    rows_written: bool,
    clocks: bool,
) -> tuple[str, Written | None]:
    """:func:`_import_row` once; ``clocks``: applied at each step (else once, after the last)."""
    d = reg.definition
    problems: list[str] = []
    headers = {c.field: c.header for c in by_header.values() if c.field}
    number, unit, case_number, carried, values = row.number, row.unit, row.case_number, row.carried, row.values
    create_names = [*d.create.fields, *d.create.optional]

    def fail(header: str | None, message: str) -> None:
        problems.append(f"第{number}行“{header}”：{message}" if header else f"第{number}行：{message}")

    def run(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return call(*args, **kwargs)
        except ValidationFailed as exc:
            for name, messages in exc.errors.items():
                for message in messages:
                    fail(headers.get(name) or (NUMBER_COLUMN if name == "case_number" else None), message)
            raise _RowProblems(problems) from exc
        except FazhiError as exc:
            fail(None, exc.message)
            raise _RowProblems(problems) from exc

    note = f"台账导入（{filename} 第{number}行）"
    new_events: list[MatterEvent] = []

    def recorded(matter: Matter, step: Checked, note: str) -> None:
        event = event_new(reg=reg, matter=matter, step=step, actor=actor, note=note)
        new_events.append(event)
        events_known(matter, [*matter_events(matter, reg), event])

    create_data = {n: values[n] for n in create_names if n in values}
    found = known.get(case_number)
    existing = found is not None
    last_event = 0
    stepped = False
    outcome = "unchanged"
    if found is None:
        matter, step = run(
            create_checked,
            reg,
            d.create,
            unit=unit,
            data=create_data,
            fixed={"carried_in": bool(carried)},
            number=lambda m: imported_number_set(reg, m, case_number, taken=case_number in known),
            clocks=clocks,
        )
        stepped = True
        recorded(matter, step, note)
        outcome = "created"
    else:
        matter = found
        if matter.unit_id != unit.pk:
            # name the unit only to someone who may see it: an error never reveals another unit's record
            holder = f"已登记在{matter.unit.name}名下" if trusted or user_can_see_unit(actor, matter.unit) else "已被使用，不是本行所填单位的案件"
            fail(NUMBER_COLUMN, f"案号 {case_number} {holder}，请核对案号或单位")
            raise _RowProblems(problems)
        last_event = max((e.pk for e in matter_events(matter, reg)), default=0)
        changes = {n: values[n] for n in d.amendable if n in create_data and not _same(matter, n, values[n])}
        if changes:
            step = run(amend_checked, reg, matter, changes, f"{note}更正", actor=actor, imported=True)
            recorded(matter, step, f"{note}更正")
            outcome = "updated"
    taken = {e.transition for e in matter_events(matter, reg)}
    consumed = set(create_names)
    for step_declared in d.ledger:
        t = d.transitions[step_declared.transition]
        names = _step_fields(t)
        if t.name in taken:
            consumed.update(names)
            consumed.update(step_declared.when)
            continue
        if matter.state not in t.sources or not _when_holds(step_declared, values):
            continue
        trigger = t.date_field or (t.fields[0] if t.fields else None)
        if trigger is None or trigger not in values:
            continue
        step_data = {n: values[n] for n in (*t.fields, *t.optional) if n in values}
        step = run(transition_checked, reg, matter, t.name, step_data, actor=actor, imported=True, keep_previous=False, clocks=clocks)
        stepped = True
        recorded(matter, step, note)
        consumed.update(names)
        consumed.update(step_declared.when)
        outcome = "created" if outcome == "created" else "updated"
    if stepped and not clocks:
        run(dues_apply, reg, matter, matter_events(matter, reg), "__all__")
    # a column no step took is an error, unless the matter already holds that value (a closing
    # date set by a terminal step, a value derived by rule)
    leftover = [n for n in values if n not in consumed and not _same(matter, n, values[n])]
    if leftover:
        state = d.states[matter.state].label
        for name in leftover:
            fail(headers[name], f"已填写，但按本行内容无法执行对应的步骤（案件此时的状态为“{state}”）；请检查前序步骤的列是否漏填")
        raise _RowProblems(problems)
    if outcome == "unchanged":
        return outcome, None
    written = _written(reg, number, matter, existing, new_events, last_event)
    if rows_written:
        rows_write(reg.model, [written])  # the rows after it see it (in the planning transaction)
    return outcome, written


def _same(matter: Matter, name: str, value: Any) -> bool:
    """Whether an imported value equals the recorded one, compared as the field's Python value."""
    f = model_field(type(matter), name)
    target = f.target_field if isinstance(f, models.ForeignKey) else f
    try:
        return bool(target.to_python(value) == target.to_python(getattr(matter, f.attname)))
    except Exception:  # a value the field cannot read differs; the amendment's validation names it
        return False


# ---------------------------------------------------------------- template and export


def xlsx_bytes(sheets: list[tuple[str, list[list[Any]]]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for i, row in enumerate(rows):
            if i == 0:
                from openpyxl.cell import WriteOnlyCell

                cells = []
                for value in row:
                    cell = WriteOnlyCell(ws, value=value)
                    cell.font = Font(bold=True)
                    cells.append(cell)
                ws.append(cells)
            else:
                ws.append(xlsx_row(ws, list(row)))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def ledger_template(reg: Register) -> bytes:
    columns = ledger_columns(reg)
    notes = [["列名", "是否必填", "填写说明"]] + [[c.header, "必填" if c.required else "", c.hint] for c in columns]
    notes += [
        [],
        ["说明", "", "每行一件；只导入第一个工作表。按已填写的列依次执行相应步骤（如填写了受理日期即办理“受理”）。"],
        ["", "", "整个文件全部通过检查才会导入；有任何错误时，一条也不导入，并列出出错的行和列。"],
        ["", "", "同一文件可以重复导入：已导入的案件不会重复登记，新填写的列会补办相应步骤。"],
    ]
    return xlsx_bytes([(reg.definition.label[:31], [[c.header for c in columns]]), ("填写说明", notes)])


MASKERS: dict[str, Callable[[str], str]] = {"name": mask_name, "id_number": mask_id_number, "phone": mask_phone}


def _mask(name: str, value: str) -> str:
    for suffix, masker in MASKERS.items():
        if name.endswith(suffix):
            return masker(value)
    return "***" if value else ""  # addresses and anything else declared personal


def _cell_out(reg: Register, f: models.Field[Any, Any], matter: Matter, fk_names: dict[tuple[Any, Any], str]) -> Any:
    value = getattr(matter, f.attname)
    if value is None or value == "":
        return None
    if f.name == reg.definition.outcome_field:
        outcome = reg.definition.outcomes.get(value)
        return outcome.label if outcome else value
    if isinstance(f, models.ForeignKey):
        return fk_names.get((f.related_model, value), str(value))
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.BooleanField):
        return "是" if value else "否"
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def ledger_export(reg: Register, matters: Iterable[Matter], *, publish: bool = False) -> bytes:
    """The matters as a ledger in the import layout; ``publish`` masks natural persons' data."""
    columns = ledger_columns(reg)
    fields = [model_field(reg.model, c.field) if c.field else None for c in columns]
    personal = set(reg.definition.personal_data)
    matters = list(matters)
    fk_names: dict[tuple[Any, Any], str] = {}
    for f in fields:
        if isinstance(f, models.ForeignKey):
            target = f.related_model
            ids = {getattr(m, f.attname) for m in matters} - {None}
            assert isinstance(target, type) and issubclass(target, models.Model)
            attr = _fk_label(target)
            fk_names |= {(target, pk): label for pk, label in target._default_manager.filter(pk__in=ids).values_list("pk", attr)}
    units = dict(Unit.objects.filter(pk__in={m.unit_id for m in matters}).values_list("pk", "code"))
    rows: list[list[Any]] = [[c.header for c in columns]]
    for m in matters:
        row: list[Any] = [units[m.unit_id], m.case_number, "是" if m.carried_in else "否"]
        for f in fields[3:]:
            assert f is not None
            value = _cell_out(reg, f, m, fk_names)
            if publish and f.name in personal and value:
                value = _mask(f.name, str(value))
            elif publish and isinstance(value, str):
                value = text_public(value)  # an ID or phone number typed into any other text
            row.append(value)
        rows.append(row)
    return xlsx_bytes([(reg.definition.label[:31], rows)])
