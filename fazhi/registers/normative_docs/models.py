"""行政规范性文件: drafted, put to public comment, reviewed for legality, deliberated, published,
filed with the level above, evaluated and cleaned up (RULES.md §3.6).

The drafting unit owns the matter; the legality review is recorded by its reviewer or head with
the reviewing body's name (the 司法局 or the unit's rule-of-law office) and the reviewer's
qualification. The public list (现行有效规范性文件目录) is read from these rows and their events.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from fazhi.registers.framework.models import Matter


class DocKind(models.TextChoices):
    GOVERNMENT = "government", "政府规范性文件"
    DEPARTMENT = "department", "部门规范性文件"


class ReviewOpinion(models.TextChoices):
    PASSED = "passed", "通过"
    PASSED_WITH_CHANGES = "passed_with_changes", "修改后通过"
    FAILED = "failed", "不予通过"


class Qualification(models.TextChoices):
    LEGAL_PROFESSION = "legal_profession", "法律职业资格"
    PUBLIC_LAWYER = "public_lawyer", "公职律师"
    LEGAL_ADVISER = "legal_adviser", "法律顾问（执业律师）"


class FilingReview(models.TextChoices):
    FORMAL = "formal", "形式审查：予以备案登记"
    ACTIVE = "active", "主动审查：未发现问题"


class CleanupOutcome(models.TextChoices):
    CONTINUE = "continue", "继续有效"
    AMEND = "amend", "修改"
    REPEAL = "repeal", "废止"
    DECLARE_INVALID = "declare_invalid", "宣布失效"


class EvaluationConclusion(models.TextChoices):
    CONTINUE = "continue", "建议继续有效"
    AMEND = "amend", "建议修改"
    REPEAL = "repeal", "建议废止"


class NormativeDocument(Matter):
    received_on = models.DateField("起草日期", db_index=True)
    title = models.CharField("文件名称", max_length=200)
    doc_kind = models.CharField("文件类别", max_length=20, choices=DocKind.choices, default=DocKind.DEPARTMENT)
    issuing_body = models.CharField("制定机关", max_length=100, db_index=True, help_text="以谁的名义公布，如“明德区人民政府”“明德区市场监督管理局”")
    business_related = models.BooleanField("与市场主体生产经营活动密切相关", default=False, help_text="涉企文件公开征求意见的期限一般不少于30日")
    provisional = models.BooleanField("试行或暂行", default=False, help_text="名称冠以“试行”“暂行”的，有效期较短")
    summary = models.TextField("主要内容", blank=True)
    remarks = models.TextField("备注", blank=True)

    comment_from = models.DateField("公开征求意见起始日期", null=True, blank=True)
    comment_to = models.DateField("公开征求意见截止日期", null=True, blank=True)
    comment_channel = models.CharField("征求意见途径", max_length=100, blank=True, help_text="如政府门户网站、报纸")
    comment_short_reason = models.CharField("缩短征求意见期限的理由", max_length=300, blank=True)
    opinions_received = models.PositiveIntegerField("收到意见（条）", null=True, blank=True)
    opinions_adopted = models.PositiveIntegerField("采纳意见（条）", null=True, blank=True)

    submitted_on = models.DateField("送交合法性审核日期", null=True, blank=True)
    reviewing_body = models.CharField("审核机构", max_length=100, blank=True, help_text="如“明德区司法局”或本单位法制机构")
    reviewed_on = models.DateField("合法性审核日期", null=True, blank=True, db_index=True)
    review_opinion = models.CharField("合法性审核意见", max_length=30, choices=ReviewOpinion.choices, blank=True, db_index=True)
    reviewer_name = models.CharField("审核人员", max_length=60, blank=True)
    reviewer_qualification = models.CharField("审核人员资格", max_length=30, choices=Qualification.choices, blank=True)
    reviewer_certificate = models.CharField("资格证书编号", max_length=60, blank=True)
    review_summary = models.TextField("审核意见要点", blank=True)

    meeting_on = models.DateField("集体审议日期", null=True, blank=True)
    meeting_name = models.CharField("审议会议", max_length=100, blank=True, help_text="如“区政府第12次常务会议”“局长办公会议”")

    doc_number = models.CharField("文号", max_length=60, blank=True, db_index=True, help_text="如“明市监规〔2025〕3号”")
    published_on = models.DateField("公布日期", null=True, blank=True, db_index=True)
    publication_place = models.CharField("公布载体", max_length=100, blank=True, help_text="如政府公报、政府门户网站")
    effective_on = models.DateField("施行日期", null=True, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True, db_index=True)

    filed_on = models.DateField("报送备案日期", null=True, blank=True, db_index=True)
    filed_with = models.CharField("备案机关", max_length=100, blank=True)
    filing_reviewed_on = models.DateField("备案审查日期", null=True, blank=True)
    filing_review = models.CharField("备案审查结果", max_length=20, choices=FilingReview.choices, blank=True)
    correction_requested_on = models.DateField("要求纠正日期", null=True, blank=True, db_index=True)
    correction_reason = models.TextField("备案审查纠正意见", blank=True)
    corrected_on = models.DateField("纠正日期", null=True, blank=True)
    correction_measure = models.TextField("纠正措施", blank=True)

    evaluated_on = models.DateField("评估日期", null=True, blank=True)
    evaluation_conclusion = models.CharField("评估结论", max_length=20, choices=EvaluationConclusion.choices, blank=True)

    cleaned_on = models.DateField("清理日期", null=True, blank=True, db_index=True)
    cleanup_outcome = models.CharField("清理结果", max_length=20, choices=CleanupOutcome.choices, blank=True, db_index=True)
    cleanup_reason = models.TextField("清理理由", blank=True)
    superseded_on = models.DateField("修改后重新公布日期", null=True, blank=True)
    superseded_by = models.CharField("新文件文号", max_length=60, blank=True)
    expired_on = models.DateField("失效日期", null=True, blank=True)
    ended_on = models.DateField("终止起草日期", null=True, blank=True)
    end_reason = models.CharField("终止起草理由", max_length=300, blank=True)

    objects: models.Manager[NormativeDocument]  # type: ignore[assignment]

    class Meta:
        verbose_name = "规范性文件"
        verbose_name_plural = "规范性文件"
        indexes = [
            models.Index(fields=["unit", "state", "due_on"], name="ndoc_unit_state_due"),
            models.Index(fields=["unit", "published_on"], name="ndoc_unit_published"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["issuing_body", "doc_number"], condition=~Q(doc_number=""), name="ndoc_number_unique_per_body"),
        ]


class CatalogueSnapshot(models.Model):
    """A published 现行有效规范性文件目录: the rows as they stood on ``as_of``, sealed by their
    SHA-256 and an audit leaf. Append-only; a later publication is a new snapshot."""

    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="发布单位")
    as_of = models.DateField("目录截止日期")
    rows = models.JSONField("目录内容", default=list)
    count = models.PositiveIntegerField("文件件数")
    sha256 = models.CharField("SHA-256", max_length=64)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="发布人")
    published_at = models.DateTimeField("发布时间")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "规范性文件目录（已发布）"
        verbose_name_plural = "规范性文件目录（已发布）"
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"{self.unit} {self.as_of:%Y-%m-%d}"
