"""The indicator definitions compiled to SQL over an export's flat columns (Spark SQL, DuckDB).

The engine reads the database through the ORM (``filters.where_q``); an export
(``fazhi export parquet``) holds, per register or table, one flat row per matter with only the
columns the catalogue reads (see ``export.columns_of``). This module compiles the same
``Measure`` objects -- the catalogue's intermediate representation: source, anchor dates,
structured filter, summed field, histogram start -- to SQL over those columns, for a dialect.
Nothing here is a hand-written copy of an indicator: every query is generated from
``definitions/indicators/``.

The semantics follow ``filters.py``: a comparison with a missing value is false; ``not`` /
``not_in`` keep missing values (what Django's ``exclude`` does); several anchor dates count on the
earliest one filled; sums are in cents; histograms count whole days between two dates.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fazhi.indicators.catalogue import Indicator, Measure, source_model
from fazhi.registers.framework.registry import REGISTRY


def rule_column(prefix: str, rule: str) -> str:
    """The flat column of one clock rule (``deadline__…``: whether it was kept; ``last_due__…``)."""
    return f"{prefix}__" + re.sub(r"[^0-9A-Za-z]", "_", rule)


@dataclass(frozen=True)
class Dialect:
    name: str  # spark | duckdb

    def ident(self, column: str) -> str:
        return f"`{column}`" if self.name == "spark" else f'"{column}"'

    def days(self, later: str, earlier: str) -> str:
        if self.name == "spark":
            return f"datediff({later}, {earlier})"
        return f"date_diff('day', {earlier}, {later})"

    def array(self, items: list[str]) -> str:
        return f"{'array' if self.name == 'spark' else 'list_value'}({', '.join(items)})"

    def one(self, expr: str) -> str:
        """A one-slot array of a BIGINT (the histogram and overdue queries' columns)."""
        return self.array([f"CAST({expr} AS BIGINT)"])

    def literal(self, value: Any) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int | decimal.Decimal):
            return str(value)
        if isinstance(value, float):
            return repr(value)
        if isinstance(value, dt.date):
            return f"DATE '{value.isoformat()}'"
        text = str(value).replace("\\", "\\\\") if self.name == "spark" else str(value)
        return "'" + text.replace("'", "''") + "'"


SPARK = Dialect("spark")
DUCKDB = Dialect("duckdb")


class Compiler:
    """SQL fragments of the catalogue's measures for one dialect (over the export's columns)."""

    def __init__(self, dialect: Dialect) -> None:
        self.d = dialect

    def col(self, name: str) -> str:
        return self.d.ident(name)

    def _value(self, m: Measure, key: str, value: Any) -> str:
        from fazhi.indicators.filters import _coerce

        return self.d.literal(_coerce(source_model(m.register), key, value))

    def condition(self, m: Measure, skip: Iterable[str] = ()) -> str:
        """The measure's filter as a boolean SQL expression (``TRUE`` when there is none)."""
        from fazhi.indicators.filters import _outcomes

        parts: list[str] = []
        skip = set(skip)
        for key, cond in m.where_dict.items():
            if key in skip:
                continue
            if key == "outcome_group":
                field = REGISTRY[m.register].definition.outcome_field or ""
                codes = _outcomes(m.register, cond)
                parts.append(f"{self.col(field)} IN ({', '.join(self.d.literal(c) for c in codes)})" if codes else "FALSE")
            elif key == "deadline":
                states = ", ".join(self.d.literal(s) for s in cond["in"])
                parts.append("(" + " OR ".join(f"{self.col(rule_column('deadline', r))} IN ({states})" for r in cond["rules"]) + ")")
            elif isinstance(cond, list):
                parts.append(f"{self.col(key)} IN ({', '.join(self._value(m, key, v) for v in cond)})" if cond else "FALSE")
            elif isinstance(cond, dict):
                c = self.col(key)
                for op, v in cond.items():
                    if op == "not":
                        parts.append(f"({c} IS NULL OR {c} <> {self._value(m, key, v)})" if v is not None else f"{c} IS NOT NULL")
                    elif op == "in":
                        parts.append(f"{c} IN ({', '.join(self._value(m, key, x) for x in v)})" if v else "FALSE")
                    elif op == "not_in":
                        if v:
                            parts.append(f"({c} IS NULL OR {c} NOT IN ({', '.join(self._value(m, key, x) for x in v)}))")
                    elif op == "isnull":
                        parts.append(f"{c} IS {'' if v else 'NOT '}NULL")
                    else:
                        sym = {"gte": ">=", "lte": "<=", "gt": ">", "lt": "<"}[op]
                        parts.append(f"{c} {sym} {self._value(m, key, v)}")
            elif cond is None:
                parts.append(f"{self.col(key)} IS NULL")
            else:
                parts.append(f"{self.col(key)} = {self._value(m, key, cond)}")
        return " AND ".join(f"({p})" for p in parts) if parts else "TRUE"

    def anchor(self, m: Measure) -> str:
        """The day a row counts on: the date, or the earliest filled of several (as ``anchor_expression``)."""
        fields = list(m.date)
        if len(fields) == 1:
            return self.col(fields[0])
        return "least(" + ", ".join("coalesce(" + ", ".join(self.col(f) for f in fields[i:] + fields[:i]) + ")" for i in range(len(fields))) + ")"

    def cents(self, m: Measure) -> str:
        return f"CAST(coalesce({self.col(m.field)}, 0) * 100 AS BIGINT)" if m.field else "0"

    def within(self, m: Measure, a: dt.date, b: dt.date) -> str:
        return f"{self.anchor(m)} BETWEEN {self.d.literal(a)} AND {self.d.literal(b)}"

    # -- queries --------------------------------------------------------------------------

    def flows(self, tag: int, source: str, items: list[tuple[Measure, dt.date, dt.date]]) -> str:
        """One scan of ``source``: for every (measure without a histogram, a, b), the count and the
        cents of the rows anchored in [a, b], per city and unit subtree (table ``anc``: city, unit_id,
        anc_id). Columns: tag, city, anc_id, bucket (0), the counts and the cents as two arrays in
        the order of ``items`` (every query here has these columns: they run as one UNION ALL)."""
        aggs = []
        for i, (m, a, b) in enumerate(items):
            hit = f"({self.condition(m)}) AND {self.within(m, a, b)}"
            aggs.append(f"sum(CASE WHEN {hit} THEN 1 ELSE 0 END) AS n{i}")
            aggs.append(f"sum(CASE WHEN {hit} THEN {self.cents(m)} ELSE 0 END) AS c{i}")
        ns = self.d.array([f"CAST(sum(p.n{i}) AS BIGINT)" for i in range(len(items))])
        cs = self.d.array([f"CAST(sum(p.c{i}) AS BIGINT)" for i in range(len(items))])
        return (
            f"SELECT {tag} AS tag, anc.city, anc.anc_id, 0 AS bucket, {ns} AS n, {cs} AS c "
            f"FROM (SELECT city, unit_id, {', '.join(aggs)} FROM {source} GROUP BY city, unit_id) p "
            "JOIN anc ON p.city = anc.city AND p.unit_id = anc.unit_id GROUP BY anc.city, anc.anc_id"
        )

    def histogram(self, tag: int, source: str, m: Measure, a: dt.date, b: dt.date) -> str:
        """Rows anchored in [a, b] by whole days since ``m.since``, per city and unit subtree."""
        bucket = self.d.days(self.anchor(m), self.col(m.since))
        return (
            f"SELECT {tag} AS tag, anc.city, anc.anc_id, p.bucket, {self.d.one('sum(p.n)')} AS n, {self.d.one('0')} AS c "
            f"FROM (SELECT city, unit_id, {bucket} AS bucket, count(*) AS n FROM {source} "
            f"WHERE ({self.condition(m)}) AND {self.within(m, a, b)} AND {self.col(m.since)} IS NOT NULL GROUP BY city, unit_id, {bucket}) p "
            "JOIN anc ON p.city = anc.city AND p.unit_id = anc.unit_id GROUP BY anc.city, anc.anc_id, p.bucket"
        )

    def overdue(self, tag: int, source: str, ind: Indicator, cuts: dict[str, dt.date]) -> str:
        """An on-time share's matters open and overdue at the cut (``engine.overdue_open``), per
        city and unit subtree; ``cuts``: city -> first day not counted (end of period + 1, or the
        export's day when earlier). The due dates recomputed from the events are the export's
        ``last_due__<rule>`` columns."""
        m = ind.measures["denominator"]
        rules = list(m.where_dict["deadline"]["rules"])
        cut = "CASE city " + " ".join(f"WHEN {self.d.literal(c)} THEN {self.d.literal(d)}" for c, d in sorted(cuts.items())) + " END"
        rule_list = ", ".join(self.d.literal(r) for r in rules)
        due_on, due_rule = self.col("due_on"), self.col("due_rule")
        recomputed_before = " OR ".join(f"{self.col(rule_column('last_due', r))} < {cut}" for r in rules)
        not_stopped = " AND ".join(f"{self.col(rule_column('deadline', r))} IS NULL" for r in rules)
        late = " OR ".join(f"{self.col(rule_column('deadline', r))} = 'late'" for r in rules)
        running = f"({due_rule} IN ({rule_list}) AND {due_on} < {cut})"
        walked_running = f"({due_on} < {cut} AND NOT ({due_rule} IN ({rule_list})) AND {not_stopped} AND ({recomputed_before}))"
        walked_late = f"(({late}) AND {self.anchor(m)} >= {cut} AND ({recomputed_before}))"
        where = f"({self.condition(m, skip=('deadline',))}) AND {self.col('received_on')} < {cut} AND ({running} OR {walked_running} OR {walked_late})"
        return (
            f"SELECT {tag} AS tag, anc.city, anc.anc_id, 0 AS bucket, {self.d.one('sum(p.n)')} AS n, {self.d.one('0')} AS c "
            f"FROM (SELECT city, unit_id, count(*) AS n FROM {source} WHERE {where} GROUP BY city, unit_id) p "
            "JOIN anc ON p.city = anc.city AND p.unit_id = anc.unit_id GROUP BY anc.city, anc.anc_id"
        )
