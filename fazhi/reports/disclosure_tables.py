"""The three tables of the 政府信息公开工作年度报告 in the 2021 national format (国办公开办函〔2021〕30号,
RULES.md §3.3.1), computed from the registers for a unit's subtree and a year, with the checks
the format implies (every subtotal adds up; new + carried in = handled + carried out in every
column) and, for each cell, the records behind it.

Conventions (where the format does not say):
- Table 三: a request counts in 办理结果 in the year it was concluded (replied, or closed without a
  reply), by its 办理结果 type; a concluded request without a type counts under 其他处理—其他.
  上年结转 / 结转下年度 are the requests received and not concluded at the start / end of the year.
- Table 四: 行政复议 cases about a disclosure reply whose respondent is in the unit's subtree, and the
  unit's first-instance lawsuits marked 涉政府信息公开 (direct, or after 复议), received in the year,
  by their result at the end of the year: 维持 (upheld), 纠正 (corrected), 其他 (every other end),
  尚未审结 (not decided by 31 December). A lawsuit counts by the last instance that decided it by
  then (行政诉讼法 art.89): an appealed first instance by its second instance (a loss reversed on
  the agency's appeal is 维持), 尚未审结 while the appeal or a 发回重审 is pending; a first
  instance retried after 发回重审 (it names a prior case number) is the same lawsuit, not a new one.
- Table 二: 行政许可 / 行政处罚 / 行政强制 decisions from the 行政执法 register (decided in the year);
  规章, 规范性文件 and 收费 have no register yet and are entered by the office.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from fazhi.core.models import Unit
from fazhi.registers.disclosure.models import ApplicantType
from fazhi.registers.framework.registry import REGISTRY

APPLICANTS = [t.value for t in ApplicantType]


def _objects(register: str) -> Any:
    """A register's manager (typed loosely: the registers' own fields are filtered on)."""
    return REGISTRY[register].model.objects


COLUMNS3 = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]

# (key, label, level, outcomes counted or None for a subtotal of the rows below it at level+1)
ROWS3: list[tuple[str, str, int, list[str] | None]] = [
    ("new", "一、本年新收政府信息公开申请数量", 0, []),
    ("carried_in", "二、上年结转政府信息公开申请数量", 0, []),
    ("results", "三、本年度办理结果", 0, None),
    ("disclosed", "（一）予以公开", 1, ["disclosed", "already_public"]),
    ("partly", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, ["partly_disclosed"]),
    ("refused", "（三）不予公开", 1, None),
    ("refused_state_secret", "1.属于国家秘密", 2, ["refused_state_secret"]),
    ("refused_law_prohibits", "2.其他法律行政法规禁止公开", 2, ["refused_law_prohibits"]),
    ("refused_three_safety", "3.危及“三安全一稳定”", 2, ["refused_three_safety"]),
    ("refused_third_party", "4.保护第三方合法权益", 2, ["refused_third_party"]),
    ("refused_internal", "5.属于三类内部事务信息", 2, ["refused_internal"]),
    ("refused_process", "6.属于四类过程性信息", 2, ["refused_process"]),
    ("refused_enforcement_file", "7.属于行政执法案卷", 2, ["refused_enforcement_file"]),
    ("refused_inquiry", "8.属于行政查询事项", 2, ["refused_inquiry"]),
    ("unavailable", "（四）无法提供", 1, None),
    ("unavailable_not_held", "1.本机关不掌握相关政府信息", 2, ["unavailable_not_held"]),
    ("unavailable_needs_creation", "2.没有现成信息需要另行制作", 2, ["unavailable_needs_creation"]),
    ("unavailable_still_unclear", "3.补正后申请内容仍不明确", 2, ["unavailable_still_unclear"]),
    ("not_processed", "（五）不予处理", 1, None),
    ("not_processed_petition", "1.信访举报投诉类申请", 2, ["not_processed_petition"]),
    ("not_processed_repeat", "2.重复申请", 2, ["not_processed_repeat"]),
    ("not_processed_publication", "3.要求提供公开出版物", 2, ["not_processed_publication"]),
    ("not_processed_excessive", "4.无正当理由大量反复申请", 2, ["not_processed_excessive"]),
    ("not_processed_confirmation", "5.要求行政机关确认或重新出具已获取信息", 2, ["not_processed_confirmation"]),
    ("other", "（六）其他处理", 1, None),
    ("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", 2, ["other_no_correction"]),
    ("other_unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", 2, ["other_unpaid_fee"]),
    ("other_other", "3.其他", 2, ["other", ""]),
    ("total", "（七）总计", 1, None),
    ("carried_out", "四、结转下年度继续办理", 0, []),
]
GROUPS4 = ["upheld", "corrected", "other", "pending"]
COLUMNS4 = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
BLOCKS4 = [("reconsideration", "行政复议"), ("direct", "行政诉讼—未经复议直接起诉"), ("after", "行政诉讼—复议后起诉")]


@dataclass
class Row:
    key: str
    label: str
    level: int
    cells: list[Any] = field(default_factory=list)  # counts (an entered amount may be a decimal); None: not filled


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[Row]
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "columns": self.columns, "rows": [r.__dict__ for r in self.rows], "problems": self.problems}


def _done(row: dict[str, Any]) -> dt.date | None:
    """When a request was concluded: the earlier of its reply and its closing."""
    dates = [d for d in (row["replied_on"], row["closed_on"]) if d]
    return min(dates) if dates else None


def table3(unit: Unit, year: int) -> Table:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    counts: dict[str, list[int]] = {key: [0] * len(APPLICANTS) for key, _l, _v, outs in ROWS3 if outs is not None}
    by_outcome = {o: key for key, _l, _v, outs in ROWS3 if outs for o in outs}
    rows = (
        _objects("disclosure")
        .filter(unit__path__startswith=unit.path, received_on__lte=end)
        .values("applicant_type", "outcome", "received_on", "replied_on", "closed_on")
    )
    for r in rows.iterator(chunk_size=5000):
        done = _done(r)
        if done is not None and done < start:
            continue
        col = APPLICANTS.index(r["applicant_type"]) if r["applicant_type"] in APPLICANTS else APPLICANTS.index("other")
        if r["received_on"] >= start:
            counts["new"][col] += 1
        else:
            counts["carried_in"][col] += 1
        if done is not None and done <= end:
            counts[by_outcome.get(r["outcome"] or "", "other_other")][col] += 1
        else:
            counts["carried_out"][col] += 1
    table_rows: list[Row] = []
    for key, label, level, _outs in ROWS3:
        if key == "results":
            table_rows.append(Row(key, label, level, []))
            continue
        cells: list[int] = counts.get(key, [0] * len(APPLICANTS))
        table_rows.append(Row(key, label, level, [*cells, sum(cells)]))
    _subtotals(table_rows)
    return Table("table3", "三、收到和处理政府信息公开申请情况", COLUMNS3, table_rows, check3(table_rows))


def _children(rows: list[Row], i: int) -> list[Row]:
    """The items of the group row at ``i``: the rows after it, deeper, up to the next at its level."""
    out = []
    for child in rows[i + 1 :]:
        if child.level <= rows[i].level:
            break
        out.append(child)
    return out


GROUP_ROWS = {k for k, _l, _v, outs in ROWS3 if outs is None and k not in ("results", "total")}


def _subtotals(rows: list[Row]) -> None:
    """Each group row (（三）…（六）) is the sum of its items; （七）总计 the sum of （一）…（六）."""
    width = len(COLUMNS3)
    for i, row in enumerate(rows):
        if row.key in GROUP_ROWS:
            row.cells = [sum(c.cells[j] or 0 for c in _children(rows, i)) for j in range(width)]
    firsts = [r for r in rows if r.level == 1 and r.key != "total"]
    total = next(r for r in rows if r.key == "total")
    total.cells = [sum(r.cells[j] or 0 for r in firsts) for j in range(width)]


def check3(rows: list[Row]) -> list[str]:
    """The format's arithmetic, every column: items add up to their group, groups to 总计, the
    columns to 总计, and 一 + 二 = 三（七）+ 四."""
    problems = []
    by = {r.key: r for r in rows}
    for i, row in enumerate(rows):
        if row.cells and sum(c or 0 for c in row.cells[:-1]) != row.cells[-1]:
            problems.append(f"“{row.label}”各列之和 {sum(c or 0 for c in row.cells[:-1])} 不等于总计 {row.cells[-1]}")
        if row.key in GROUP_ROWS:
            children = _children(rows, i)
            for j, col in enumerate(COLUMNS3):
                if sum(c.cells[j] or 0 for c in children) != row.cells[j]:
                    problems.append(f"“{row.label}”的{col}不等于其各项之和")
    firsts = [r for r in rows if r.level == 1 and r.key != "total"]
    for j, col in enumerate(COLUMNS3):
        if sum(r.cells[j] or 0 for r in firsts) != by["total"].cells[j]:
            problems.append(f"（七）总计的{col}不等于（一）至（六）之和")
        left = (by["new"].cells[j] or 0) + (by["carried_in"].cells[j] or 0)
        right = (by["total"].cells[j] or 0) + (by["carried_out"].cells[j] or 0)
        if left != right:
            problems.append(f"{col}：本年新收 + 上年结转 = {left}，办理结果总计 + 结转下年度 = {right}，不相等")
    return problems


def _group(reg: str, outcome: str) -> str:
    o = REGISTRY[reg].definition.outcomes.get(outcome)
    if o is None:
        return "other"
    return o.group if o.group in ("upheld", "corrected") else "other"


LAWSUIT_GROUPS = {"won": "upheld", "lost": "corrected", "other": "other", "pending": "pending"}


def _lawsuit_groups(unit: Unit, start: dt.date, end: dt.date) -> dict[Any, str]:
    """The disclosure lawsuits begun in the year (first instance, not a retrial after 发回重审)
    -> their column at ``end``, by the lawsuit's final result (行政诉讼法 art.89)."""
    from fazhi.registers.litigation.results import lawsuit_result

    suits = list(
        _objects("litigation").filter(
            disclosure_related=True, instance="first", prior_case_number="", unit__path__startswith=unit.path, received_on__range=(start, end)
        )
    )
    later = list(_objects("litigation").filter(unit__path__startswith=unit.path, received_on__lte=end).exclude(prior_case_number=""))
    out: dict[Any, str] = {}
    for suit in suits:
        chain = [r for r in later if r.unit_id == suit.unit_id]
        out[suit] = LAWSUIT_GROUPS[lawsuit_result(suit, end, chain)]
    return out


def table4(unit: Unit, year: int) -> Table:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    blocks: dict[str, list[int]] = {b: [0] * len(GROUPS4) for b, _ in BLOCKS4}
    cases = _objects("reconsideration").filter(disclosure_related=True, respondent_unit__path__startswith=unit.path, received_on__range=(start, end))
    for outcome, decided_on in cases.values_list("outcome", "decided_on"):
        g = _group("reconsideration", outcome) if decided_on and decided_on <= end and outcome else "pending"
        blocks["reconsideration"][GROUPS4.index(g)] += 1
    for suit, g in _lawsuit_groups(unit, start, end).items():
        blocks["after" if suit.after_reconsideration else "direct"][GROUPS4.index(g)] += 1
    cells: list[Any] = []
    columns = []
    for b, label in BLOCKS4:
        cells += [*blocks[b], sum(blocks[b])]
        columns += [f"{label}｜{c}" for c in COLUMNS4]
    table = Table("table4", "四、政府信息公开行政复议、行政诉讼情况", columns, [Row("cases", "案件数量", 0, cells)])
    for n, (_b, label) in enumerate(BLOCKS4):
        part = cells[n * 5 : n * 5 + 5]
        if sum(c or 0 for c in part[:4]) != part[4]:
            table.problems.append(f"{label}：各项之和不等于总计")
    return table


def table2(unit: Unit, year: int, manual: dict[str, Any] | None = None) -> Table:
    """主动公开: the enforcement decisions of the year from the register; the rest as entered."""
    manual = manual or {}
    decided = _objects("enforcement").filter(unit__path__startswith=unit.path, decided_on__year=year)

    def n(kind: str) -> int:
        return decided.filter(kind=kind).count()

    def m(key: str) -> Any:
        value = manual.get(key)
        return value if value not in (None, "") else None

    rows = [
        Row("rules", "第二十条第（一）项｜规章", 0, [m("rules_issued"), m("rules_repealed"), m("rules_in_force")]),
        Row("normative", "第二十条第（一）项｜行政规范性文件", 0, [m("normative_issued"), m("normative_repealed"), m("normative_in_force")]),
        Row("licence", "第二十条第（五）项｜行政许可（本年处理决定数量）", 0, [n("licence")]),
        Row("penalty", "第二十条第（六）项｜行政处罚（本年处理决定数量）", 0, [n("penalty")]),
        Row("coercion", "第二十条第（六）项｜行政强制（本年处理决定数量）", 0, [n("coercion")]),
        Row("fees", "第二十条第（八）项｜行政事业性收费（本年收费金额，万元）", 0, [m("fees")]),
    ]
    return Table("table2", "二、主动公开政府信息情况", ["本年制发件数 / 处理决定数量 / 收费金额", "本年废止件数", "现行有效件数"], rows)


MANUAL_FIELDS = {
    "rules_issued": "规章：本年制发件数",
    "rules_repealed": "规章：本年废止件数",
    "rules_in_force": "规章：现行有效件数",
    "normative_issued": "行政规范性文件：本年制发件数",
    "normative_repealed": "行政规范性文件：本年废止件数",
    "normative_in_force": "行政规范性文件：现行有效件数",
    "fees": "行政事业性收费：本年收费金额（万元）",
}


def cell_records(unit: Unit, year: int, table: str, row: str, column: int) -> tuple[str, QuerySet[Any]] | None:
    """The register and the records behind one cell (None for an entered or heading cell)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if table == "table3":
        qs = _objects("disclosure").filter(unit__path__startswith=unit.path, received_on__lte=end)
        if column < len(APPLICANTS):
            qs = qs.filter(applicant_type=APPLICANTS[column])
        not_before = Q(replied_on__isnull=True, closed_on__isnull=True) | Q(replied_on__gte=start) | Q(closed_on__gte=start)
        qs = qs.filter(not_before).exclude(Q(replied_on__lt=start) | Q(closed_on__lt=start))
        in_year = Q(replied_on__range=(start, end)) | Q(closed_on__range=(start, end))
        if row == "new":
            return "disclosure", qs.filter(received_on__gte=start)
        if row == "carried_in":
            return "disclosure", qs.filter(received_on__lt=start)
        if row == "carried_out":
            return "disclosure", qs.exclude(Q(replied_on__lte=end) | Q(closed_on__lte=end))
        keys = [k for k, _l, _v, _o in ROWS3]
        if row not in keys or row == "results":
            return None
        i = keys.index(row)
        level = ROWS3[i][2]
        outcomes: list[str] = []
        span = ROWS3[i:] if row != "total" else [r for r in ROWS3 if r[2] >= 1]
        for n, (_k, _l, lv, outs) in enumerate(span):
            if n and lv <= level and row != "total":
                break
            outcomes += outs or []
        return "disclosure", qs.filter(in_year, outcome__in=outcomes)
    if table == "table4":
        block, group = divmod(column, 5)
        key = BLOCKS4[block][0]
        if key == "reconsideration":
            qs4: QuerySet[Any] = _objects("reconsideration").filter(
                disclosure_related=True, respondent_unit__path__startswith=unit.path, received_on__range=(start, end)
            )
            reg, date = "reconsideration", "decided_on"
        else:
            groups = {s: g for s, g in _lawsuit_groups(unit, start, end).items() if s.after_reconsideration == (key == "after")}
            wanted_pks = [s.pk for s, g in groups.items() if group == 4 or g == GROUPS4[group]]
            return "litigation", _objects("litigation").filter(pk__in=wanted_pks)
        if group == 4:
            return reg, qs4
        decided = Q(**{f"{date}__lte": end}) & ~Q(outcome="")
        if GROUPS4[group] == "pending":
            return reg, qs4.exclude(decided)
        wanted = [k for k, o in REGISTRY[reg].definition.outcomes.items() if (o.group if o.group in ("upheld", "corrected") else "other") == GROUPS4[group]]
        return reg, qs4.filter(decided, outcome__in=wanted)
    if table == "table2" and row in ("licence", "penalty", "coercion") and column == 0:
        return "enforcement", _objects("enforcement").filter(unit__path__startswith=unit.path, decided_on__year=year, kind=row)
    return None
