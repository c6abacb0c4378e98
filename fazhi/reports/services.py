"""Annual reports: drafting, frozen versions, the review / 保密审查 / signature / publication steps.

Who does what (roles over the report's unit unless said otherwise):
- 依法治区办 (rule_of_law_office): creates the report, merges the units' drafts into each part,
  generates versions, submits, publishes, revises a published report;
- any staff of a unit below: contributes a draft for a part;
- reviewer or head: reviews (审核) and does the 保密审查, or returns the report with a reason;
- head (the principal leaders): signs the version under signature; the report is signed once
  ``FAZHI_REPORT_SIGNATURES`` distinct heads have signed the same version.
A version is a frozen snapshot with a checksum: records corrected later never change it; a new
version is generated instead, and lists what changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fazhi.core.canonical import canonical_bytes
from fazhi.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from fazhi.core.models import Role, Unit
from fazhi.core.selectors import require_role, user_has_role, user_is_admin
from fazhi.core.types import Actor, actor_row, actor_row_or_none
from fazhi.registers.framework.definition import CREATE
from fazhi.registers.framework.workflow import workflow_check, workflow_get, workflow_record
from fazhi.reports.generator import Part, definition, generate, has_definition
from fazhi.reports.models import Contribution, Kind, Report, Signature, State, Version
from fazhi.reports.selectors import OFFICE, STAFF

WORKFLOW = "report"  # definitions/workflows/report.yaml: states, steps, roles

SIGNERS = (Role.HEAD,)


def signatures_required() -> int:
    return int(getattr(settings, "FAZHI_REPORT_SIGNATURES", 1))


def deadlines(report: Report) -> list[tuple[dt.date, str]]:
    """The statutory dates of the report in the year after it, as its definition gives them
    (with their citations: RULES.md §1 and §3.3), in order."""
    if not has_definition(report.kind):
        return []
    kind = "government" if report.unit.kind == "government" else "department"
    y = report.year + 1
    return sorted((dt.date(y, d.month, d.day), d.label) for d in definition(report.kind).deadlines if d.units in ("", kind))


def report_create(*, unit: Unit, kind: str, year: int, actor: Actor, order: list[str] | None = None) -> Report:
    workflow_check(WORKFLOW, Report(unit=unit), CREATE, actor)
    if kind not in Kind.values:
        raise ValidationFailed({"kind": ["没有这种报告"]})
    if not has_definition(kind):
        raise TransitionNotAllowed(f"{Kind(kind).label}的生成尚未提供（见开发说明）")
    keys = [p.key for p in definition(kind).parts]
    order = order or keys
    if definition(kind).fixed_order and order != keys:
        raise ValidationFailed({"order": [f"{Kind(kind).label}按全国统一格式，各部分顺序不能调整"]})
    if sorted(order) != sorted(keys):
        raise ValidationFailed({"order": [f"各部分顺序须包含且只包含：{'、'.join(p.title for p in definition(kind).parts)}"]})
    if Report.objects.filter(unit=unit, kind=kind, year=year).exists():
        raise TransitionNotAllowed(f"{unit.name}{year}年的{Kind(kind).label}已经存在")
    with transaction.atomic():
        report = Report.objects.create(unit=unit, kind=kind, year=year, order=order)
        workflow_record(WORKFLOW, report, CREATE, actor=actor)
    return report


def contribution_save(*, report: Report, part: str, unit: Unit, text: str, actor: Actor) -> Contribution:
    """A unit's draft for a part; with the report's own unit, the merged text the report prints."""
    if part not in report.order:
        raise ValidationFailed({"part": ["没有这一部分"]})
    if not unit.is_within(report.unit):
        raise PermissionDenied(f"{unit.name}不是{report.unit.name}的下属单位")
    require_role(actor, unit, OFFICE if unit == report.unit else STAFF, "为年度报告供稿")
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        _editable(locked)
        c, _ = Contribution.objects.update_or_create(report=locked, part=part, unit=unit, defaults={"text": text.strip(), "updated_by": actor_row(actor)})
        label = f"{unit.name}{'修改合稿' if unit == report.unit else '供稿'}：{definition(report.kind).part(part).title}"
        workflow_record(WORKFLOW, locked, "contribute", actor=actor, label=label, rows=[c])
    return c


MERGE_NOTE = "合并各单位稿件"  # the note of the version a merge generates


def contributions_merge(*, report: Report, actor: Actor) -> Version:
    """依法治区办 merges the units' drafts into the report's text: for each part, the drafts of the
    units below in the order of the units, after the text the office already has. Merging again
    takes only the drafts written or changed since the last merge, and never a paragraph already
    in the text (the office's edits of merged text stand). Each changed part is recorded as the
    office's edit, then a new version is generated; the text stays editable."""
    with transaction.atomic():
        locked = Report.objects.select_for_update().select_related("unit").get(pk=report.pk)
        require_role(actor, locked.unit, OFFICE, "合并各单位稿件")
        _editable(locked)
        d = definition(locked.kind)
        drafts: dict[str, list[Contribution]] = {}
        candidates = Contribution.objects.filter(report=locked).exclude(unit=locked.unit).select_related("unit").order_by("unit__path", "pk")
        last = locked.versions.filter(note=MERGE_NOTE).order_by("-number").first()
        if last is not None:
            candidates = candidates.filter(updated_at__gt=last.created_at)
        for c in candidates:
            if c.text.strip():
                drafts.setdefault(c.part, []).append(c)
        if not drafts:
            raise TransitionNotAllowed("上次合并以后各单位没有新的供稿，没有新的内容可合并" if last else "各单位尚未提交供稿，没有可合并的内容")
        merged = {c.part: c for c in Contribution.objects.filter(report=locked, unit=locked.unit)}
        added = 0
        for part in locked.order:
            current = merged[part].text if part in merged else ""
            lines = [line.strip() for line in current.split("\n") if line.strip()]
            new: list[str] = []
            for draft in drafts.get(part, []):
                new += [t for t in (line.strip() for line in draft.text.split("\n")) if t and t not in lines and t not in new]
            if not new:
                continue
            added += len(new)
            c, _ = Contribution.objects.update_or_create(
                report=locked, part=part, unit=locked.unit, defaults={"text": "\n".join(lines + new), "updated_by": actor_row(actor)}
            )
            units = "、".join(dict.fromkeys(x.unit.name for x in drafts[part]))
            workflow_record(WORKFLOW, locked, "contribute", actor=actor, label=f"合并各单位稿件：{d.part(part).title}（{units}）", rows=[c])
        if not added:
            raise TransitionNotAllowed("各单位的供稿已全部在合稿正文中，没有新的内容可合并")
        return version_generate(report=locked, actor=actor, note=MERGE_NOTE)


def _editable(report: Report) -> None:
    if report.state not in (State.DRAFT, State.REVIEW):
        raise TransitionNotAllowed(f"报告{report.get_state_display()}，不能再修改内容")


def content_of(report: Report) -> dict[str, Any]:
    """What a version freezes: the title, the parts in the report's order with the generated
    paragraphs and the merged narrative."""
    from fazhi.reports import disclosure_tables

    title, parts = generate(report.kind, report.unit, report.year, report.order)
    merged = {c.part: c.text for c in Contribution.objects.filter(report=report, unit=report.unit)}
    d = definition(report.kind)
    out = []
    for part in parts:
        paragraphs = [{"topic": p.topic, "text": p.text, "figures": [f.as_dict() for f in p.figures], "generated": True} for p in part.paragraphs]
        for i, text in enumerate(t for t in merged.get(part.key, "").split("\n") if t.strip()):
            paragraphs.append({"topic": f"正文{i + 1}", "text": text.strip(), "figures": [], "generated": False})
        entry: dict[str, Any] = {"key": part.key, "title": part.title, "paragraphs": paragraphs}
        table = d.part(part.key).table
        if table == "table2":
            entry["table"] = disclosure_tables.table2(report.unit, report.year, report.manual).as_dict()
        elif table == "table3":
            entry["table"] = disclosure_tables.table3(report.unit, report.year).as_dict()
        elif table == "table4":
            entry["table"] = disclosure_tables.table4(report.unit, report.year).as_dict()
        out.append(entry)
    return {"title": title, "unit": report.unit.name, "year": report.year, "kind": report.kind, "parts": out}


def canonical(content: dict[str, Any]) -> bytes:
    # The 2021 disclosure tables hold amounts typed by hand as floats; the stored version hashes
    # were taken with floats written as Python writes them.
    return canonical_bytes(content, floats=True)


def changes(before: dict[str, Any] | None, after: dict[str, Any]) -> list[dict[str, str]]:
    """Paragraphs that differ between two versions (by part and topic)."""
    if before is None:
        return []

    def index(c: dict[str, Any]) -> dict[tuple[str, str], tuple[str, str]]:
        return {(p["key"], para["topic"]): (p["title"], para["text"]) for p in c["parts"] for para in p["paragraphs"]}

    a, b = index(before), index(after)
    out = []
    for key in list(a) + [k for k in b if k not in a]:
        old, new = a.get(key), b.get(key)
        if old is None or new is None or old[1] != new[1]:
            title = (new or old or ("", ""))[0]
            out.append({"part": title, "topic": key[1], "before": old[1] if old else "", "after": new[1] if new else ""})
    if before.get("title") != after.get("title"):
        out.insert(0, {"part": "标题", "topic": "标题", "before": before.get("title", ""), "after": after["title"]})
    return out


def version_generate(*, report: Report, actor: Actor, note: str = "") -> Version:
    with transaction.atomic():
        locked = Report.objects.select_for_update().select_related("unit").get(pk=report.pk)
        require_role(actor, locked.unit, OFFICE, "生成报告版本", admin=True)
        if locked.state not in (State.DRAFT, State.REVIEW):
            raise TransitionNotAllowed(f"报告{locked.get_state_display()}，不能重新生成；需要更正时请先“修订”")
        workflow_check(WORKFLOW, locked, "generate", actor)
        content = content_of(locked)
        previous = locked.versions.order_by("-number").first()
        version = Version.objects.create(
            report=locked,
            number=(previous.number + 1) if previous else 1,
            content=content,
            sha256=hashlib.sha256(canonical(content)).hexdigest(),
            changes=changes(previous.content if previous else None, content),
            note=note.strip(),
            created_by=actor_row(actor),
        )
        label = f"生成第{version.number}版（{len(version.changes)}处变化）" if previous else "生成第1版"
        workflow_record(WORKFLOW, locked, "generate", actor=actor, label=label, text=version.note, rows=[version])
    return version


def latest(report: Report) -> Version | None:
    return report.versions.order_by("-number").first()


# The steps offered as buttons on the report's page, in order (the others have their own forms).
BUTTON_STEPS = ("submit", "approve", "clear", "return", "publish", "revise")


def report_step(*, report: Report, action: str, actor: Actor, text: str = "") -> Report:
    if action not in BUTTON_STEPS:
        raise TransitionNotAllowed("没有这个步骤")
    with transaction.atomic():
        locked = Report.objects.select_for_update().select_related("unit").get(pk=report.pk)
        t = workflow_check(WORKFLOW, locked, action, actor)
        version = latest(locked)
        if version is None:
            raise TransitionNotAllowed("请先生成报告版本")
        problems = table_problems(version)
        if problems and action in ("submit", "approve", "clear", "publish"):
            raise TransitionNotAllowed("表格数据不能通过核对，不能" + t.label + "：" + "；".join(problems[:5]))
        if action == "return" and not text.strip():
            raise ValidationFailed({"text": ["请写明退回的理由"]})
        if action == "publish":
            locked.published_version, locked.published_at = version, timezone.now()
            locked.save(update_fields=["published_version", "published_at"])
        workflow_record(WORKFLOW, locked, action, actor=actor, label=f"{t.label}（第{version.number}版）", text=text.strip())
    return locked


def report_sign(*, report: Report, actor: Actor) -> Report:
    with transaction.atomic():
        locked = Report.objects.select_for_update().select_related("unit").get(pk=report.pk)
        workflow_check(WORKFLOW, locked, "sign", actor)
        version = latest(locked)
        assert version is not None
        if Signature.objects.filter(version=version, signer=actor_row_or_none(actor)).exists():
            raise TransitionNotAllowed("您已签发此版本")
        signature = Signature.objects.create(version=version, signer=actor_row(actor))
        n = Signature.objects.filter(version=version).count()
        workflow_record(WORKFLOW, locked, "sign", actor=actor, label=f"签发第{version.number}版（{n}/{signatures_required()}）", rows=[signature])
        if n >= signatures_required():
            workflow_record(WORKFLOW, locked, "signed", actor=actor, label=f"第{version.number}版签发完成")
    return locked


def report_actions(user: Any, report: Report) -> list[tuple[str, str]]:
    """The button steps this user may take on the report now: (action, label)."""
    d = workflow_get(WORKFLOW).definition
    admin = user_is_admin(user)
    out = []
    for action in BUTTON_STEPS:
        t = d.transitions[action]
        if report.state in t.sources and (may(user, report, t.roles) or (admin and t.admin)):
            out.append((action, t.label))
    return out


def may(user: Any, report: Report, roles: tuple[str, ...]) -> bool:
    return user_has_role(user, report.unit, roles)


def parts_of(version: Version) -> list[Part]:
    from fazhi.reports.generator import Figure, Paragraph

    out = []
    for p in version.content["parts"]:
        out.append(Part(p["key"], p["title"], [Paragraph(x["topic"], x["text"], [Figure(**f) for f in x["figures"]], x["generated"]) for x in p["paragraphs"]]))
    return out


def table_problems(version: Version) -> list[str]:
    """The format's arithmetic re-checked on the tables as frozen in the version (not trusted
    from generation time: a version edited behind the application fails here)."""
    from fazhi.reports.disclosure_tables import Row, check3

    problems: list[str] = []
    for part in version.content.get("parts", []):
        table = part.get("table")
        if not table:
            continue
        rows = [Row(r["key"], r["label"], r["level"], r["cells"]) for r in table["rows"]]
        if table["key"] == "table3":
            problems += check3(rows)
        elif table["key"] == "table4":
            cells = rows[0].cells
            for n in range(0, len(cells), 5):
                if sum(c or 0 for c in cells[n : n + 4]) != cells[n + 4]:
                    problems.append(f"表四第{n // 5 + 1}组：各项之和不等于总计")
    return problems


def report_manual_set(*, report: Report, values: dict[str, Any], actor: Actor) -> Report:
    """The table items that have no register yet (规章, 规范性文件, 收费), entered by the office."""
    from fazhi.reports.disclosure_tables import MANUAL_FIELDS

    workflow_check(WORKFLOW, report, "manual", actor)
    _editable(report)
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, label in MANUAL_FIELDS.items():
        raw = str(values.get(key, "") or "").strip()
        if raw == "":
            continue
        try:
            number = float(raw)
        except ValueError:
            errors[key] = [f"{label}应为数字"]
            continue
        if number < 0 or (key != "fees" and number != int(number)):
            errors[key] = [f"{label}应为非负{'数' if key == 'fees' else '整数'}"]
            continue
        cleaned[key] = number if key == "fees" else int(number)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        _editable(locked)
        locked.manual = cleaned
        locked.save(update_fields=["manual"])
        workflow_record(WORKFLOW, locked, "manual", actor=actor, text="、".join(f"{MANUAL_FIELDS[k]} {v}" for k, v in cleaned.items()))
    return locked
