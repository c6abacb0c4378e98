"""Writing 学法 and 述法 records: validation in Chinese naming the field, the permission of the
actor over the unit, and every change an append-only ``StudyEvent`` with its audit leaf in the
same transaction. Records are matched on their natural key (a session: unit, day, kind, topic;
an exam or a 述法: unit, year, name, post), so that recording or importing again is a no-op."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from fazhi.audit.services import audit_append
from fazhi.core.canonical import canonical_bytes
from fazhi.core.errors import ValidationFailed
from fazhi.core.models import Kind, Level, Unit
from fazhi.core.selectors import require_role
from fazhi.core.types import Actor, actor_row_or_none
from fazhi.registers.law_study import rules
from fazhi.registers.law_study.models import Body, ExamGroup, LawExam, LawReport, Principal, Rating, ReportForm, StudyEvent, StudySession
from fazhi.registers.law_study.selectors import EDIT_ROLES

EARLIEST_YEAR = 2016  # 《关于完善国家工作人员学法用法制度的意见》 (2016-03-22)


def event_bytes(event: StudyEvent) -> bytes:
    return canonical_bytes(
        {
            "v": 1,
            "law_study_event": event.pk,
            "kind": event.kind,
            "record": event.record_id,
            "action": event.action,
            "data": event.data,
            "actor": event.actor_id,
        }
    )


def event_reencode(ids: list[int]) -> dict[int, bytes]:
    return {e.pk: event_bytes(e) for e in StudyEvent.objects.filter(pk__in=ids)}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value.normalize()) if value == value.to_integral() else str(value)
    if isinstance(value, models.Model):
        return getattr(value, "code", value.pk)
    return value


def _log(kind: str, record: models.Model, action: str, values: dict[str, Any], actor: Actor) -> None:
    data = {k: _plain(v) for k, v in sorted(values.items())}
    event = StudyEvent.objects.create(
        kind=kind,
        record_id=record.pk,
        action=action,
        data=data,
        actor=actor_row_or_none(actor) if getattr(actor, "pk", None) else None,
        occurred_at=timezone.now(),
    )
    audit_append(source="law_study", source_id=event.pk, data=event_bytes(event))


def _save(kind: str, model: Any, key: dict[str, Any], values: dict[str, Any], actor: Actor) -> tuple[Any, str]:
    """Create the record, or change it where a value differs; ``created`` / ``changed`` / ``unchanged``."""
    obj = model.objects.select_for_update().filter(**key).first()
    if obj is None:
        obj = model.objects.create(**key, **values)
        _log(kind, obj, "created", key | values, actor)
        return obj, "created"
    changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
    if not changed:
        return obj, "unchanged"
    for k, v in changed.items():
        setattr(obj, k, v)
    obj.save()
    _log(kind, obj, "changed", changed, actor)
    return obj, "changed"


def holds_executive_meetings(unit: Unit) -> bool:
    """政府常务会议 are held by 县级以上人民政府 (not by 街道办事处 or departments)."""
    return unit.kind == Kind.GOVERNMENT and unit.level in (Level.CITY, Level.DISTRICT)


def _require(actor: Actor, unit: Unit, what: str) -> None:
    if actor is not None:
        require_role(actor, unit, EDIT_ROLES, what, admin=True)


def _text(value: Any, field: str, label: str, errors: dict[str, list[str]], *, required: bool = True, limit: int = 200) -> str:
    text = str(value or "").strip()
    if required and not text:
        errors.setdefault(field, []).append(f"请填写{label}")
    elif len(text) > limit:
        errors.setdefault(field, []).append(f"{label}不能超过{limit}个字")
    return text


def _date(value: Any, field: str, label: str, errors: dict[str, list[str]], *, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            errors.setdefault(field, []).append(f"请填写{label}")
        return None
    if not isinstance(value, dt.date):
        errors.setdefault(field, []).append(f"{label}应为日期，如 2025-03-01")
        return None
    if value > timezone.localdate():
        errors.setdefault(field, []).append(f"{label}不能晚于今天")
    elif value.year < EARLIEST_YEAR:
        errors.setdefault(field, []).append(f"{label}不能早于{EARLIEST_YEAR}年")
    return value


def _year(value: Any, errors: dict[str, list[str]], label: str = "年度") -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        errors.setdefault("year", []).append(f"请填写{label}（四位年份）")
        return 0
    if not EARLIEST_YEAR <= year <= timezone.localdate().year:
        errors.setdefault("year", []).append(f"{label}应在{EARLIEST_YEAR}年至今年之间")
    return year


def _choice(value: Any, choices: Any, field: str, label: str, errors: dict[str, list[str]], *, required: bool = True) -> str:
    text = str(value or "").strip()
    by_label = {lab: code for code, lab in choices.choices}
    code = by_label.get(text, text)
    if not code and not required:
        return ""
    if code not in choices.values or (required and not code):
        errors.setdefault(field, []).append(f"{label}应为{'、'.join(lab for c, lab in choices.choices if c)}之一")
    return code


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed(errors)


@transaction.atomic
def session_record(*, unit: Unit, actor: Actor, data: dict[str, Any]) -> tuple[StudySession, str]:
    """A 学法 session of ``unit``: 常务会议/中心组/常委会/专题学法, 法治讲座 or 法治培训班."""
    _require(actor, unit, "登记学法活动")
    errors: dict[str, list[str]] = {}
    held_on = _date(data.get("held_on"), "held_on", "学法日期", errors)
    body = _choice(data.get("body"), Body, "body", "学法形式", errors)
    if body == Body.EXECUTIVE_MEETING and not holds_executive_meetings(unit):
        errors.setdefault("body", []).append(f"政府常务会议会前学法只能由县级以上人民政府登记，{unit.name}不召开政府常务会议")
    topic = _text(data.get("topic"), "topic", "学法主题", errors)
    laws = _text(data.get("laws"), "laws", "学习的法律法规", errors, limit=500)
    speaker = _text(data.get("speaker"), "speaker", "主讲人", errors, required=False, limit=100)
    attendees = data.get("attendees")
    if not isinstance(attendees, int) or isinstance(attendees, bool) or attendees < 1:
        errors.setdefault("attendees", []).append("参加人数应为正整数")
    raw_hours = data.get("hours")
    hours = decimal.Decimal(0)
    if isinstance(raw_hours, (int, decimal.Decimal)) and not isinstance(raw_hours, bool) and 0 <= raw_hours <= 200:
        hours = decimal.Decimal(raw_hours)
    elif raw_hours not in (None, ""):
        errors.setdefault("hours", []).append("学时应为0至200之间的数字")
    _raise(errors)
    key = {"unit": unit, "held_on": held_on, "body": body, "topic": topic}
    values = {"laws": laws, "speaker": speaker, "attendees": attendees, "hours": hours.quantize(decimal.Decimal("0.1"))}
    return _save("session", StudySession, key, values, actor)  # type: ignore[no-any-return]


@transaction.atomic
def exam_record(*, unit: Unit, actor: Actor, data: dict[str, Any]) -> tuple[LawExam, str]:
    """One person's annual 学法考试: enrolled (taken or not), the score and whether it passed."""
    _require(actor, unit, "登记学法考试")
    errors: dict[str, list[str]] = {}
    year = _year(data.get("year"), errors, "考试年度")
    name = _text(data.get("name"), "name", "姓名", errors, limit=50)
    post = _text(data.get("post"), "post", "职务", errors, required=False, limit=100)
    group = _choice(data.get("group") or ExamGroup.LEADER, ExamGroup, "group", "人员类别", errors)
    taken = data.get("taken")
    if not isinstance(taken, bool):
        errors.setdefault("taken", []).append("“参加考试”应填“是”或“否”")
    score = data.get("score")
    if score in ("", None):
        score = None
    held_on = _date(data.get("held_on"), "held_on", "考试日期", errors, required=False)
    if held_on and year and held_on.year != year:
        errors.setdefault("held_on", []).append(f"考试日期应在考试年度{year}年内")
    if taken is True and score is None:
        errors.setdefault("score", []).append("参加考试的应填写成绩")
    elif taken is False and score is not None:
        errors.setdefault("score", []).append("未参加考试的不应有成绩")
    elif score is not None and (not isinstance(score, (int, decimal.Decimal)) or isinstance(score, bool) or not 0 <= score <= 100):
        errors.setdefault("score", []).append("成绩应为0至100之间的数字")
        score = None
    _raise(errors)
    mark, _reference = rules.pass_score(year)
    passed = bool(taken and score is not None and decimal.Decimal(score) >= mark)
    key = {"unit": unit, "year": year, "name": name, "post": post}
    values = {
        "group": group,
        "taken": taken,
        "score": decimal.Decimal(score).quantize(decimal.Decimal("0.1")) if score is not None else None,
        "passed": passed,
        "held_on": held_on or dt.date(year, 12, 31),
    }
    return _save("exam", LawExam, key, values, actor)  # type: ignore[no-any-return]


@transaction.atomic
def report_record(*, unit: Unit, actor: Actor, data: dict[str, Any]) -> tuple[LawReport, str]:
    """One leader's 述法 for a year. Without a date the leader is due and has not yet reported."""
    _require(actor, unit, "登记述法")
    errors: dict[str, list[str]] = {}
    year = _year(data.get("year"), errors, "述法年度")
    name = _text(data.get("name"), "name", "姓名", errors, limit=50)
    post = _text(data.get("post"), "post", "职务", errors, limit=100)
    role = _choice(data.get("role"), Principal, "role", "述法主体", errors)
    reported_on = _date(data.get("reported_on"), "reported_on", "述法日期", errors, required=False)
    if reported_on and year and not year <= reported_on.year <= year + 1:
        errors.setdefault("reported_on", []).append(f"{year}年度的述法应在{year}年或{year + 1}年内进行")
    audience = _text(data.get("audience"), "audience", "述法会议或对象", errors, required=bool(reported_on))
    form = _choice(data.get("form"), ReportForm, "form", "述法方式", errors, required=bool(reported_on))
    rating = _choice(data.get("rating"), Rating, "rating", "评议结果", errors, required=False)
    evaluated_on = _date(data.get("evaluated_on"), "evaluated_on", "评议日期", errors, required=bool(rating))
    if not reported_on and (audience or form or rating):
        errors.setdefault("reported_on", []).append("已填写述法方式、会议或评议结果的，应填写述法日期")
    if reported_on and evaluated_on and evaluated_on < reported_on:
        errors.setdefault("evaluated_on", []).append("评议日期不能早于述法日期")
    if evaluated_on and not rating:
        errors.setdefault("rating", []).append("填写了评议日期的，应填写评议结果")
    _raise(errors)
    key = {"unit": unit, "year": year, "name": name, "post": post}
    values = {"role": role, "reported_on": reported_on, "audience": audience, "form": form, "rating": rating, "evaluated_on": evaluated_on}
    return _save("report", LawReport, key, values, actor)  # type: ignore[no-any-return]


def below_minimum(sessions: QuerySet[StudySession], units: QuerySet[Unit], year: int) -> list[tuple[Unit, str, int, int]]:
    """Units that held fewer sessions of a kind than the region's minimum for the year:
    (unit, kind label, held, required). 政府常务会议 is counted for 县级以上人民政府 only."""
    minimum, _reference = rules.study_minimum(year)
    held: dict[tuple[int, str], int] = {}
    for unit_id, body in sessions.filter(held_on__year=year).values_list("unit_id", "body"):
        held[(unit_id, body)] = held.get((unit_id, body), 0) + 1
    out = []
    for unit in units:
        for body, required in minimum.items():
            if body == Body.EXECUTIVE_MEETING and not holds_executive_meetings(unit):
                continue
            n = held.get((unit.pk, body), 0)
            if n < required:
                out.append((unit, Body(body).label, n, required))
    return out


KIND_MODELS: dict[str, type[models.Model]] = {"session": StudySession, "exam": LawExam, "report": LawReport}


def records_check_all(progress: Any = None) -> tuple[int, list[str]]:
    """Each 学法/考试/述法 record against its change rows (``fazhi audit verify``)."""
    from fazhi.audit.projection import records_check

    total, problems = 0, list[str]()
    for kind, model in KIND_MODELS.items():
        changes = StudyEvent.objects.filter(kind=kind).order_by("pk").values_list("record_id", "data")
        n, found = records_check(label=str(model._meta.verbose_name), model=model, changes=changes, encode=_plain)
        total, problems = total + n, problems + found
        if progress:
            progress(n)
    return total, problems


def records_count() -> int:
    return sum(m._default_manager.count() for m in KIND_MODELS.values())
