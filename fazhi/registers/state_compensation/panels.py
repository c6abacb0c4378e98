"""What the matter pages show of the links between a 国家赔偿 application and the 行政复议 case or
the lawsuit that followed it (《国家赔偿法》第十四条; 《行政复议法》第十一条第六项), on both sides."""

from __future__ import annotations

from typing import Any

from fazhi.registers.framework.registry import REGISTRY


def _outcome(register: str, code: str) -> str:
    o = REGISTRY[register].definition.outcomes.get(code)
    return o.label if o else "尚未作出"


def _state(register: str, state: str) -> str:
    return REGISTRY[register].definition.states[state].label


def links_panel(request: Any, matter: Any) -> dict[str, Any] | None:
    """The application's page: the 复议 case or the lawsuit it led to, and where each stands."""
    rows = []
    if matter.reconsideration_case_id:
        rc = matter.reconsideration_case
        rows.append(
            {
                "kind": "行政复议",
                "case_number": rc.case_number,
                "body": rc.unit.name,
                "state": _state("reconsideration", rc.state),
                "result": _outcome("reconsideration", rc.outcome),
            }
        )
    if matter.litigation_case_id:
        lc = matter.litigation_case
        rows.append(
            {
                "kind": "行政诉讼",
                "case_number": lc.case_number,
                "body": lc.court,
                "state": _state("litigation", lc.state),
                "result": _outcome("litigation", lc.outcome),
            }
        )
    return {"links": rows} if rows else None


def applications_panel(request: Any, matter: Any) -> dict[str, Any] | None:
    """A 复议 case's or a lawsuit's page: the 国家赔偿 applications it followed."""
    rows = [
        {
            "case_number": a.case_number,
            "unit": a.unit.name,
            "received_on": a.received_on,
            "decided_on": a.decided_on,
            "result": _outcome("state_compensation", a.outcome),
            "amount": a.amount,
        }
        for a in matter.compensation_applications.select_related("unit").order_by("received_on", "pk")
    ]
    return {"applications": rows} if rows else None
