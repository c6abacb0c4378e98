"""Import and export of the 学法 and 述法 ledgers (xlsx/csv, UTF-8 or GBK): one row per record,
matched on its natural key so that importing the same file again is a no-op; all-or-nothing, every
message naming the row and the column; the export has the import's layout."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from fazhi.core.errors import FazhiError, ImportFailed, ValidationFailed
from fazhi.core.importers import ImportResult
from fazhi.core.models import Unit
from fazhi.core.tabular import parse_bool, parse_date, read_table
from fazhi.core.types import Actor
from fazhi.registers.law_study import services
from fazhi.registers.law_study.models import Body, ExamGroup, LawExam, LawReport, Principal, Rating, ReportForm, StudySession

# column -> (service field, how the cell is read)
DATE, INT, NUMBER, BOOL, TEXT = "date", "int", "number", "bool", "text"


@dataclass(frozen=True)
class Spec:
    kind: str  # the importer's name (``fazhi import KIND FILE``)
    label: str
    service: Callable[..., Any]
    required: tuple[tuple[str, str, str], ...]  # (column, field, reader)
    optional: tuple[tuple[str, str, str], ...]
    row: Callable[[Any], list[Any]]  # a record as a row of the export, in column order

    @property
    def columns(self) -> list[tuple[str, str, str]]:
        return [*self.required, *self.optional]

    def header(self) -> list[str]:
        return ["单位编码", *(c for c, _f, _r in self.columns)]

    def run(self, *, data: bytes, filename: str, actor: Actor | None = None, progress: Callable[[int], None] | None = None) -> ImportResult:
        return run_import(self, data=data, filename=filename, actor=actor, progress=progress)


def _read(value: Any, reader: str) -> tuple[Any, str]:
    """(value, problem): the cell as the service expects it, or why it cannot be read."""
    if value in ("", None):
        return None, ""
    if reader == DATE:
        day = parse_date(value)
        return (day, "") if day else (None, f"无法识别日期“{value}”，请写成 2025-03-01")
    if reader == INT:
        try:
            return int(str(value).strip()), ""
        except ValueError:
            return None, f"“{value}”不是整数"
    if reader == NUMBER:
        try:
            return decimal.Decimal(str(value).strip()), ""
        except decimal.InvalidOperation:
            return None, f"“{value}”不是数字"
    if reader == BOOL:
        flag = parse_bool(value)
        return (flag, "") if flag is not None else (None, "应填“是”或“否”")
    return str(value).strip(), ""


def run_import(spec: Spec, *, data: bytes, filename: str, actor: Actor | None = None, progress: Callable[[int], None] | None = None) -> ImportResult:
    table = read_table(data, filename, required=["单位编码", *(c for c, _f, _r in spec.required)])
    units = {u.code: u for u in Unit.objects.filter(code__in=[str(r["单位编码"]) for _, r in table.rows])}
    fields = {f: c for c, f, _r in spec.columns}
    problems: list[str] = []
    result = ImportResult()
    with transaction.atomic():
        for row, r in table.rows:
            unit = units.get(str(r["单位编码"]))
            if unit is None:
                problems.append(f"第{row}行“单位编码”：找不到单位 {r['单位编码'] or '（空）'}")
                continue
            values: dict[str, Any] = {}
            unreadable = False
            for column, field, reader in spec.columns:
                value, problem = _read(r.get(column, ""), reader)
                if problem:
                    problems.append(f"第{row}行“{column}”：{problem}")
                    unreadable = True
                values[field] = value
            if unreadable:
                continue
            try:
                with transaction.atomic():
                    _record, outcome = spec.service(unit=unit, actor=actor, data=values)
            except ValidationFailed as exc:
                for field, messages in exc.errors.items():
                    where = f"第{row}行“{fields[field]}”" if field in fields else f"第{row}行"
                    problems.extend(f"{where}：{m}" for m in messages)
                continue
            except FazhiError as exc:
                problems.append(f"第{row}行：{exc.message}")
                continue
            if outcome == "created":
                result.created += 1
            elif outcome == "changed":
                result.updated += 1
            else:
                result.unchanged += 1
            if progress:
                progress(1)
        if problems:
            raise ImportFailed(problems)
    return result


def _d(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _n(value: decimal.Decimal | None) -> Any:
    if value is None:
        return ""
    return int(value) if value == value.to_integral() else float(value)


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


SESSIONS = Spec(
    "law_study_sessions",
    "学法活动",
    services.session_record,
    (("学法日期", "held_on", DATE), ("学法形式", "body", TEXT), ("学法主题", "topic", TEXT), ("学习的法律法规", "laws", TEXT), ("参加人数", "attendees", INT)),
    (("主讲人", "speaker", TEXT), ("学时", "hours", NUMBER)),
    lambda s: [s.unit.code, _d(s.held_on), s.get_body_display(), s.topic, s.laws, s.attendees, s.speaker, _n(s.hours)],
)
EXAMS = Spec(
    "law_exams",
    "学法考试",
    services.exam_record,
    (("年度", "year", INT), ("姓名", "name", TEXT), ("参加考试", "taken", BOOL)),
    (("职务", "post", TEXT), ("人员类别", "group", TEXT), ("成绩", "score", NUMBER), ("考试日期", "held_on", DATE)),
    lambda e: [e.unit.code, e.year, e.name, _yes(e.taken), e.post, e.get_group_display(), _n(e.score), _d(e.held_on)],
)
REPORTS = Spec(
    "law_reports",
    "述法",
    services.report_record,
    (("年度", "year", INT), ("姓名", "name", TEXT), ("职务", "post", TEXT), ("述法主体", "role", TEXT)),
    (
        ("述法日期", "reported_on", DATE),
        ("述法会议或对象", "audience", TEXT),
        ("述法方式", "form", TEXT),
        ("评议结果", "rating", TEXT),
        ("评议日期", "evaluated_on", DATE),
    ),
    lambda p: [
        p.unit.code,
        p.year,
        p.name,
        p.post,
        p.get_role_display(),
        _d(p.reported_on),
        p.audience,
        p.get_form_display() if p.form else "",
        p.get_rating_display() if p.rating else "",
        _d(p.evaluated_on),
    ],
)
IMPORTS: dict[str, Spec] = {s.kind: s for s in (SESSIONS, EXAMS, REPORTS)}
MODELS = {"law_study_sessions": StudySession, "law_exams": LawExam, "law_reports": LawReport}

CHOICES_HELP = {
    "学法形式": "、".join(label for _c, label in Body.choices),
    "人员类别": "、".join(label for _c, label in ExamGroup.choices) + "（不填为领导干部）",
    "述法主体": "、".join(label for _c, label in Principal.choices),
    "述法方式": "、".join(label for _c, label in ReportForm.choices),
    "评议结果": "、".join(label for c, label in Rating.choices if c),
}


def export_rows(spec: Spec, records: Any) -> list[list[Any]]:
    return [spec.header(), *(spec.row(r) for r in records)]


def template_rows(spec: Spec) -> list[list[Any]]:
    notes = [["列", "是否必填", "说明"], ["单位编码", "必填", "单位树中的单位编码"]]
    for column, _f, reader in spec.columns:
        required = "必填" if any(column == c for c, _x, _y in spec.required) else "选填"
        hint = CHOICES_HELP.get(column) or {DATE: "日期，如 2025-03-01", INT: "整数", NUMBER: "数字", BOOL: "是 / 否", TEXT: "文字"}[reader]
        notes.append([column, required, hint])
    notes.append(["", "", "同一记录（学法活动：单位、日期、形式、主题；考试和述法：单位、年度、姓名、职务）再次导入时按内容更新；有任何错误时整个文件都不导入"])
    return notes
