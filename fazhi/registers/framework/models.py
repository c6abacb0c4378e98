"""What every register's matters share: the base model, the event log, case numbers."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from fazhi.core.models import Unit
from fazhi.registers.framework.fields import EventValuesField


class Matter(models.Model):
    """Abstract base of a register's main record (事项/案件).

    ``state`` changes only through ``matter_transition``; ``due_on`` is a cache of the running
    clock's due date, tagged with the calendar version that produced it, never the truth.
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="办理单位")
    case_number = models.CharField("案号", max_length=60, unique=True)
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    sequence = models.PositiveIntegerField("序号")
    state = models.CharField("状态", max_length=40, db_index=True)
    received_on = models.DateField("收到日期", db_index=True)
    carried_in = models.BooleanField("上年结转", default=False)
    closed_on = models.DateField("办结日期", null=True, blank=True, db_index=True)
    due_on = models.DateField("当前期限", null=True, blank=True, db_index=True)
    due_rule = models.CharField("期限规则", max_length=80, blank=True)
    calendar_version = models.CharField("日历版本", max_length=40, blank=True)
    deadlines = models.JSONField("期限遵守情况", default=dict, blank=True, help_text="clock rule -> met / late, for each deadline the matter's steps stopped")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    register_name: str = ""
    objects: models.Manager[Matter]

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.case_number


class MatterEvent(models.Model):
    """One append-only event of one matter: a transition, the creation, or an amendment."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.BigIntegerField()
    register = models.CharField(max_length=40)
    case_number = models.CharField(max_length=60)
    transition = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()
    event_date = models.DateField(help_text="the legal date of the step (e.g. the day of acceptance)")
    state_before = models.CharField(max_length=40, blank=True)
    state_after = models.CharField(max_length=40)
    # the personal values encrypted at rest (fazhi/core/fieldcrypt.py)
    before = EventValuesField(default=dict)
    after = EventValuesField(default=dict)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = "事项事件"
        verbose_name_plural = "事项事件"
        indexes = [
            models.Index(fields=["content_type", "object_id", "id"], name="event_matter_idx"),
            # every lookup of a matter's events names its register (matter page, due-date refresh,
            # ledger import): without this index both databases scan the whole table
            models.Index(fields=["register", "object_id", "id"], name="event_register_matter_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_number} {self.transition}"


class CaseNumberSequence(models.Model):
    """Last sequence number given per register, unit and year (gap-free: same transaction)."""

    register = models.CharField(max_length=40)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["register", "unit", "year"], name="case_number_seq_unique")]


class GeneratedBatch(models.Model):
    """Provenance of matter rows the city-scale generator wrote in bulk, without step events.

    Such rows are copies of the demo district's matters (their final state) into the cloned
    districts' units, for benchmarks; each batch is one audit leaf, so the log says which rows
    were generated rather than recorded as work. Append-only.
    """

    register = models.CharField(max_length=40)
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    count = models.PositiveIntegerField()
    template = models.CharField(max_length=40, help_text="code of the unit subtree the rows were sampled from")
    seed = models.BigIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "批量生成批次"
        verbose_name_plural = "批量生成批次"

    def __str__(self) -> str:
        return f"{self.register} {self.first_id}–{self.last_id}"


class WorkflowEvent(models.Model):
    """One append-only step of a workflow outside the registers (an annual report's sign-off, a
    supervision letter, a published evaluation, a 案卷评查 score, a 双随机 result): written with
    its audit leaf in the step's transaction by :func:`fazhi.registers.framework.workflow.workflow_record`.

    ``values`` holds what the step left, encoded as its leaf carries it: ``fields`` (the recorded
    fields of the workflow's row), ``rows`` (child rows written: model, id, fields) and ``removed``
    (child rows deleted). Replaying a record's events gives what its rows must hold.
    """

    workflow = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()
    event_date = models.DateField(null=True, blank=True)
    state_before = models.CharField(max_length=40, blank=True)
    state_after = models.CharField(max_length=40)
    values = models.JSONField(default=dict)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = "工作流程事件"
        verbose_name_plural = "工作流程事件"
        ordering = ["id"]
        indexes = [models.Index(fields=["workflow", "object_id", "id"], name="workflow_event_idx")]

    def __str__(self) -> str:
        return f"{self.workflow}#{self.object_id} {self.action}"


class SearchEntry(models.Model):
    """One matter's searchable text (its case number and the register's ``search`` fields,
    normalised), kept in step by every write of matters. A derived store, rebuilt at will.

    Indexed for substring search: a trigram GIN index on PostgreSQL (pg_trgm), an FTS5 trigram
    table on SQLite (``framework_searchentry_fts``, kept in step by triggers); see
    :mod:`fazhi.registers.framework.search`.
    """

    register = models.CharField(max_length=40)
    matter_id = models.BigIntegerField()
    text = models.TextField()

    class Meta:
        verbose_name = "检索索引"
        verbose_name_plural = "检索索引"
        constraints = [models.UniqueConstraint(fields=["register", "matter_id"], name="search_entry_unique")]

    def __str__(self) -> str:
        return f"{self.register}#{self.matter_id}"


class SearchDigest(models.Model):
    """A keyed digest of one personal value a register searches (a party's name): the search
    finds the matter by the whole value without the value being stored (fazhi/core/fieldcrypt.py
    index_digest). Kept in step with SearchEntry."""

    register = models.CharField(max_length=40)
    matter_id = models.BigIntegerField()
    digest = models.CharField(max_length=32)

    class Meta:
        verbose_name = "检索摘要"
        verbose_name_plural = "检索摘要"
        indexes = [
            models.Index(fields=["register", "digest"], name="search_digest_lookup"),
            models.Index(fields=["register", "matter_id"], name="search_digest_matter"),
        ]

    def __str__(self) -> str:
        return f"{self.register}#{self.matter_id}"


class SavedFilter(models.Model):
    """A list filter a user saved under a name: theirs alone."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    register = models.CharField(max_length=40)
    name = models.CharField("名称", max_length=60)
    query = models.CharField("筛选条件", max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "保存的筛选"
        verbose_name_plural = "保存的筛选"
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "register", "name"], name="saved_filter_unique")]

    def __str__(self) -> str:
        return self.name
