"""Checks of the 行政复议 procedure that the declaration cannot express."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from fazhi.registers.framework.definition import CREATE
from fazhi.registers.reconsideration.models import Procedure, ReconsiderationCase


def simplified_since() -> dt.date:
    """简易程序 exists only from the law version that defines its clock (2023 revision, art.53, art.90)."""
    from fazhi.law.clocks import clock_rules

    return clock_rules()["reconsideration.decision_simplified"].values[0].since


class ReconsiderationHooks:
    def validate(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
        case: ReconsiderationCase = matter
        errors: dict[str, list[str]] = {}

        def not_before(field: str, earlier: dt.date | None, what: str) -> None:
            value = data.get(field)
            if value and earlier and value < earlier:
                errors.setdefault(field, []).append(f"不能早于{what}（{earlier:%Y-%m-%d}）")

        today = timezone.localdate()
        for name, value in data.items():
            if isinstance(value, dt.date) and value > today + dt.timedelta(days=1):
                errors.setdefault(name, []).append("日期不能晚于今天")
        if transition == CREATE:
            return errors
        not_before("correction_requested_on", case.received_on, "收到日期")
        not_before("correction_received_on", case.correction_requested_on, "补正通知日期")
        not_before("accepted_on", case.correction_received_on or case.received_on, "收到申请（或补正）日期")
        not_before("suspended_on", case.accepted_on, "受理日期")
        not_before("resumed_on", case.suspended_on, "中止日期")
        not_before("extended_on", case.accepted_on, "受理日期")
        not_before("hearing_on", case.accepted_on, "受理日期")
        not_before("decided_on", case.accepted_on or case.received_on, "受理日期")
        not_before("closed_on", case.decided_on or case.received_on, "决定日期")
        if transition == "accept" and data.get("procedure") == Procedure.SIMPLIFIED:
            accepted_on = data.get("accepted_on")
            since = simplified_since()
            if accepted_on and accepted_on < since:
                errors.setdefault("procedure", []).append(f"简易程序自{since:%Y年%-m月%-d日}起适用（《行政复议法》第五十三条、第九十条）")
        if transition == "extend" and case.procedure == Procedure.SIMPLIFIED:
            errors.setdefault("extended_on", []).append("简易程序案件不能延期（《行政复议法》第六十二条）")
        return errors
