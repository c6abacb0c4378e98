"""fazhi audit verify | checkpoint | prove EVENT_ID | consistency OLD NEW"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhi.audit import services
from fazhi.audit.merkle import ProofError
from fazhi.audit.models import AuditLeaf, Checkpoint
from fazhi.core.progress import progress_bar


class Command(BaseCommand):
    help = "全过程记录（Merkle 日志）：校验、检查点、包含证明、一致性证明"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="用最新检查点校验整个日志")
        sub.add_parser("checkpoint", help="生成检查点（大小、根哈希、时间）")
        sub.add_parser("checkpoints", help="列出检查点（JSON，可公布）")
        prove = sub.add_parser("prove", help="某一事件的包含证明（JSON）")
        prove.add_argument("event_id", type=int)
        prove.add_argument("--source", default="matter_event")
        prove.add_argument("--checkpoint", type=int, help="检查点编号，默认最新")
        cons = sub.add_parser("consistency", help="两个检查点之间的一致性证明（JSON）")
        cons.add_argument("old", type=int, help="旧检查点编号")
        cons.add_argument("new", type=int, help="新检查点编号")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "checkpoint":
            cp = services.checkpoint_take()
            self.stdout.write(json.dumps(cp.as_dict(), ensure_ascii=False))
        elif action == "checkpoints":
            self.stdout.write(json.dumps([c.as_dict() for c in Checkpoint.objects.order_by("size")], ensure_ascii=False, indent=2))
        elif action == "verify":
            self._verify()
        elif action == "prove":
            self._prove(options)
        elif action == "consistency":
            self._consistency(options["old"], options["new"])

    def _verify(self) -> None:
        total = AuditLeaf.objects.count()
        with progress_bar(total=total, desc="校验", stream=self.stderr) as bar:
            report = services.audit_verify(progress=bar.update)
        if report.ok:
            self.stdout.write(f"校验通过：{report.size} 个叶子，{report.checkpoints_checked} 个检查点一致。")
            return
        for problem in report.problems[:50]:
            self.stderr.write(problem)
        raise CommandError(f"校验失败：发现 {len(report.problems)} 处问题。")

    def _prove(self, options: dict[str, Any]) -> None:
        leaf = AuditLeaf.objects.filter(source=options["source"], source_id=options["event_id"]).first()
        if leaf is None:
            raise CommandError(f"事件 {options['event_id']} 不在日志中")
        cp = self._checkpoint(options.get("checkpoint"))
        if leaf.index >= cp.size:
            raise CommandError(f"事件 {options['event_id']} 在检查点 #{cp.pk} 之后写入，请先生成新的检查点")
        try:
            proof = services.proof_inclusion(index=leaf.index, checkpoint=cp)
        except ProofError as exc:
            raise CommandError(f"包含证明校验失败：{exc}") from exc
        proof["event_id"] = options["event_id"]
        self.stdout.write(json.dumps(proof, ensure_ascii=False, indent=2))

    def _consistency(self, old_id: int, new_id: int) -> None:
        old, new = self._checkpoint(old_id), self._checkpoint(new_id)
        if old.size > new.size:
            raise CommandError("旧检查点必须不大于新检查点")
        try:
            proof = services.proof_consistency(old=old, new=new)
        except ProofError as exc:
            raise CommandError(f"一致性证明校验失败：{exc}") from exc
        self.stdout.write(json.dumps(proof, ensure_ascii=False, indent=2))

    def _checkpoint(self, pk: int | None) -> Checkpoint:
        qs = Checkpoint.objects.all()
        cp = qs.filter(pk=pk).first() if pk is not None else qs.order_by("-size").first()
        if cp is None:
            raise CommandError("没有这个检查点" if pk is not None else "尚无检查点：请先执行 fazhi audit checkpoint")
        return cp
