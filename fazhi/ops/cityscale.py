"""City scale for benchmarks (``fazhi demo --scale city``).

The demo district (明德, about 75 units, one year of every register written through the same
writers as real work) is the template. The city gets ``len(DISTRICTS)`` more districts with the
same unit tree; each cloned unit receives matters sampled, with replacement, from the matching
template unit's matters in their final state, so every row is a history the procedure allows
(dates, outcomes, clocks and due dates are the template's). Volumes follow PRODUCT.md's "large
city" column: about 6 million enforcement cases over about 1,000 units.

Cloned matters have no step events: 36 million events would cost more than the benchmarks need.
Each batch of rows is recorded as a ``GeneratedBatch`` and sealed by one audit leaf, so the log
tells generated rows from recorded work. Rows are written with PostgreSQL COPY (plain
multi-row inserts on SQLite), with explicit ids, never through the ORM row by row.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from fazhi.audit.services import audit_append_many
from fazhi.core.bulkrows import rows_insert
from fazhi.core.fieldcrypt import EncryptedMixin
from fazhi.core.models import Unit
from fazhi.core.services import unit_create
from fazhi.indicators.catalogue import measures_of
from fazhi.indicators.rollups import Deltas, apply, points
from fazhi.registers.enforcement.models import ImpunityFlag, Officer, OfficerExam, PowerItem, TrainingRecord
from fazhi.registers.framework.events import batch_leaf_bytes
from fazhi.registers.framework.models import CaseNumberSequence, GeneratedBatch, Matter, SearchDigest, SearchEntry
from fazhi.registers.framework.registry import REGISTRY, Register
from fazhi.registers.framework.search import search_digests, search_index_deferred, search_join, search_parts, search_reads, search_values
from fazhi.registers.mediation.models import MediationCommittee, Mediator

TEMPLATE_CODE = "JC-MD"
TEMPLATE_NAME = "明德"
# (name, one-character short name used in case numbers, code)
DISTRICTS = [
    ("青山", "青", "JC-QS"),
    ("汉阳", "阳", "JC-HY"),
    ("江夏", "夏", "JC-JX"),
    ("东湖", "湖", "JC-DH"),
    ("洪山", "洪", "JC-HS"),
    ("蔡甸", "蔡", "JC-CD"),
    ("黄陂", "陂", "JC-HP"),
    ("新洲", "洲", "JC-XZ"),
    ("硚口", "硚", "JC-QK"),
    ("武昌", "武", "JC-WC"),
    ("汉南", "南", "JC-HN"),
    ("沌阳", "沌", "JC-ZY"),
    ("临江", "临", "JC-LJ"),
]
# City totals per year (PRODUCT.md, "a large city"); registers not listed keep the template's
# volume per district, or follow the register named (screenings follow disputes, transfers
# follow enforcement).
TARGETS = {"enforcement": 6_000_000, "mediation": 68_000, "legal_aid": 17_000, "reconsideration": 2_352, "litigation": 3_000, "disclosure": 4_000}
FOLLOWS = {"mediation_screening": "mediation", "criminal_transfer": "enforcement"}
ORDER = ["reconsideration", "litigation", "disclosure", "mediation", "mediation_screening", "legal_aid", "proposals", "enforcement", "criminal_transfer"]
# Rows that belong to one matter and are copied with each of its clones.
CHILDREN: dict[str, list[tuple[type[models.Model], str]]] = {"enforcement": [(ImpunityFlag, "case_id")]}
# Per-unit reference tables copied into each district, parents before children; the field
# whose value must stay unique is renamed.
REFERENCES: list[tuple[type[models.Model], str | None]] = [
    (Officer, "code"),
    (OfficerExam, None),
    (TrainingRecord, None),
    (PowerItem, "code"),
    (MediationCommittee, "name"),
    (Mediator, None),
]
BATCH = 10_000


@dataclass
class Table:
    """A model's concrete columns and its rows prepared for the database once."""

    model: type[models.Model]
    columns: list[str] = field(init=False)
    fields: list[Any] = field(init=False)

    def __post_init__(self) -> None:
        self.fields = list(self.model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]

    def index(self, attname: str) -> int:
        return [f.attname for f in self.fields].index(attname)

    def rows(self, qs: models.QuerySet[Any]) -> list[list[Any]]:
        out = []
        for values in qs.order_by("pk").values_list(*[f.attname for f in self.fields]):
            out.append([f.get_db_prep_save(v, connection) for f, v in zip(self.fields, values, strict=True)])
        return out

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            rows_insert(self.model._meta.db_table, [str(c) for c in self.columns], rows, batch=max(len(rows), 1))


class Ids:
    """Explicit primary keys handed out past the current maximum (sequences reset at the end)."""

    def __init__(self) -> None:
        self.next: dict[type[models.Model], int] = {}

    def take(self, model: type[models.Model], n: int) -> int:
        if model not in self.next:
            self.next[model] = (model._default_manager.aggregate(m=models.Max("pk"))["m"] or 0) + 1
        first = self.next[model]
        self.next[model] = first + n
        return first


def _rename(value: str, name: str, code: str) -> str:
    new = value.replace(TEMPLATE_NAME, name).replace(TEMPLATE_CODE, code)
    return new if new != value else f"{code}-{value}"


def _short(value: str, name: str, short: str) -> str:
    new = value.replace(TEMPLATE_NAME, name).replace(TEMPLATE_NAME[0], short)
    return new if new != value else short + value


def clone_units(template: Unit, parent: Unit, name: str, short: str, code: str) -> dict[int, Unit]:
    """The template's unit tree under ``parent``, renamed for the district; template id -> unit."""
    mapping: dict[int, Unit] = {}
    for u in Unit.objects.filter(path__startswith=template.path).order_by("path"):
        mapping[u.pk] = unit_create(
            name=u.name.replace(TEMPLATE_NAME, name),
            short_name=_short(u.short_name, name, short)[:20],
            code=u.code.replace(TEMPLATE_CODE, code, 1),
            level=u.level,
            kind=u.kind,
            parent=mapping.get(u.parent_id, parent) if u.parent_id is not None else parent,
            is_rule_of_law_office=u.is_rule_of_law_office,
            is_reconsideration_body=u.is_reconsideration_body,
        )
    return mapping


@dataclass
class Plan:
    reg: Register
    table: Table
    templates: dict[int, list[list[Any]]]  # template unit id -> its prepared rows
    factor: float
    total: int


def _plans(template_units: set[int], districts: int, targets: dict[str, int]) -> list[Plan]:
    counts = {name: REGISTRY[name].model._default_manager.filter(unit_id__in=template_units).count() for name in ORDER}
    plans = []
    for name in ORDER:
        reg = REGISTRY[name]
        table = Table(reg.model)
        unit_at = table.index("unit_id")
        templates: dict[int, list[list[Any]]] = defaultdict(list)
        for row in table.rows(reg.model._default_manager.filter(unit_id__in=template_units)):
            templates[row[unit_at]].append(row)
        basis = FOLLOWS.get(name, name)
        target = targets.get(basis)
        n = counts[basis]
        factor = 1.0 if target is None or n == 0 else max(target - n, 0) / (districts * n)
        plans.append(Plan(reg, table, templates, factor, round(counts[name] * factor * districts)))
    return plans


class CityBuilder:
    def __init__(self, template: Unit, seed: int, progress: Callable[[int], None], districts: list[tuple[str, str, str]], targets: dict[str, int]) -> None:
        self.template = template
        self.districts = districts
        self.targets = targets
        self.seed = seed
        self.rng = random.Random(seed)
        self.progress = progress
        self.ids = Ids()
        self.batches: list[GeneratedBatch] = []
        self.sequences: dict[tuple[str, int, int], int] = {}
        self.template_units = set(Unit.objects.filter(path__startswith=template.path).values_list("pk", flat=True))
        self.written: dict[str, int] = defaultdict(int)
        self.points: dict[str, dict[int, list[tuple[str, Any, int, int]]]] = {}
        self.search_table = Table(SearchEntry)
        self.digest_table = Table(SearchDigest)
        self.search_rest: dict[tuple[Any, ...], tuple[list[str], list[str]]] = {}

    def estimate(self) -> int:
        self.plans = _plans(self.template_units, len(self.districts), self.targets)
        return sum(p.total for p in self.plans)

    def build(self, city: Unit) -> dict[str, int]:
        if not hasattr(self, "plans"):
            self.estimate()
        for name, short, code in self.districts:
            units = clone_units(self.template, city, name, short, code)
            maps: dict[type[models.Model], dict[int, Any]] = {Unit: {k: u.pk for k, u in units.items()}}
            self._references(maps, name, code)
            for plan in self.plans:
                self._register(plan, units, maps)
        self._finish()
        return dict(self.written)

    def _remap(self, table: Table, maps: dict[type[models.Model], dict[int, Any]]) -> list[tuple[int, dict[int, Any], bool]]:
        out = []
        for i, f in enumerate(table.fields):
            if f.is_relation and f.related_model in maps:
                out.append((i, maps[f.related_model], issubclass(f.related_model, Matter)))
        return out

    def _references(self, maps: dict[type[models.Model], dict[int, Any]], name: str, code: str) -> None:
        for model, unique in REFERENCES:
            table = Table(model)
            fk_to_parent = [f for f in table.fields if f.is_relation and f.related_model in maps]
            scope = {f"{fk_to_parent[0].name}__in": list(maps[fk_to_parent[0].related_model])}
            rows = table.rows(model._default_manager.filter(**scope))
            first = self.ids.take(model, len(rows))
            remap = self._remap(table, maps)
            mapping: dict[int, int] = {}
            unique_at = table.index(unique) if unique else None
            for offset, row in enumerate(rows):
                mapping[row[0]] = row[0] = first + offset
                for i, m, _ in remap:
                    row[i] = m.get(row[i], row[i])
                if unique_at is not None:
                    row[unique_at] = _rename(row[unique_at], name, code)
            table.write(rows)
            maps[model] = mapping

    def _register(self, plan: Plan, units: dict[int, Unit], maps: dict[type[models.Model], dict[int, Any]]) -> None:
        reg, table = plan.reg, plan.table
        at = {a: table.index(a) for a in ("id", "unit_id", "case_number", "sequence", "year", "received_on")}
        remap = [(i, m, matter) for i, m, matter in self._remap(table, maps) if i != at["unit_id"]]
        children = CHILDREN.get(reg.name, [])
        keep = {row_id for model, fk in children for row_id in model._default_manager.filter(**{f"{fk}__in": self._ids(plan)}).values_list(fk, flat=True)}
        keep |= self._referenced(reg)
        clones: dict[int, list[int]] = defaultdict(list)
        buffer: list[list[Any]] = []
        copies: dict[tuple[int, int], int] = defaultdict(int)  # (template id, unit) -> copies, for the rollups
        parent = next(((i, m) for i, m, matter in remap if matter), None)
        for template_unit, rows in plan.templates.items():
            unit = units[template_unit]
            sample = sorted(self._sample(rows, plan.factor, parent), key=lambda r: (r[at["received_on"]], r[at["id"]]))
            first = self.ids.take(reg.model, len(sample))
            for offset, source in enumerate(sample):
                row = list(source)
                row[at["id"]] = first + offset
                if source[at["id"]] in keep:
                    clones[source[at["id"]]].append(row[at["id"]])
                copies[(source[at["id"]], unit.pk)] += 1
                row[at["unit_id"]] = unit.pk
                key = (reg.name, unit.pk, row[at["year"]])
                self.sequences[key] = seq = self.sequences.get(key, 0) + 1
                row[at["sequence"]] = seq
                row[at["case_number"]] = reg.definition.case_number_template.format(unit_short=unit.short_name, year=row[at["year"]], seq=seq)
                for i, m, matter in remap:
                    if not matter:
                        row[i] = m.get(row[i], row[i])
                buffer.append(row)
                if len(buffer) >= BATCH:
                    self._flush(reg, table, buffer)
                    buffer = []
        self._flush(reg, table, buffer)
        self._rollups(plan, copies)
        maps[reg.model] = dict(clones)
        for model, fk in children:
            self._children(model, fk, clones)

    def _sample(self, rows: list[list[Any]], factor: float, parent: tuple[int, dict[int, Any]] | None) -> list[list[Any]]:
        """Rows with replacement, about ``factor`` times as many. A matter that points at another
        register's matter (a transfer's enforcement case) is copied once per clone of that one,
        pointing at it (none when that one was not sampled in the district)."""
        if parent is not None:
            at, clones = parent
            out: list[list[Any]] = []
            for row in rows:
                if row[at] is None:
                    out.extend(list(row) for _ in range(round(factor * self.rng.uniform(0.6, 1.4))))
                for target in clones.get(row[at], []) if row[at] is not None else []:
                    out.append([*row[:at], target, *row[at + 1 :]])
            return out
        if factor == 1.0:
            return list(rows)
        return self.rng.choices(rows, k=round(len(rows) * factor * self.rng.uniform(0.6, 1.4)))

    def _rollups(self, plan: Plan, copies: dict[tuple[int, int], int]) -> None:
        """The indicator rollups of the copies: each template matter's points, times its copies.
        (A copied transfer points at another case, but no measure depends on that link.)"""
        measures = measures_of(plan.reg.name)
        if not measures:
            return
        if plan.reg.name not in self.points:
            ids = self._ids(plan)
            self.points[plan.reg.name] = {m.pk: points(measures, m) for m in plan.reg.model._default_manager.filter(pk__in=ids)}
        template_points = self.points[plan.reg.name]
        deltas: Deltas = {}
        for (template_id, unit), n in copies.items():
            for key, day, bucket, cents in template_points.get(template_id, []):
                slot = deltas.setdefault((key, unit, day, bucket), [0, 0])
                slot[0] += n
                slot[1] += n * cents
        apply(deltas, chunk=4000)  # 7 parameters a row: under SQLite's 32,766

    def _ids(self, plan: Plan) -> list[Any]:
        at = plan.table.index("id")
        return [row[at] for rows in plan.templates.values() for row in rows]

    def _referenced(self, reg: Register) -> set[int]:
        """Template matters other registers point at (a transfer's enforcement case)."""
        out: set[int] = set()
        for plan in self.plans:
            for f in plan.table.fields:
                if f.is_relation and f.related_model is reg.model:
                    at = plan.table.index(f.attname)
                    out |= {row[at] for rows in plan.templates.values() for row in rows if row[at] is not None}
        return out

    def _children(self, model: type[models.Model], fk: str, clones: dict[int, list[int]]) -> None:
        table = Table(model)
        fk_at = table.index(fk)
        rows = []
        for source in table.rows(model._default_manager.filter(**{f"{fk}__in": list(clones)})):
            for parent in clones[source[fk_at]]:
                row = list(source)
                row[fk_at] = parent
                rows.append(row)
        first = self.ids.take(model, len(rows))
        for offset, row in enumerate(rows):
            row[0] = first + offset
        table.write(rows)

    def _flush(self, reg: Register, table: Table, rows: list[list[Any]]) -> None:
        if not rows:
            return
        table.write(rows)
        self._search(reg, table, rows)
        ids = [r[0] for r in rows]
        self.batches.append(
            GeneratedBatch(
                register=reg.name, first_id=min(ids), last_id=max(ids), count=len(rows), template=TEMPLATE_CODE, seed=self.seed, created_at=timezone.now()
            )
        )
        self.written[reg.name] += len(rows)
        self.progress(len(rows))

    def _search(self, reg: Register, table: Table, rows: list[list[Any]]) -> None:
        """The copies' search rows and digests, as the write path makes them (search_values: the
        case number, then the searched fields; the personal ones as digests), written with the
        batch in one COPY each. A copy differs from its template in the case number only, so the
        rest is made once per template (parts are made value by value: the parts of a list are its
        pieces' parts); a personal value is read back from its stored (encrypted) form."""
        number_at, id_at = table.index("case_number"), table.index("id")
        # the columns the search reads besides the case number (copies of one template share them)
        read = search_reads(reg)
        at = [i for i, f in enumerate(table.fields) if f.name in read]
        first = self.ids.take(SearchEntry, len(rows))
        out, digests = [], []
        for offset, row in enumerate(rows):
            key = (reg.name, *(row[i] for i in at))
            made = self.search_rest.get(key)
            if made is None:
                fields = [table.fields[i] for i in at]
                stored = [f.from_db_value(row[i], None, connection) if isinstance(f, EncryptedMixin) else row[i] for f, i in zip(fields, at, strict=True)]
                matter = SimpleNamespace(case_number=None, **{f.name: v for f, v in zip(fields, stored, strict=True)})
                made = self.search_rest[key] = (search_parts(search_values(reg, matter)[1:]), sorted(search_digests(reg, matter)))
            rest, personal = made
            values = {"id": first + offset, "register": reg.name, "matter_id": row[id_at], "text": search_join([*search_parts([row[number_at]]), *rest])}
            out.append([values[f.attname] for f in self.search_table.fields])
            digests += [{"register": reg.name, "matter_id": row[id_at], "digest": d} for d in personal]
        self.search_table.write(out)
        first = self.ids.take(SearchDigest, len(digests))
        self.digest_table.write([[(d | {"id": first + n})[f.attname] for f in self.digest_table.fields] for n, d in enumerate(digests)])

    def _finish(self) -> None:
        batches = GeneratedBatch.objects.bulk_create(self.batches)
        audit_append_many([("generated_batch", b.pk, batch_leaf_bytes(b)) for b in batches])
        CaseNumberSequence.objects.bulk_create(
            [CaseNumberSequence(register=r, unit_id=u, year=y, last_value=v) for (r, u, y), v in self.sequences.items()], batch_size=2000
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), list(self.ids.next)):
                    cursor.execute(sql)


def build_city(
    city: Unit,
    template: Unit,
    seed: int,
    progress_factory: Callable[[int], Any],
    *,
    districts: list[tuple[str, str, str]] | None = None,
    targets: dict[str, int] | None = None,
) -> dict[str, int]:
    """Clone ``template`` (the demo district) once per district under ``city``, with matters."""
    # the copies' search rows are indexed once at the end (measured in bench/results/city_build.txt)
    with transaction.atomic(), search_index_deferred():
        builder = CityBuilder(template, seed, lambda n: None, districts or DISTRICTS, TARGETS if targets is None else targets)
        total = builder.estimate()
        with progress_factory(total) as bar:
            builder.progress = bar.update
            written = builder.build(city)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return written


def iter_counts(written: dict[str, int]) -> Iterable[str]:
    for name in ORDER:
        if written.get(name):
            yield f"{REGISTRY[name].definition.label} {written[name]:,}"
