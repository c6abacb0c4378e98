"""The dated enforcement rules of ``definitions/enforcement/``: review and hearing triggers,
collective discussion, publication retention, criminal thresholds."""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from fazhi.core.errors import DefinitionError, TransitionNotAllowed
from fazhi.core.strictyaml import check_keys, load_strict

ORGANISATION_TYPES = {"legal_person", "other_organisation", "individual_business"}
CASE_FLAGS = {"major_public_interest", "hearing_held", "complex_case", "other_law_review"}
MEASURES = {"large_confiscation", "qualification_downgrade", "licence_revocation", "suspension", "closure", "occupation_ban"}


def party_group(party_type: str) -> str:
    """Thresholds distinguish natural persons from organisations (an 个体工商户 counts with the latter)."""
    return "organisation" if party_type in ORGANISATION_TYPES else "natural_person"


@dataclass(frozen=True)
class Version:
    since: dt.date
    reference: str
    values: dict[str, Any]


def _versions(path: Path, key: str, raw: Any, allowed: set[str]) -> list[Version]:
    if not isinstance(raw, list) or not raw:
        raise DefinitionError(f"{path}: {key} 应为按 since 排列的版本列表")
    out = []
    for item in raw:
        v = check_keys(item, allowed=allowed | {"since", "reference"}, required={"since", "reference"}, filename=str(path), where=key)
        if not isinstance(v["since"], dt.date):
            raise DefinitionError(f"{path}:{v.line_of('since')}: since 应为日期")
        out.append(Version(v["since"], str(v["reference"]), {k: v[k] for k in v if k not in ("since", "reference")}))
    if [v.since for v in out] != sorted(v.since for v in out):
        raise DefinitionError(f"{path}: {key} 的版本应按 since 先后排列")
    return out


def _in_force(versions: list[Version], day: dt.date) -> Version | None:
    found = None
    for v in versions:
        if v.since <= day:
            found = v
    return found


@cache
def _rules() -> dict[str, list[Version]]:
    path = Path(settings.FAZHI_DEFINITIONS_DIR) / "enforcement" / "rules.yaml"
    keys = {"legal_review", "hearing_right", "collective_discussion", "publication_retention", "officer_training"}
    keys |= {"statement_window", "sectors", "decision_terms", "licence_correction"}
    top = check_keys(load_strict(path), allowed=keys, required=keys, filename=str(path), where="rules")
    rules = {
        "legal_review": _versions(path, "legal_review", top["legal_review"], {"triggers", "fine_at_least"}),
        "hearing_right": _versions(
            path, "hearing_right", top["hearing_right"], {"large_amount", "measures", "request_within_workdays", "notice_before_workdays"}
        ),
        "statement_window": _versions(path, "statement_window", top["statement_window"], {"workdays"}),
        "licence_correction": _versions(path, "licence_correction", top["licence_correction"], {"within_workdays"}),
        "collective_discussion": _versions(path, "collective_discussion", top["collective_discussion"], {"triggers", "measures"}),
        "publication_retention": _versions(path, "publication_retention", top["publication_retention"], {"natural_person_years", "other_years"}),
        "officer_training": _versions(path, "officer_training", top["officer_training"], {"hours_per_year"}),
    }
    terms = top["decision_terms"]
    if not isinstance(terms, dict) or not terms:
        raise DefinitionError(f"{path}: decision_terms 应为办案期限到版本列表的映射")
    for term, raw in terms.items():
        rules[f"term:{term}"] = _versions(path, f"decision_terms.{term}", raw, {"excluded", "continued_by_discussion"})
        for v in rules[f"term:{term}"]:
            unknown = set(v.values.get("excluded", [])) - EXCLUDABLE
            if unknown:
                raise DefinitionError(f"{path}: decision_terms.{term} 引用了未知的不计入期限事由 {sorted(unknown)}")
    sectors = top["sectors"]
    if not isinstance(sectors, dict) or any(str(t) not in terms for t in sectors.values()):
        raise DefinitionError(f"{path}: sectors 应将行业映射到 decision_terms 中的办案期限")
    _SECTORS.clear()
    _SECTORS.update({str(k): str(v) for k, v in sectors.items()})
    for key in ("legal_review", "collective_discussion"):
        for v in rules[key]:
            unknown = set(v.values.get("triggers", [])) - CASE_FLAGS
            if unknown:
                raise DefinitionError(f"{path}: {key} 引用了未知的触发条件 {sorted(unknown)}")
    for key in ("hearing_right", "collective_discussion"):
        for v in rules[key]:
            unknown = set(v.values.get("measures", [])) - MEASURES
            if unknown:
                raise DefinitionError(f"{path}: {key} 引用了未知的处罚种类 {sorted(unknown)}")
    return rules


EXCLUDABLE = {"suspension", "hearing", "announcement", "testing", "identification", "refund_order", "tender", "auction", "expert_review"}
_SECTORS: dict[str, str] = {}


RULE_WORDS = {
    "legal_review": "法制审核",
    "hearing_right": "听证权利",
    "statement_window": "陈述、申辩期限",
    "collective_discussion": "集体讨论",
    "publication_retention": "公示期限",
    "officer_training": "执法人员培训",
    "licence_correction": "许可申请补正",
}


def rule_in_force(name: str, day: dt.date) -> Version:
    """The version in force on ``day``; before the first one the step is refused in words (the
    register encodes the 2021 行政处罚法 and later rules: an earlier case is not judged by them)."""
    versions = _rules()[name]
    v = _in_force(versions, day)
    if v is None:
        first = versions[0]
        raise TransitionNotAllowed(
            f"{day:%Y年%-m月%-d日}尚无本系统可适用的{RULE_WORDS.get(name, '执法程序')}规定（{first.reference}，自{first.since:%Y年%-m月%-d日}起施行）；"
            "此前的案件请在台账中记录其结果"
        )
    return v


def _amount_reaches(amount: Any, limits: dict[str, Any] | None, party_type: str) -> bool:
    if amount is None or not limits:
        return False
    limit = limits.get(party_group(party_type))
    return limit is not None and decimal.Decimal(str(amount)) >= decimal.Decimal(str(limit))


def review_reasons(case: Any, day: dt.date) -> tuple[list[str], str]:
    """Why a 法制审核 is required for this case's decision (empty: not required), and the citation."""
    from fazhi.registers.enforcement.models import EnforcementCase

    v = rule_in_force("legal_review", day)
    from fazhi.registers.framework.registry import model_field

    reasons = [str(model_field(EnforcementCase, t).verbose_name) for t in v.values.get("triggers", []) if getattr(case, t, False)]
    if _amount_reaches(case.fine_amount or case.proposed_fine, v.values.get("fine_at_least"), case.party_type):
        reasons.append("罚没金额达到本地规定的审核标准")
    return reasons, v.reference


def rule_or_none(name: str, day: dt.date) -> Version | None:
    """The version in force on ``day``, or None before the first (a notice under an older law)."""
    return _in_force(_rules()[name], day)


def term_for(kind: str, sector: str, joint: bool, day: dt.date) -> str:
    """The decision term a case opened on ``day`` runs under (the variant of its decision clock)."""
    rules = _rules()
    if kind == "penalty":
        term = _SECTORS.get(sector or "")
        if term and _in_force(rules[f"term:{term}"], day) is not None:
            return term
        return "penalty"
    if kind == "licence":
        return "licence_joint" if joint else "licence"
    return kind


def term_rule(term: str, day: dt.date) -> Version | None:
    """What the term allows (periods not counted, a continued extension), as in force on ``day``."""
    versions = _rules().get(f"term:{term}")
    return _in_force(versions, day) if versions else None


def hearing_right(party_type: str, amount: Any, measure: str, day: dt.date) -> tuple[bool, str]:
    v = rule_in_force("hearing_right", day)
    right = measure in v.values.get("measures", []) or _amount_reaches(amount, v.values.get("large_amount"), party_type)
    return right, v.reference


def discussion_required(case: Any, measure: str, day: dt.date) -> tuple[bool, str]:
    v = rule_in_force("collective_discussion", day)
    needed = any(getattr(case, t, False) for t in v.values.get("triggers", [])) or measure in v.values.get("measures", [])
    return needed, v.reference


def retention_years(party_type: str, day: dt.date) -> int:
    v = rule_in_force("publication_retention", day)
    return int(v.values["natural_person_years"] if party_group(party_type) == "natural_person" else v.values["other_years"])


def training_hours_required(day: dt.date) -> tuple[int, str]:
    v = rule_in_force("officer_training", day)
    return int(v.values["hours_per_year"]), v.reference


@dataclass(frozen=True)
class Threshold:
    offence: str
    label: str
    article: str
    measure: str
    amount: decimal.Decimal
    reference: str
    # 国务院令第310号 (2020) art.3(2): in the IP field a reasonable suspicion is enough for a
    # transfer. The screening amount (a share of the threshold, a setting) and its citation;
    # None where the offence has no such rule.
    suspicion_amount: decimal.Decimal | None = None
    suspicion_reference: str = ""


@cache
def _thresholds() -> dict[str, tuple[dict[str, str], list[Version]]]:
    return {code: (meta, versions) for code, (meta, versions, _) in _threshold_entries().items()}


@cache
def _threshold_entries() -> dict[str, tuple[dict[str, str], list[Version], list[Version]]]:
    """offence -> (label, article, measure), the dated thresholds, the dated reasonable-suspicion shares."""
    path = Path(settings.FAZHI_DEFINITIONS_DIR) / "enforcement" / "criminal_thresholds.yaml"
    raw = load_strict(path)
    out = {}
    for code, spec in raw.items():
        s = check_keys(
            spec,
            allowed={"label", "article", "measure", "values", "reasonable_suspicion"},
            required={"label", "article", "measure", "values"},
            filename=str(path),
            where=code,
        )
        suspicion = _versions(path, f"{code}.reasonable_suspicion", s["reasonable_suspicion"], {"share"}) if "reasonable_suspicion" in s else []
        for v in suspicion:
            share = v.values.get("share")
            if not isinstance(share, (int, float)) or not 0 < share <= 1:
                raise DefinitionError(f"{path}: {code}.reasonable_suspicion 的 share 应为大于 0、不大于 1 的比例")
        out[str(code)] = (
            {"label": str(s["label"]), "article": str(s["article"]), "measure": str(s["measure"])},
            _versions(path, code, s["values"], {"natural_person", "organisation"}),
            suspicion,
        )
    return out


def offences() -> dict[str, str]:
    return {code: f"{meta['label']}（{meta['article']}）" for code, (meta, _) in _thresholds().items()}


def threshold_for(offence: str, party_type: str, day: dt.date) -> Threshold | None:
    entry = _threshold_entries().get(offence)
    if entry is None:
        return None
    meta, versions, suspicion = entry
    v = _in_force(versions, day)
    if v is None:
        return None
    amount = decimal.Decimal(str(v.values[party_group(party_type)]))
    s = _in_force(suspicion, day)
    if s is None:
        return Threshold(offence, meta["label"], meta["article"], meta["measure"], amount, v.reference)
    screening = (amount * decimal.Decimal(str(s.values["share"]))).quantize(decimal.Decimal("0.01"))
    return Threshold(offence, meta["label"], meta["article"], meta["measure"], amount, v.reference, screening, s.reference)
