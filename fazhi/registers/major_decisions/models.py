"""重大行政决策: the yearly 决策事项目录 of a deciding body and each decision's statutory procedure.

《重大行政决策程序暂行条例》(国务院令第713号, in force 2019-09-01): art.3 (the 目录, agreed by the
同级党委 and published), arts.10–13 (启动, 草案), 14–18 (公众参与), 19–21 (专家论证), 22–24
(风险评估), 25–28 (合法性审查), 29–30 (集体讨论决定), 31 (请示报告党委), 32 (公布), 33 (归档),
34–37 (执行, 决策后评估, 调整). Art.42: the departments of a county-level government and township
governments apply it by reference, so a decision's unit is its 承办单位 (often a department) and the
deciding body and its meeting are recorded as facts.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db import models

from fazhi.core.models import Unit
from fazhi.registers.framework.models import Matter


class Category(models.TextChoices):
    POLICY = "policy", "重大公共政策和措施（公共服务、市场监管、社会管理、环境保护等）"
    PLAN = "plan", "经济和社会发展等方面的重要规划"
    RESOURCES = "resources", "开发利用、保护重要自然资源和文化资源的重大公共政策和措施"
    PROJECT = "project", "重大公共建设项目"
    OTHER = "other", "涉及重大公共利益或者社会公众切身利益的其他重大事项"


class ProposalSource(models.TextChoices):
    LEADER = "leader", "决策机关领导人员提出"
    DEPARTMENT = "department", "所属部门或者下一级人民政府提出"
    DEPUTY = "deputy", "人大代表、政协委员通过建议、提案提出"
    PUBLIC = "public", "公民、法人或者其他组织书面提出"


class StepStatus(models.TextChoices):
    DONE = "done", "已履行"
    NOT_REQUIRED = "not_required", "依法不需履行（已说明理由）"


class ExpertMethod(models.TextChoices):
    MEETING = "meeting", "论证会"
    WRITTEN = "written", "书面咨询"
    COMMISSIONED = "commissioned", "委托咨询论证"


class RiskConclusion(models.TextChoices):
    CONTROLLABLE = "controllable", "风险可控"
    AFTER_MEASURES = "after_measures", "调整决策草案等措施后风险可控"
    UNCONTROLLABLE = "uncontrollable", "风险不可控"


class RiskExemptGround(models.TextChoices):
    NO_ADVERSE_IMPACT = "no_adverse_impact", "决策实施不会对社会稳定、公共安全等方面造成不利影响"
    ASSESSED = "assessed", "已按照有关规定对有关风险进行评价、评估，不作重复评估"


class ReviewConclusion(models.TextChoices):
    LEGAL = "legal", "合法"
    WITH_CHANGES = "with_changes", "修改后合法（提出修改意见）"
    ILLEGAL = "illegal", "不合法"
    EXPLORATORY = "exploratory", "探索性改革决策事项，明示法律风险后提交讨论"


class MeetingKind(models.TextChoices):
    STANDING = "standing", "常务会议"
    PLENARY = "plenary", "全体会议"
    OFFICE = "office", "部门办公会议（部门决策参照适用）"


class DecisionResult(models.TextChoices):
    ADOPTED = "adopted", "通过"
    WITH_CHANGES = "with_changes", "修改后通过"
    NOT_ADOPTED = "not_adopted", "不予通过"


class EvaluationTrigger(models.TextChoices):
    BELOW_EXPECTATION = "below_expectation", "实施后明显未达到预期效果"
    MANY_OPINIONS = "many_opinions", "公民、法人或者其他组织提出较多意见"
    NECESSARY = "necessary", "决策机关认为有必要"


class CatalogueState(models.TextChoices):
    DRAFT = "draft", "编制中"
    AGREED = "agreed", "已经同级党委同意"
    PUBLISHED = "published", "已向社会公布"


class DecisionCatalogue(models.Model):
    """A deciding body's 决策事项目录 for one year (art.3 para.3). Changes only through
    ``services`` (each an append-only ``CatalogueEvent`` with its audit leaf)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="决策机关")
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("目录名称", max_length=200)
    state = models.CharField("状态", max_length=20, choices=CatalogueState.choices, default=CatalogueState.DRAFT)
    party_agreed_on = models.DateField("同级党委同意日期", null=True, blank=True)
    party_agreement = models.CharField("党委同意的会议或文件", max_length=200, blank=True)
    published_on = models.DateField("向社会公布日期", null=True, blank=True)
    publication_channel = models.CharField("公布途径", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: models.Manager[DecisionCatalogue]

    class Meta:
        verbose_name = "重大行政决策事项目录"
        verbose_name_plural = "重大行政决策事项目录"
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="decision_catalogue_unique_per_body_year")]

    def __str__(self) -> str:
        return self.title


class CatalogueItem(models.Model):
    """One 决策事项 of a catalogue, with its lead 承办单位 (art.11). Removal is an adjustment."""

    catalogue = models.ForeignKey(DecisionCatalogue, on_delete=models.PROTECT, related_name="items", verbose_name="目录")
    code = models.CharField("事项编码", max_length=40, unique=True)
    number = models.PositiveSmallIntegerField("序号")
    name = models.CharField("决策事项", max_length=200)
    lead_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="承办单位")
    category = models.CharField("事项类别", max_length=20, choices=Category.choices)
    planned = models.CharField("计划完成时间", max_length=40, blank=True)
    added_on = models.DateField("列入目录日期")
    added_by_adjustment = models.BooleanField("调整时增列", default=False)
    removed_on = models.DateField("调出目录日期", null=True, blank=True)
    removal_reason = models.CharField("调出理由", max_length=300, blank=True)

    objects: models.Manager[CatalogueItem]

    class Meta:
        verbose_name = "决策事项"
        verbose_name_plural = "决策事项"
        ordering = ["catalogue", "number"]
        constraints = [models.UniqueConstraint(fields=["catalogue", "number"], name="catalogue_item_number_unique")]

    def __str__(self) -> str:
        return f"{self.catalogue.year}年 {self.number}. {self.name}"


class CatalogueEvent(models.Model):
    """Append-only record of every change to a catalogue (creation, items added, adjusted,
    removed, the Party committee's agreement, publication); each is an audit leaf."""

    catalogue = models.ForeignKey(DecisionCatalogue, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20)
    event_date = models.DateField()
    reason = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()

    objects: models.Manager[CatalogueEvent]

    class Meta:
        verbose_name = "目录变更记录"
        verbose_name_plural = "目录变更记录"
        ordering = ["id"]


class CatalogueItemField(models.ForeignKey):  # type: ignore[type-arg]
    """The decision's catalogue item; its form offers only the items of published catalogues
    still in them (what the public may read anyway), never another body's draft."""

    def formfield(self, **kwargs: Any) -> Any:
        field = super().formfield(**kwargs)
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = CatalogueItem.objects.filter(catalogue__state=CatalogueState.PUBLISHED, removed_on__isnull=True).select_related("catalogue")
        return field


class MajorDecision(Matter):
    # 决策启动 (arts.10–11)
    received_on = models.DateField("决定启动日期", db_index=True)
    title = models.CharField("决策事项名称", max_length=200)
    category = models.CharField("事项类别", max_length=20, choices=Category.choices)
    catalogue_item = CatalogueItemField(CatalogueItem, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions", verbose_name="目录事项")
    deciding_body = models.CharField("决策机关", max_length=100, blank=True, help_text="列入目录的事项可不填，取目录的决策机关")
    proposal_source = models.CharField("决策建议来源", max_length=20, choices=ProposalSource.choices, blank=True)
    co_units = models.CharField("其他承办单位", max_length=300, blank=True, help_text="多个单位用顿号分隔")
    content_summary = models.TextField("决策事项简要情况", blank=True)
    # 拟订草案 (arts.12–13)
    draft_on = models.DateField("草案拟订日期", null=True, blank=True)
    draft_summary = models.TextField("草案主要内容", blank=True)
    consulted_units = models.CharField("协商的部门和单位", max_length=300, blank=True)
    # 公众参与 (arts.14–18)
    participation_status = models.CharField("公众参与", max_length=20, choices=StepStatus.choices, blank=True, db_index=True)
    participation_exempt_reason = models.TextField("依法不予公开、不开展公众参与的理由", blank=True)
    comment_from = models.DateField("公开征求意见开始日期", null=True, blank=True, db_index=True)
    comment_to = models.DateField("公开征求意见截止日期", null=True, blank=True)
    comment_channel = models.CharField("公开征求意见的途径", max_length=200, blank=True)
    comment_shortened_reason = models.CharField("缩短征求意见期限的理由", max_length=300, blank=True)
    comment_short = models.BooleanField("征求意见期限少于30日", default=False, db_index=True)
    hearing_on = models.DateField("听证会日期", null=True, blank=True)
    hearing_materials_on = models.DateField("听证材料送达听证参加人日期", null=True, blank=True)
    hearing_participants_published_on = models.DateField("听证参加人名单公布日期", null=True, blank=True)
    participation_on = models.DateField("公众参与完成日期", null=True, blank=True)
    participation_methods = models.CharField("听取意见的方式", max_length=200, blank=True, help_text="如座谈会、听证会、向社会公开征求意见、问卷调查")
    comments_received = models.PositiveIntegerField("收到意见（条）", null=True, blank=True)
    comments_adopted = models.PositiveIntegerField("采纳意见（条）", null=True, blank=True)
    comments_summary = models.TextField("意见研究采纳情况", blank=True)
    # 专家论证 (arts.19–21)
    expert_status = models.CharField("专家论证", max_length=20, choices=StepStatus.choices, blank=True, db_index=True)
    expert_on = models.DateField("专家论证日期", null=True, blank=True)
    expert_method = models.CharField("论证方式", max_length=20, choices=ExpertMethod.choices, blank=True)
    expert_summary = models.TextField("专家论证意见及采纳情况", blank=True)
    expert_exempt_reason = models.TextField("不属于专业性、技术性较强事项的理由", blank=True)
    # 风险评估 (arts.22–24)
    risk_status = models.CharField("风险评估", max_length=20, choices=StepStatus.choices, blank=True, db_index=True)
    risk_on = models.DateField("风险评估报告日期", null=True, blank=True)
    risk_conclusion = models.CharField("风险评估结论", max_length=20, choices=RiskConclusion.choices, blank=True)
    risk_summary = models.TextField("风险点和防范措施", blank=True)
    risk_exempt_ground = models.CharField("不开展风险评估的情形", max_length=20, choices=RiskExemptGround.choices, blank=True)
    risk_exempt_reason = models.TextField("不开展风险评估的理由", blank=True)
    # 合法性审查 (arts.25–28)
    review_submitted_on = models.DateField("送请合法性审查日期", null=True, blank=True)
    review_materials = models.TextField("送审材料", blank=True, help_text="决策草案、法律法规规章依据、履行决策法定程序的说明等")
    review_returned_on = models.DateField("退回送审材料日期", null=True, blank=True)
    review_return_reason = models.CharField("退回或要求补充材料的理由", max_length=300, blank=True)
    review_opinion_on = models.DateField("合法性审查意见日期", null=True, blank=True, db_index=True)
    review_body = models.CharField("负责合法性审查的部门", max_length=100, blank=True)
    review_conclusion = models.CharField("合法性审查结论", max_length=20, choices=ReviewConclusion.choices, blank=True, db_index=True)
    review_opinion = models.TextField("合法性审查意见", blank=True)
    legal_adviser = models.CharField("提出法律意见的法律顾问、公职律师", max_length=200, blank=True)
    review_short_reason = models.CharField("审查时间少于7个工作日的理由", max_length=300, blank=True)
    # 集体讨论决定 (arts.29–30)
    decided_on = models.DateField("集体讨论决定日期", null=True, blank=True, db_index=True)
    meeting_kind = models.CharField("会议类型", max_length=20, choices=MeetingKind.choices, blank=True)
    meeting_name = models.CharField("会议名称及届次", max_length=200, blank=True)
    presiding_head = models.CharField("作出决定的行政首长", max_length=100, blank=True)
    decision_result = models.CharField("决定结果", max_length=20, choices=DecisionResult.choices, blank=True, db_index=True)
    dissent = models.TextField("不同意见", blank=True, help_text="会议组成人员的不同意见应如实载明")
    head_differs_reason = models.TextField("行政首长的决定与多数人意见不一致的理由", blank=True)
    not_adopted_reason = models.TextField("不予通过的理由", blank=True)
    steps_complete = models.BooleanField("法定程序完备", default=False, db_index=True)
    # 请示报告党委 (art.31), 公布 (art.32), 归档 (art.33)
    party_reported_on = models.DateField("向同级党委请示报告日期", null=True, blank=True)
    party_committee = models.CharField("请示报告的党委", max_length=100, blank=True)
    party_feedback = models.TextField("党委意见", blank=True)
    published_on = models.DateField("公布日期", null=True, blank=True, db_index=True)
    publication_channel = models.CharField("公布途径", max_length=200, blank=True)
    decision_document_number = models.CharField("决策文件文号", max_length=60, blank=True)
    interpretation = models.TextField("宣传解读和意见采纳情况说明", blank=True)
    archived_on = models.DateField("归档日期", null=True, blank=True)
    archive_number = models.CharField("档号", max_length=60, blank=True)
    # 执行, 决策后评估, 调整 (arts.34–37)
    executing_unit = models.CharField("决策执行单位", max_length=200, blank=True)
    execution_reported_on = models.DateField("报告执行情况日期", null=True, blank=True)
    execution_summary = models.TextField("执行情况", blank=True)
    evaluated_on = models.DateField("决策后评估日期", null=True, blank=True, db_index=True)
    evaluation_trigger = models.CharField("开展决策后评估的情形", max_length=20, choices=EvaluationTrigger.choices, blank=True)
    evaluation_unit = models.CharField("承担评估具体工作的单位", max_length=200, blank=True)
    evaluation_summary = models.TextField("评估结论", blank=True)
    suspended_on = models.DateField("中止执行日期", null=True, blank=True)
    suspension_reason = models.TextField("中止执行的理由", blank=True)
    adjusted_on = models.DateField("调整决策日期", null=True, blank=True)
    adjustment_meeting = models.CharField("决定调整的会议", max_length=200, blank=True)
    adjustment_reason = models.TextField("调整的理由和内容", blank=True)
    stopped_on = models.DateField("停止执行日期", null=True, blank=True)
    stop_meeting = models.CharField("决定停止执行的会议", max_length=200, blank=True)
    stop_reason = models.TextField("停止执行的理由", blank=True)
    completed_on = models.DateField("执行完毕日期", null=True, blank=True)
    terminated_on = models.DateField("终止决策程序日期", null=True, blank=True)
    termination_reason = models.TextField("终止决策程序的理由", blank=True)

    objects: models.Manager[MajorDecision]  # type: ignore[assignment]

    class Meta:
        verbose_name = "重大行政决策"
        verbose_name_plural = "重大行政决策"
        indexes = [
            models.Index(fields=["unit", "state", "due_on"], name="md_unit_state_due"),
            models.Index(fields=["unit", "received_on"], name="md_unit_received"),
        ]
