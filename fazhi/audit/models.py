"""The append-only Merkle log (全过程记录, 可回溯).

A leaf is the canonical byte encoding (``fazhi.core.canonical``) of one recorded event, as
produced by the leaf source that wrote it; its position in the log is its index.
"""

from __future__ import annotations

from django.db import models


class LogHead(models.Model):
    """The single row every append locks: current size and the compact range of the tree."""

    size = models.BigIntegerField(default=0)
    frontier = models.JSONField(default=list)  # [[subtree size, hex hash], ...] left to right
    # local day of the last append: the first append of a later day first checkpoints the log as
    # it stood at the end of that day (a signed checkpoint for every day with writes)
    last_day = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "日志头"


class AuditLeaf(models.Model):
    index = models.BigIntegerField(primary_key=True)
    source = models.CharField(max_length=40)
    source_id = models.BigIntegerField()
    data = models.BinaryField()
    leaf_hash = models.BinaryField(max_length=32)
    appended_at = models.DateTimeField()

    class Meta:
        verbose_name = "审计叶子"
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="audit_leaf_source_unique")]


class MerkleNode(models.Model):
    """Hash of the perfect subtree at ``level`` covering leaves [index*2^level, (index+1)*2^level)."""

    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="merkle_node_unique")]


class Checkpoint(models.Model):
    size = models.BigIntegerField()
    root_hash = models.BinaryField(max_length=32)
    created_at = models.DateTimeField()
    # the signed note (C2SP tlog-checkpoint), empty when no signing key was configured
    note = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = "检查点"
        verbose_name_plural = "检查点"
        ordering = ["-size"]

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.pk,
            "size": self.size,
            "root_hash": bytes(self.root_hash).hex(),
            "time": self.created_at.isoformat(),
            "signed": bool(self.note),
        }
