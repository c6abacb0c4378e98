"""Checks of the 重大行政决策 procedure (《重大行政决策程序暂行条例》, 国务院令第713号).

The heart of it is ``missing_steps``: what still stands between a draft and the deciding body's
meeting (arts.12, 14–25). 集体讨论决定 and 不予通过 are refused while anything is missing, and the
message names each missing procedure with its article.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fazhi.law.clocks import clock_compute, clock_rules
from fazhi.registers.framework.checks import DateOrder, date_errors
from fazhi.registers.framework.definition import CREATE

COMMENT = "major_decisions.comment_period"
HEARING = "major_decisions.hearing_materials"
REVIEW = "major_decisions.review_time"
LAW = "《重大行政决策程序暂行条例》"

DATE_ORDER: DateOrder = [
    ("draft_on", ("received_on",), "决定启动日期"),
    ("comment_from", ("draft_on",), "草案拟订日期"),
    ("hearing_materials_on", ("draft_on",), "草案拟订日期"),
    ("hearing_participants_published_on", ("draft_on",), "草案拟订日期"),
    ("expert_on", ("draft_on",), "草案拟订日期"),
    ("risk_on", ("draft_on",), "草案拟订日期"),
    ("participation_on", ("draft_on",), "草案拟订日期"),
    ("review_submitted_on", ("review_opinion_on", "draft_on"), "上次合法性审查意见（或草案拟订）日期"),
    ("review_returned_on", ("review_submitted_on",), "送请合法性审查日期"),
    ("review_opinion_on", ("review_submitted_on",), "送请合法性审查日期"),
    ("decided_on", ("review_opinion_on", "received_on"), "合法性审查意见日期"),
    ("party_reported_on", ("review_opinion_on",), "合法性审查意见日期"),
    ("published_on", ("decided_on",), "集体讨论决定日期"),
    ("archived_on", ("published_on",), "公布日期"),
    ("execution_reported_on", ("published_on",), "公布日期"),
    ("evaluated_on", ("published_on",), "公布日期"),
    ("suspended_on", ("published_on",), "公布日期"),
    ("adjusted_on", ("suspended_on", "published_on"), "公布（或中止执行）日期"),
    ("stopped_on", ("suspended_on", "published_on"), "公布（或中止执行）日期"),
    ("completed_on", ("published_on",), "公布日期"),
    ("terminated_on", ("received_on",), "决定启动日期"),
]

# The procedures before the meeting, in the regulation's order: (label, article, is it recorded?)
PROCEDURES = [
    ("拟订决策草案", "第十二条", lambda m: bool(m.draft_on)),
    ("公众参与", "第十四条至第十八条", lambda m: bool(m.participation_status)),
    ("专家论证", "第十九条", lambda m: bool(m.expert_status)),
    ("风险评估", "第二十二条", lambda m: bool(m.risk_status)),
]
DECIDING = ("decide", "reject")
FUTURE_DATES = {"comment_to"}
EXEMPTIONS = {
    "participation_exempt": ("participation_status", "公众参与", "participation_on"),
    "expert_exempt": ("expert_status", "专家论证", "expert_on"),
    "risk_exempt": ("risk_status", "风险评估", "risk_on"),
}
DONE_STEPS = {"record_participation": "participation_status", "expert_review": "expert_status", "risk_assessment": "risk_status"}


def regulation_since() -> dt.date:
    return clock_rules()[COMMENT].values[0].since


def comment_minimum_end(comment_from: dt.date) -> dt.date:
    due = clock_compute(COMMENT, comment_from, explain=False).due
    assert due is not None
    return due


def missing_steps(matter: Any) -> list[str]:
    """The statutory procedures a draft still lacks before it may go to the deciding body's
    meeting, each as "name（article）"; empty when it may be discussed."""
    missing = [f"{label}（{LAW}{article}）" for label, article, done in PROCEDURES if not done(matter)]
    if matter.risk_status == "done" and matter.risk_conclusion == "uncontrollable":
        missing.append(f"风险评估认为风险不可控，应调整决策草案、确保风险可控后方可作出决策（{LAW}第二十四条）")
    if matter.state == "under_review" or not matter.review_conclusion:
        missing.append(f"合法性审查（{LAW}第二十五条第一款：决策草案提交决策机关讨论前应当经合法性审查，不得以征求意见等方式代替）")
    elif matter.review_conclusion == "illegal":
        missing.append(f"合法性审查认为决策草案不合法，修改后应重新送审（{LAW}第二十五条第二款）")
    return missing


def _minimum(rule: str, start: dt.date) -> dt.date:
    due = clock_compute(rule, start, explain=False).due
    assert due is not None
    return due


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


class MajorDecisionHooks:
    def validate(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
        # the announced end of a comment call lies ahead while the call is open; every other date is past
        past = {k: v for k, v in data.items() if k not in FUTURE_DATES}
        errors = date_errors(None if transition == CREATE else matter, past, DATE_ORDER)
        if transition == CREATE:
            self._create(matter, data, errors)
            return errors
        if transition == "amend":
            if "catalogue_item" in data:
                self._catalogue_item(matter, data.get("catalogue_item"), matter.received_on, errors)
            return errors
        if errors:
            return errors
        check = getattr(self, f"_check_{transition}", None)
        if check is not None:
            check(matter, data, errors)
        return errors

    # ------------------------------------------------------------ 启动
    def _create(self, matter: Any, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
        since = regulation_since()
        received = data.get("received_on")
        if received and received < since:
            _add(errors, "received_on", f"{LAW}自{since:%Y年%-m月%-d日}起施行，此前启动的决策不在本台账登记")
        if not data.get("catalogue_item") and not data.get("deciding_body"):
            _add(errors, "deciding_body", "请填写决策机关，或选择该决策所属的目录事项")
        if data.get("catalogue_item") and received:
            self._catalogue_item(matter, data["catalogue_item"], received, errors)

    def _catalogue_item(self, matter: Any, item_id: Any, on: dt.date, errors: dict[str, list[str]]) -> None:
        from fazhi.registers.major_decisions.models import CatalogueItem, MajorDecision

        if not item_id:
            return
        item = CatalogueItem.objects.select_related("catalogue", "lead_unit").filter(pk=getattr(item_id, "pk", item_id)).first()
        if item is None:
            _add(errors, "catalogue_item", "目录事项不存在")
            return
        if item.catalogue.state != "published":
            _add(errors, "catalogue_item", f"该事项所属的目录尚未经同级党委同意并向社会公布（{LAW}第三条第三款）")
        if item.lead_unit_id != matter.unit_id:
            _add(errors, "catalogue_item", f"该目录事项的承办单位是{item.lead_unit.name}，不是{matter.unit.name}（{LAW}第十一条）")
        if item.removed_on and item.removed_on <= on:
            _add(errors, "catalogue_item", f"该事项已于{item.removed_on:%Y-%m-%d}调出目录（{item.removal_reason}）")
        other = MajorDecision.objects.filter(catalogue_item=item).exclude(pk=matter.pk).exclude(state__in=["terminated", "not_adopted"]).first()
        if other is not None:
            _add(errors, "catalogue_item", f"该目录事项已登记为决策 {other.case_number}")

    # ------------------------------------------------------------ 公众参与
    def _check_open_comment(self, matter: Any, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
        if not matter.draft_on:
            _add(errors, "comment_from", f"应先拟订决策草案，再公布草案及其说明征求意见（{LAW}第十五条第一款）")
            return
        start, end = data["comment_from"], data["comment_to"]
        if end <= start:
            _add(errors, "comment_to", "截止日期应晚于开始日期")
            return
        minimum = _minimum(COMMENT, start)
        if end < minimum and not data.get("comment_shortened_reason"):
            _add(
                errors,
                "comment_shortened_reason",
                f"公开征求意见的期限一般不少于30日（自{start:%Y-%m-%d}起至少到{minimum:%Y-%m-%d}）；因情况紧急等原因缩短的，应在征求意见时说明理由（{LAW}第十五条第一款）",
            )

    def _check_hold_hearing(self, matter: Any, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
        materials, hearing = data["hearing_materials_on"], data["hearing_on"]
        if hearing < _minimum(HEARING, materials):
            _add(errors, "hearing_materials_on", f"听证会材料应当于召开听证会7日前送达听证参加人（{LAW}第十六条第三款）")
        published = data.get("hearing_participants_published_on")
        if published and published > hearing:
            _add(errors, "hearing_participants_published_on", f"听证参加人名单应当提前向社会公布（{LAW}第十六条第三款）")

    def _check_record_participation(self, matter: Any, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
        on = data["participation_on"]
        if matter.comment_to and on < matter.comment_to:
            _add(errors, "participation_on", f"公开征求意见截止（{matter.comment_to:%Y-%m-%d}）前不能记录意见采纳情况（{LAW}第十八条）")
        if matter.hearing_on and on < matter.hearing_on:
            _add(errors, "participation_on", f"不能早于听证会日期（{matter.hearing_on:%Y-%m-%d}）")
        received, adopted = data.get("comments_received"), data.get("comments_adopted")
        if adopted is not None and (received is None or adopted > received):
            _add(errors, "comments_adopted", "采纳意见条数不能多于收到意见条数")

    # ------------------------------------------------------------ the exemptions
    def _exempt(self, transition: str, matter: Any, errors: dict[str, list[str]]) -> None:
        status, label, _ = EXEMPTIONS[transition]
        if getattr(matter, status) == "done":
            _add(errors, "__all__", f"已记录{label}，不能再记录为不需履行")

    def _check_participation_exempt(self, matter: Any, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
        self._exempt("participation_exempt", matter, errors)
        if matter.comment_from:
            _add(errors, "__all__", f"已向社会公开征求意见的事项不属于依法不予公开的决策事项（{LAW}第十四条第一款）")

    def _check_expert_exempt(self, matter: Any, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
        self._exempt("expert_exempt", matter, errors)

    def _check_risk_exempt(self, matter: Any, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
        self._exempt("risk_exempt", matter, errors)

    # ------------------------------------------------------------ 合法性审查
    def _check_submit_review(self, matter: Any, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
        missing = [f"{label}（{LAW}{article}）" for label, article, done in PROCEDURES if not done(matter)]
        if missing:
            _add(
                errors,
                "__all__",
                "送请合法性审查应当提供履行决策法定程序的说明，以下程序尚未履行或说明理由："
                + "、".join(missing)
                + f"（{LAW}第二十六条第一款、第二十七条第二项）",
            )
        on = data["review_submitted_on"]
        for field, label in (("participation_on", "公众参与完成日期"), ("expert_on", "专家论证日期"), ("risk_on", "风险评估报告日期")):
            day = getattr(matter, field)
            if day and on < day:
                _add(errors, "review_submitted_on", f"不能早于{label}（{day:%Y-%m-%d}）")

    def _check_record_review(self, matter: Any, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
        on, submitted = data["review_opinion_on"], matter.review_submitted_on
        minimum = _minimum(REVIEW, submitted)
        if on < minimum and not data.get("review_short_reason"):
            _add(
                errors,
                "review_short_reason",
                f"送请合法性审查应当保证必要的审查时间，一般不少于7个工作日（自{submitted:%Y-%m-%d}送审，至少到{minimum:%Y-%m-%d}）；少于的应说明理由（{LAW}第二十六条第二款）",
            )

    # ------------------------------------------------------------ 集体讨论决定
    def _deciding(self, matter: Any, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
        missing = missing_steps(matter)
        if missing:
            _add(errors, "__all__", "以下法定程序尚未完成，决策草案不得提交决策机关讨论：" + "；".join(missing))

    def _check_decide(self, matter: Any, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
        self._deciding(matter, data, errors)
        if data.get("decision_result") == "not_adopted":
            _add(errors, "decision_result", "决策机关不予通过的，请使用“集体讨论，不予通过”步骤")

    def _check_reject(self, matter: Any, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
        self._deciding(matter, data, errors)

    # ------------------------------------------------------------ 出台, 执行, 调整
    def _check_publish(self, matter: Any, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
        if not matter.party_reported_on:
            _add(errors, "__all__", f"重大行政决策出台前应当按照规定向同级党委请示报告，请先记录请示报告（{LAW}第三十一条）")
        elif data["published_on"] < matter.party_reported_on:
            _add(errors, "published_on", f"不能早于向同级党委请示报告的日期（{matter.party_reported_on:%Y-%m-%d}）")

    def _check_complete(self, matter: Any, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
        if not matter.archived_on:
            _add(errors, "__all__", f"决策过程记录和材料尚未归档（{LAW}第三十三条）")

    def applies(self, matter: Any, transition: str) -> bool:
        """Whether the matter page offers the step: no exemption once the procedure was done (or
        a public comment call made), no completion before the records were archived."""
        if transition == "participation_exempt":
            return not (matter.participation_status == "done" or matter.comment_from)
        if transition in EXEMPTIONS:
            return getattr(matter, EXEMPTIONS[transition][0]) != "done"
        if transition == "complete":
            return bool(matter.archived_on)
        return True

    def derive(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, Any]:
        if transition == CREATE:
            if not data.get("deciding_body") and data.get("catalogue_item"):
                from fazhi.registers.major_decisions.models import CatalogueItem

                item = CatalogueItem.objects.select_related("catalogue__unit").get(pk=getattr(data["catalogue_item"], "pk", data["catalogue_item"]))
                return {"deciding_body": item.catalogue.unit.name}
            return {}
        if transition == "open_comment":
            return {"comment_short": data["comment_to"] < comment_minimum_end(data["comment_from"])}
        if transition in DONE_STEPS:
            return {DONE_STEPS[transition]: "done"}
        if transition in EXEMPTIONS:
            return {EXEMPTIONS[transition][0]: "not_required"}
        if transition == "submit_review":
            # a new review of the draft as it stands now: the earlier opinion no longer decides
            return {"review_conclusion": "", "review_opinion_on": None}
        if transition in DECIDING:
            return {"steps_complete": True} | ({"decision_result": "not_adopted"} if transition == "reject" else {})
        return {}


STEP_LABELS = [
    ("公众参与", "participation_status"),
    ("专家论证", "expert_status"),
    ("风险评估", "risk_status"),
]


def procedures_panel(request: Any, matter: Any) -> dict[str, Any] | None:
    """What the matter page shows above the fields: each statutory procedure and, before the
    meeting, what is still missing."""
    status = {"done": "已履行", "not_required": "依法不需履行（已说明理由）", "": "未完成"}
    steps = [("拟订决策草案", "已拟订" if matter.draft_on else "未完成")]
    steps += [(label, status[getattr(matter, field)]) for label, field in STEP_LABELS]
    review = matter.get_review_conclusion_display() if matter.review_conclusion else ("审查中" if matter.state == "under_review" else "未完成")
    steps.append(("合法性审查", review))
    steps.append(("集体讨论决定", matter.get_decision_result_display() if matter.decision_result else "未完成"))
    before_meeting = matter.state in ("drafting", "under_review", "reviewed")
    return {"steps": steps, "missing": missing_steps(matter) if before_meeting else []}


def missing_at_decision(matter: Any) -> list[str]:
    """For a decision already taken: the mandatory procedures its record lacks, or took after the
    meeting (what 督察 looks for in records that came in by correction or by bulk loading)."""
    if not matter.decided_on:
        return []
    missing = [f"{label}（{LAW}{article}）" for label, article, done in PROCEDURES if not done(matter)]
    if matter.risk_status == "done" and matter.risk_conclusion == "uncontrollable":
        missing.append(f"风险可控（{LAW}第二十四条）")
    if matter.review_conclusion not in ("legal", "with_changes", "exploratory") or not matter.review_opinion_on:
        missing.append(f"合法性审查（{LAW}第二十五条）")
    elif matter.review_opinion_on > matter.decided_on:
        missing.append(f"讨论前的合法性审查（审查意见 {matter.review_opinion_on:%Y-%m-%d} 晚于决定 {matter.decided_on:%Y-%m-%d}，{LAW}第二十五条）")
    if matter.published_on and not matter.party_reported_on:
        missing.append(f"出台前向同级党委请示报告（{LAW}第三十一条）")
    return missing
