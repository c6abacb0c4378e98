"""双随机、一公开: the two directories, inspection plans, the verifiable draw and its results.

国办发〔2015〕58号; 国发〔2019〕5号; RULES.md §3.9. Inspectors are the 执法人员 of the enforcement
directory (with their certificates); conflicts of interest are declared per subject.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from fazhi.core.models import Unit
from fazhi.registers.enforcement.models import Officer


class SubjectType(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    INDIVIDUAL_BUSINESS = "individual_business", "个体工商户"
    OTHER = "other", "其他组织"


class InspectionSubject(models.Model):
    """One entry of the 检查对象名录库 (市场主体 and others) kept by a unit."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="名录库所属单位")
    name = models.CharField("名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=40)
    subject_type = models.CharField("主体类型", max_length=30, choices=SubjectType.choices)
    operator_name = models.CharField("经营者（个体工商户）", max_length=50, blank=True)
    category = models.CharField("行业类别", max_length=60, db_index=True)
    address = models.CharField("经营场所", max_length=200, blank=True)
    active = models.BooleanField("在册", default=True)

    class Meta:
        verbose_name = "检查对象"
        verbose_name_plural = "检查对象名录库"
        constraints = [models.UniqueConstraint(fields=["unit", "credit_code"], name="subject_unique_per_unit")]
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ConflictDeclaration(models.Model):
    """An inspector's declared conflict of interest with a subject (回避)."""

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="conflicts", verbose_name="执法检查人员")
    subject = models.ForeignKey(InspectionSubject, on_delete=models.CASCADE, related_name="conflicts", verbose_name="检查对象")
    reason = models.CharField("利害关系", max_length=200)
    declared_on = models.DateField("申报日期")

    class Meta:
        verbose_name = "利害关系申报"
        verbose_name_plural = "利害关系申报"
        constraints = [models.UniqueConstraint(fields=["officer", "subject"], name="conflict_once")]


class PlanState(models.TextChoices):
    ANNOUNCED = "announced", "已公布计划，待抽取"
    DRAWN = "drawn", "已抽取，检查中"
    PUBLISHED = "published", "检查结果已公示"


class InspectionPlan(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="实施单位")
    name = models.CharField("计划名称", max_length=200)
    year = models.PositiveSmallIntegerField("年度")
    category = models.CharField("抽查的行业类别", max_length=60)
    ratio = models.DecimalField("抽查比例", max_digits=5, decimal_places=4, help_text="0.05 表示 5%")
    cap_per_subject_per_year = models.PositiveSmallIntegerField("每个对象每年最多被抽查次数", default=1)
    inspectors_per_subject = models.PositiveSmallIntegerField("每个对象的检查人员数", default=2)
    starts_on = models.DateField("检查开始日期")
    ends_on = models.DateField("检查结束日期")
    seed_source = models.CharField("随机种子来源（事先公布）", max_length=300, help_text="例如：抽取日前一交易日上证综指收盘点位")
    state = models.CharField("状态", max_length=20, choices=PlanState.choices, default=PlanState.ANNOUNCED)
    announced_at = models.DateTimeField("公布时间", auto_now_add=True)
    results_published_on = models.DateField("结果公示日期", null=True, blank=True)

    class Meta:
        verbose_name = "随机抽查计划"
        verbose_name_plural = "随机抽查计划"
        ordering = ["-year", "-starts_on", "id"]

    def __str__(self) -> str:
        return self.name


class InspectionItem(models.Model):
    """An item of the 随机抽查事项清单: no inspection without a legal basis."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="items", verbose_name="计划")
    name = models.CharField("抽查事项", max_length=200)
    legal_basis = models.CharField("检查依据", max_length=300)

    class Meta:
        verbose_name = "抽查事项"
        verbose_name_plural = "抽查事项"
        ordering = ["id"]


class Draw(models.Model):
    """One executed draw: the published document (inputs + result) and its hashes."""

    plan = models.OneToOneField(InspectionPlan, on_delete=models.PROTECT, related_name="draw", verbose_name="计划")
    seed_value = models.CharField("随机种子值", max_length=200)
    drawn_at = models.DateTimeField("抽取时间")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="抽取人")
    document = models.BinaryField("公布文件（规范 JSON）")
    document_sha256 = models.CharField("文件 SHA-256", max_length=64)

    class Meta:
        verbose_name = "随机抽取记录"
        verbose_name_plural = "随机抽取记录"


class Finding(models.TextChoices):
    NO_ISSUE = "no_issue", "未发现问题"
    CORRECTED = "corrected", "发现问题已责令整改"
    CASE_OPENED = "case_opened", "发现违法行为已立案查处"
    NOT_FOUND = "not_found", "通过登记的住所（经营场所）无法联系"


class Assignment(models.Model):
    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="assignments", verbose_name="抽取记录")
    subject = models.ForeignKey(InspectionSubject, on_delete=models.PROTECT, related_name="assignments", verbose_name="检查对象")
    inspectors = models.ManyToManyField(Officer, related_name="+", verbose_name="检查人员")
    position = models.PositiveIntegerField("抽中顺序")
    inspected_on = models.DateField("检查日期", null=True, blank=True)
    finding = models.CharField("检查结果", max_length=20, choices=Finding.choices, blank=True)
    remarks = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "抽查任务"
        verbose_name_plural = "抽查任务"
        ordering = ["draw", "position"]
