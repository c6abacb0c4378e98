"""考核: schemes as data, scores from the indicator catalogue and manual entries, ranking.

A scheme item is scored from an indicator of the catalogue (the unit's subtree, the whole year)
against a standard, or by the evaluators with evidence (manual), or is a veto (一票否决). An item
whose indicator has no records, or a denominator below the indicator's minimum, is not scored:
its points leave the unit's scoreable total instead of counting as zero or full, and the score
is the points earned over the points scoreable, out of 100 — caseload does not decide the rank.
A unit with too few scoreable points is listed, not ranked; a vetoed unit is not rated.

The scheme's steps (load, reload, manual scores, compute, publish) are declared in
``definitions/workflows/evaluation.yaml``: who may take them, in which state, what each records.
The scheme has no state column: its state is the one its last step left (loaded, computed,
published). Every write to a scheme, a manual score or a result is recorded by its step, so
``fazhi audit verify`` finds a score or rank changed, or a manual score deleted, behind the
application. Steps taken without an actor (``fazhi evaluation``, the demo) are the platform's.
"""

from __future__ import annotations

import decimal
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from fazhi.core.canonical import canonical_bytes
from fazhi.core.errors import DefinitionError, PermissionDenied, TransitionNotAllowed, ValidationFailed
from fazhi.core.files import EVIDENCE_KINDS, file_check, file_store
from fazhi.core.models import Unit
from fazhi.core.selectors import user_has_role
from fazhi.core.strictyaml import check_keys, loads_strict
from fazhi.core.types import Actor, actor_row, actor_row_or_none
from fazhi.evaluation.models import ManualScore, Result, Scheme
from fazhi.indicators.catalogue import catalogue
from fazhi.indicators.engine import Computation, Period, Value
from fazhi.registers.framework.definition import CREATE
from fazhi.registers.framework.workflow import workflow_check, workflow_get, workflow_record, workflow_state

D = decimal.Decimal
TWO = D("0.01")
WORKFLOW = "evaluation"  # definitions/workflows/evaluation.yaml: states, steps, roles


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    points: D
    indicator: str = ""
    manual: bool = False
    veto: bool = False
    standard: tuple[tuple[str, Any], ...] = ()

    @property
    def rule(self) -> dict[str, Any]:
        return dict(self.standard)

    def describe(self) -> str:
        s = self.rule
        if s["type"] == "linear":
            return f"达到 {s['full_at']}% 得满分 {self.points} 分，{s['zero_at']}% 及以下不得分，其间按比例计分"
        if s["type"] == "at_least":
            return f"达到 {s['value']}% 得 {self.points} 分，否则不得分"
        if s["type"] == "at_most":
            return f"不超过 {s['value']}% 得 {self.points} 分，否则不得分"
        return str(s.get("text", "人工评分"))


@dataclass(frozen=True)
class Spec:
    name: str
    year: int
    kinds: tuple[str, ...]
    min_applicable: D
    items: tuple[Item, ...]

    @property
    def total(self) -> D:
        return sum((i.points for i in self.items if not i.veto), D(0))


def spec_parse(text: str, filename: str = "考核方案") -> Spec:
    """Validate a scheme, naming the file, line and item of every problem."""
    top = check_keys(
        loads_strict(text, filename),
        allowed={"name", "year", "evaluated", "min_applicable", "items"},
        required={"name", "year", "evaluated", "items"},
        filename=filename,
        where="方案",
    )
    evaluated = check_keys(top["evaluated"], allowed={"kinds"}, required={"kinds"}, filename=filename, where="evaluated")
    cat = catalogue()
    items, seen = [], set()
    for raw in top["items"]:
        raw = check_keys(
            raw, allowed={"code", "name", "indicator", "points", "standard", "manual", "veto"}, required={"code", "name"}, filename=filename, where="考核项目"
        )
        where = f"{filename}:{raw.line}: 考核项目 {raw['code']}"
        if raw["code"] in seen:
            raise DefinitionError(f"{where} 重复")
        seen.add(raw["code"])
        veto, manual = bool(raw.get("veto", False)), bool(raw.get("manual", False))
        standard = dict(raw.get("standard") or {"type": "manual"})
        kind = standard.get("type")
        if veto:
            points = D(0)
        else:
            try:
                points = D(str(raw["points"]))
            except (KeyError, decimal.InvalidOperation):
                raise DefinitionError(f"{where} 缺少分值 points 或分值不是数字") from None
            if points <= 0:
                raise DefinitionError(f"{where} 的分值应大于 0")
        indicator = str(raw.get("indicator", ""))
        if not manual and not veto:
            if indicator not in cat:
                raise DefinitionError(f"{where} 的指标 {indicator!r} 不在指标目录中")
            if cat[indicator].type not in ("ratio", "on_time"):
                raise DefinitionError(f"{where} 的指标 {indicator} 不是比例类指标：考核按比例计分，不按案件数量")
            needed = {"linear": {"full_at", "zero_at"}, "at_least": {"value"}, "at_most": {"value"}}.get(str(kind))
            if needed is None:
                raise DefinitionError(f"{where} 的评分标准类型 {kind!r} 无效（linear、at_least、at_most）")
            if not needed <= set(standard):
                raise DefinitionError(f"{where} 的评分标准缺少 {sorted(needed - set(standard))}")
            if kind == "linear" and D(str(standard["full_at"])) == D(str(standard["zero_at"])):
                raise DefinitionError(f"{where} 的满分线与零分线相同")
        items.append(Item(str(raw["code"]), str(raw["name"]), points, indicator, manual, veto, tuple(sorted(standard.items()))))
    return Spec(str(top["name"]), int(top["year"]), tuple(str(k) for k in evaluated["kinds"]), D(str(top.get("min_applicable", 60))), tuple(items))


def scheme_load(*, unit: Unit, path: Path, actor: Actor | None = None) -> Scheme:
    return scheme_load_text(unit=unit, text=path.read_text(encoding="utf-8"), filename=str(path), actor=actor)


def scheme_load_text(*, unit: Unit, text: str, filename: str, actor: Actor | None = None) -> Scheme:
    """Store a year's scheme for ``unit`` (replacing it, and dropping its results, until its
    results are published). Without an actor it is the platform's step (command line, demo)."""
    spec = spec_parse(text, filename)
    sha = hashlib.sha256(text.encode()).hexdigest()
    with transaction.atomic():
        existing = Scheme.objects.select_for_update().filter(unit=unit, year=spec.year).first()
        if existing is None:
            workflow_check(WORKFLOW, Scheme(unit=unit), CREATE, actor, system=actor is None)
            scheme = Scheme.objects.create(unit=unit, year=spec.year, name=spec.name, text=text, sha256=sha)
            workflow_record(WORKFLOW, scheme, CREATE, actor=actor, text=f"方案校验值 SHA-256 {sha}")
            return scheme
        workflow_check(WORKFLOW, existing, "reload", actor, system=actor is None)
        gone = list(Result.objects.filter(scheme=existing).order_by("pk"))
        Result.objects.filter(pk__in=[r.pk for r in gone]).delete()
        existing.name, existing.text, existing.sha256, existing.computed_at = spec.name, text, sha, None
        existing.save(update_fields=["name", "text", "sha256", "computed_at"])
        label = f"重新载入考核方案（撤销已计算的 {len(gone)} 个单位的得分）" if gone else ""
        workflow_record(WORKFLOW, existing, "reload", actor=actor, label=label, text=f"方案校验值 SHA-256 {sha}", removed=gone)
    return existing


def spec_of(scheme: Scheme) -> Spec:
    return spec_parse(scheme.text, f"{scheme.year}年度考核方案")


def evaluated_units(scheme: Scheme, spec: Spec | None = None) -> list[Unit]:
    spec = spec or spec_of(scheme)
    return list(Unit.objects.filter(parent=scheme.unit, kind__in=spec.kinds).order_by("path"))


def _standard_points(item: Item, value: D) -> D:
    s = item.rule
    if s["type"] == "at_least":
        return item.points if value >= D(str(s["value"])) else D(0)
    if s["type"] == "at_most":
        return item.points if value <= D(str(s["value"])) else D(0)
    full, zero = D(str(s["full_at"])), D(str(s["zero_at"]))
    share = (value - zero) / (full - zero)
    return (item.points * min(max(share, D(0)), D(1))).quantize(TWO, rounding=decimal.ROUND_HALF_UP)


def latest_manual(scheme: Scheme) -> dict[tuple[int, str], ManualScore]:
    out: dict[tuple[int, str], ManualScore] = {}
    for m in ManualScore.objects.filter(scheme=scheme).order_by("id"):
        out[(m.unit_id, m.item)] = m
    return out


def _num(v: Any) -> Any:
    return str(v) if isinstance(v, D) else v


def score_unit(spec: Spec, unit: Unit, values: dict[str, dict[int, Value]], manual: dict[tuple[int, str], ManualScore]) -> dict[str, Any]:
    rows, earned, applicable, vetoed = [], D(0), D(0), False
    for item in spec.items:
        row: dict[str, Any] = {"code": item.code, "name": item.name, "points": _num(item.points), "standard": item.describe(), "indicator": item.indicator}
        if item.manual or item.veto:
            m = manual.get((unit.pk, item.code))
            if item.veto:
                row["status"] = "vetoed" if m and m.vetoed else "clear"
                vetoed = vetoed or bool(m and m.vetoed)
            elif m is None:
                row["status"] = "pending"
            else:
                row |= {"status": "scored", "earned": _num(m.points)}
                earned += m.points
                applicable += item.points
            if m is not None:
                row |= {"manual_id": m.pk, "note": m.note, "evidence": m.evidence_name}
        else:
            v = values[item.indicator][unit.pk]
            row |= {"value": _num(v.value), "numerator": v.numerator, "denominator": v.denominator}
            if v.records == 0 or v.value is None:
                row["status"] = "no_records"
            elif v.small:
                row["status"] = "small"
            else:
                got = _standard_points(item, D(v.value))
                row |= {"status": "scored", "earned": _num(got)}
                earned += got
                applicable += item.points
        rows.append(row)
    return {"items": rows, "earned": earned, "applicable": applicable, "vetoed": vetoed}


def scheme_compute(scheme: Scheme, actor: Actor | None = None) -> list[Result]:
    """Score every evaluated unit and rank them (again, until the results are published): the
    results computed before are deleted and recorded as removed by the step."""
    with transaction.atomic():
        locked = Scheme.objects.select_for_update().select_related("unit").get(pk=scheme.pk)
        workflow_check(WORKFLOW, locked, "compute", actor, system=actor is None)
        spec = spec_of(locked)
        units = evaluated_units(locked, spec)
        codes = sorted({i.indicator for i in spec.items if i.indicator})
        values = Computation(Period.year(spec.year), codes, within=locked.unit).values([u.pk for u in units]) if codes else {}
        manual = latest_manual(locked)
        scored = []
        for u in units:
            s = score_unit(spec, u, values, manual)
            score = (s["earned"] * 100 / s["applicable"]).quantize(TWO, rounding=decimal.ROUND_HALF_UP) if s["applicable"] else None
            reason = ""
            if s["vetoed"]:
                reason = "一票否决，不予评定等次"
            elif s["applicable"] * 100 < spec.min_applicable * spec.total:
                reason = f"可计分分值 {s['applicable']} 分，不足总分 {spec.total} 分的 {spec.min_applicable}%（无记录或样本不足的项目不计分），不参与排名"
            scored.append((u, s, score, reason))
        ranked = sorted((x for x in scored if not x[3]), key=lambda x: (-(x[2] or 0), x[0].path))
        ranks: dict[int, int] = {}
        previous, rank = None, 0
        for i, (u, _s, score, _r) in enumerate(ranked, start=1):
            if score != previous:
                rank, previous = i, score
            ranks[u.pk] = rank
        gone = list(Result.objects.filter(scheme=locked).order_by("pk"))
        Result.objects.filter(pk__in=[r.pk for r in gone]).delete()
        results = [
            Result.objects.create(
                scheme=locked,
                unit=u,
                earned=D(s["earned"]).quantize(TWO),
                applicable=D(s["applicable"]).quantize(TWO),
                score=score,
                vetoed=s["vetoed"],
                rank=ranks.get(u.pk),
                not_ranked_reason=reason,
                breakdown={"items": s["items"]},
            )
            for u, s, score, reason in scored
        ]
        locked.computed_at = timezone.now()
        locked.save(update_fields=["computed_at"])
        label = f"{'重新' if gone else ''}按方案计分（{len(results)} 个单位）"
        workflow_record(WORKFLOW, locked, "compute", actor=actor, label=label, rows=results, removed=gone)
    scheme.computed_at = locked.computed_at
    return results


def manual_score_enter(
    *, scheme: Scheme, unit: Unit, item_code: str, points: Any, vetoed: bool, note: str, actor: Actor, evidence: tuple[str, bytes] | None
) -> ManualScore:
    """A score the records cannot give, with its evidence; appended (the latest entry counts)."""
    workflow_check(WORKFLOW, scheme, "manual", actor)  # before the values are looked at; again under the lock
    spec = spec_of(scheme)
    item = next((i for i in spec.items if i.code == item_code), None)
    errors: dict[str, list[str]] = {}
    if item is None or not (item.manual or item.veto):
        raise ValidationFailed({"item": [f"{item_code} 不是需要人工评分的项目"]})
    if unit not in evaluated_units(scheme, spec):
        raise PermissionDenied(f"{unit.name}不在本次考核范围内")
    try:
        value = D(str(points or 0))
    except decimal.InvalidOperation:
        value = D(-1)
    if not item.veto and not (D(0) <= value <= item.points):
        errors["points"] = [f"得分应在 0 至 {item.points} 分之间"]
    if not note.strip():
        errors["note"] = ["请写明评分理由"]
    if (vetoed or not item.veto) and evidence is None:
        errors["evidence"] = ["请上传佐证材料"]
    if evidence is not None:
        try:
            file_check(evidence[1], name=evidence[0], label="佐证材料", allowed=EVIDENCE_KINDS, field="evidence")
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    name, sha = "", ""
    if evidence is not None:
        name, sha = evidence[0], file_store(evidence[1])
    with transaction.atomic():
        locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
        workflow_check(WORKFLOW, locked, "manual", actor)
        m = ManualScore.objects.create(
            scheme=locked,
            unit=unit,
            item=item.code,
            points=D(0) if item.veto else value,
            vetoed=vetoed if item.veto else False,
            note=note.strip(),
            evidence_name=name,
            evidence_sha256=sha,
            entered_by=actor_row(actor),
        )
        what = ("查实，一票否决" if m.vetoed else "未发生") if item.veto else f"{_num(m.points)} 分"
        workflow_record(WORKFLOW, locked, "manual", actor=actor, label=f"录入人工评分：{unit.name} {item.code} {item.name}（{what}）", rows=[m])
    return m


def canonical_results(scheme: Scheme) -> bytes:
    rows = [
        {
            "unit": r.unit.code,
            "earned": str(r.earned),
            "applicable": str(r.applicable),
            "score": None if r.score is None else str(r.score),
            "rank": r.rank,
            "vetoed": r.vetoed,
            "items": r.breakdown["items"],
        }
        for r in Result.objects.filter(scheme=scheme).select_related("unit").order_by("unit__path")
    ]
    # floats let through: an indicator's numerator or denominator may be one, and the published
    # hashes were taken with them as Python writes them
    return canonical_bytes({"scheme": scheme.sha256, "year": scheme.year, "results": rows}, floats=True)


def scheme_publish(scheme: Scheme, actor: Actor) -> Scheme:
    """Publish the results with their checksum; after this nothing of the scheme changes."""
    with transaction.atomic():
        locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
        workflow_check(WORKFLOW, locked, "publish", actor)
        if locked.computed_at is None or not Result.objects.filter(scheme=locked).exists():
            raise TransitionNotAllowed("请先计算考核得分")
        pending = [
            r.unit.name for r in Result.objects.filter(scheme=locked).select_related("unit") if any(i["status"] == "pending" for i in r.breakdown["items"])
        ]
        if pending:
            raise TransitionNotAllowed(f"以下单位还有人工评分项目未评分：{'、'.join(pending[:10])}{'等' if len(pending) > 10 else ''}")
        locked.results_sha256 = hashlib.sha256(canonical_results(locked)).hexdigest()
        locked.published_at, locked.published_by = timezone.now(), actor_row_or_none(actor)
        locked.save(update_fields=["results_sha256", "published_at", "published_by"])
        workflow_record(WORKFLOW, locked, "publish", actor=actor, text=f"结果校验值 SHA-256 {locked.results_sha256}")
    return locked


def scheme_state(scheme: Scheme) -> str:
    """The scheme's state (loaded, computed, published): the one its last step left."""
    return workflow_state(WORKFLOW, scheme)


# The steps offered as buttons on the scheme's page, in order (manual scores have their form).
BUTTON_STEPS = ("compute", "publish")


def may(user: Any, scheme: Scheme, action: str, state: str | None = None) -> bool:
    """Whether the user may take the step on the scheme now (as the definition says)."""
    t = workflow_get(WORKFLOW).definition.step(action)
    if (state if state is not None else scheme_state(scheme)) not in t.sources:
        return False
    return user_has_role(user, scheme.unit, t.roles, admin=t.admin)


def scheme_actions(user: Any, scheme: Scheme) -> list[tuple[str, str, str]]:
    """The button steps this user may take on the scheme now: (action, label, style)."""
    d = workflow_get(WORKFLOW).definition
    state = scheme_state(scheme)
    return [(a, d.transitions[a].label, d.transitions[a].style) for a in BUTTON_STEPS if may(user, scheme, a, state)]
