"""Sources of indicators that are not registers: the tables behind the oversight of enforcement
(执法人员 and their certificates, training, 双随机 plans and inspections, 案卷评查 files).

They are small next to the registers (thousands of rows where the registers have millions), so
their indicators are always counted from the rows, with the same filter language; they have no
rollups. ``unit`` is the ORM path from a row to the unit it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models


@dataclass(frozen=True)
class Table:
    name: str
    label: str
    model_label: str  # "app_label.Model"
    unit: str  # ORM path to the row's unit
    columns: tuple[tuple[str, str], ...]  # what a trace shows: (heading, attribute path)

    @property
    def model(self) -> Any:
        return apps.get_model(self.model_label)


TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table(
            "officers",
            "执法人员",
            "enforcement.Officer",
            "unit",
            (("姓名", "name"), ("执法证号", "code"), ("发证日期", "certificate_issued_on"), ("有效期至", "certificate_valid_until")),
        ),
        Table(
            "trainings",
            "执法人员培训",
            "enforcement.TrainingRecord",
            "officer__unit",
            (("执法人员", "officer.name"), ("培训日期", "held_on"), ("培训内容", "topic"), ("学时", "hours")),
        ),
        Table(
            "officer_exams",
            "执法人员年度考试",
            "enforcement.OfficerExam",
            "officer__unit",
            (("执法人员", "officer.name"), ("年度", "year"), ("考试日期", "held_on"), ("成绩", "score"), ("合格", "passed")),
        ),
        Table(
            "inspection_plans", "双随机抽查计划", "inspections.InspectionPlan", "unit", (("计划", "name"), ("开始日期", "starts_on"), ("结束日期", "ends_on"))
        ),
        Table(
            "inspections",
            "双随机抽查任务",
            "inspections.Assignment",
            "draw__plan__unit",
            (("计划", "draw.plan.name"), ("检查日期", "inspected_on"), ("检查结果", "get_finding_display")),
        ),
        Table("casefiles", "案卷评查", "casefile_review.SampledFile", "unit", (("案卷", "case.case_number"), ("评查活动", "campaign.name"), ("总分", "total"))),
        Table(
            "decision_catalogue_items",
            "重大行政决策事项目录",
            "major_decisions.CatalogueItem",
            "catalogue__unit",
            (("目录", "catalogue.title"), ("序号", "number"), ("决策事项", "name"), ("承办单位", "lead_unit.name"), ("列入目录日期", "added_on")),
        ),
        Table(
            "publicity_duty_lists",
            "普法责任清单",
            "legal_publicity.DutyList",
            "unit",
            (("责任单位", "unit.name"), ("年度", "year"), ("清单", "title"), ("印发日期", "issued_on")),
        ),
        Table(
            "publicity_duty_items",
            "普法责任清单事项",
            "legal_publicity.DutyItem",
            "duty_list__unit",
            (("责任单位", "duty_list.unit.name"), ("年度", "duty_list.year"), ("序号", "number"), ("普法内容", "content"), ("首次开展", "first_activity_on")),
        ),
        Table(
            "legal_liaisons",
            "法律明白人",
            "legal_publicity.LegalLiaison",
            "unit",
            (("编号", "code"), ("所在村（社区）", "village"), ("选任日期", "selected_on"), ("参加培训（次）", "trainings"), ("退出日期", "left_on")),
        ),
        Table(
            "model_villages",
            "民主法治示范村（社区）",
            "legal_publicity.ModelVillage",
            "unit",
            (("村（社区）", "name"), ("命名级别", "get_level_display"), ("命名年度", "named_year"), ("撤销命名", "revoked_on")),
        ),
        Table(
            "legal_advisers",
            "法律顾问和公职律师",
            "contract_review.LegalAdviser",
            "unit",
            (("姓名", "name"), ("类别", "get_kind_display"), ("服务单位", "unit.name"), ("聘任起始日期", "term_start"), ("聘任截止日期", "term_end")),
        ),
        Table(
            "law_study_sessions",
            "学法活动",
            "law_study.StudySession",
            "unit",
            (("单位", "unit.name"), ("学法日期", "held_on"), ("学法形式", "get_body_display"), ("学法主题", "topic"), ("参加人数", "attendees")),
        ),
        Table(
            "law_exams",
            "学法考试",
            "law_study.LawExam",
            "unit",
            (("单位", "unit.name"), ("年度", "year"), ("姓名", "name"), ("参加考试", "taken"), ("成绩", "score"), ("合格", "passed")),
        ),
        Table(
            "law_reports",
            "述法",
            "law_study.LawReport",
            "unit",
            (("单位", "unit.name"), ("年度", "year"), ("姓名", "name"), ("职务", "post"), ("述法日期", "reported_on"), ("评议结果", "get_rating_display")),
        ),
    ]
}


def resolve(model: Any, path: str) -> models.Field[Any, Any]:
    """The field at the end of an ORM path ("campaign__closed_on"), following foreign keys."""
    parts = path.split("__")
    for i, part in enumerate(parts):
        f = model._meta.get_field(part)
        if i < len(parts) - 1:
            if not f.is_relation or f.related_model is None:
                raise FieldDoesNotExist(path)
            model = f.related_model
    assert isinstance(f, models.Field)
    return f


def cell(row: Any, path: str) -> Any:
    value = row
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value() if callable(value) else value
