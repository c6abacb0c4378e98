"""fazhi audit verify [--against CHECKPOINT] [--since CHECKPOINT_ID] [--workers N] | checkpoint | keygen
| rotate-key | pubkey | prove EVENT_ID | consistency OLD NEW"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhi.audit import services, signing
from fazhi.audit.merkle import ProofError
from fazhi.audit.models import AuditLeaf, Checkpoint
from fazhi.core.fieldcrypt import FieldKeyMissing
from fazhi.core.progress import progress_bar


class Command(BaseCommand):
    help = "全过程记录（Merkle 日志）：校验、检查点、包含证明、一致性证明"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="校验整个日志、检查点签名和各台账记录")
        verify.add_argument("--against", action="append", default=[], metavar="CHECKPOINT", help="库外保存的签名检查点文件或见证目录（可多次给出）")
        verify.add_argument("--key", help="核验签名用的公钥（“名称+密钥编号+公钥”，或含此串的文件）；默认本站密钥")
        verify.add_argument("--since", type=int, metavar="CHECKPOINT", help="从已校验过的检查点（编号见 checkpoints）起，只校验其后追加的记录")
        verify.add_argument("--workers", type=int, default=1, metavar="N", help="用 N 个进程分段校验（一般取 CPU 核数；默认 1）")
        sub.add_parser("checkpoint", help="生成签名检查点（大小、根哈希、时间），并写入见证目录")
        keygen = sub.add_parser("keygen", help="生成检查点签名密钥（Ed25519，保存在数据库之外）")
        keygen.add_argument("--path", help="密钥文件路径，默认 FAZHI_CHECKPOINT_KEY_FILE")
        keygen.add_argument("--if-missing", action="store_true", help="密钥已存在时不做任何事（安装脚本用）")
        sub.add_parser("rotate-key", help="轮换检查点签名密钥：旧密钥签最后一个检查点后停用（保留其公钥），新密钥重签同一棵树")
        sub.add_parser("pubkey", help="打印检查点签名公钥（供第三方核验）")
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
            self._verify(options["against"], options.get("key"), options.get("since"), max(1, options["workers"]))
        elif action == "keygen":
            self._keygen(options.get("path"), options["if_missing"])
        elif action == "rotate-key":
            try:
                last_old, first_new = services.checkpoint_key_rotate()
            except signing.NoteError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                f"已轮换签名密钥：旧密钥最后签署大小 {last_old.size} 的检查点 #{last_old.pk}，其公钥保留在 {signing.retired_file()}；"
                f"新密钥已签署同一棵树（检查点 #{first_new.pk}）。新公钥：{signing.verifier_key()}（请重新公布）"
            )
        elif action == "pubkey":
            key = signing.verifier_key()
            if key is None:
                raise CommandError("未配置签名密钥：请先执行 fazhi audit keygen")
            self.stdout.write(key)
        elif action == "prove":
            self._prove(options)
        elif action == "consistency":
            self._consistency(options["old"], options["new"])

    def _verify(self, against: list[str], key: str | None, since_id: int | None = None, workers: int = 1) -> None:
        anchors = self._anchors(against, key)
        since = None
        if since_id is not None:
            since = Checkpoint.objects.filter(pk=since_id).first()
            if since is None:
                raise CommandError(f"没有编号为 {since_id} 的检查点（fazhi audit checkpoints 列出全部）")
        total = services.verify_total() if since is None else AuditLeaf.objects.filter(index__gte=since.size).count()
        try:
            with progress_bar(total=total, desc="校验", stream=self.stderr) as bar:
                report = services.audit_verify(progress=bar.update, anchors=anchors, since=since, workers=workers)
        except FieldKeyMissing as exc:  # the key file, not a row: nothing can be compared without the key
            raise CommandError(str(exc)) from exc
        if report.ok:
            outside = f"，{report.anchors_checked} 个库外检查点一致" if against else ""
            if since is not None:
                self.stdout.write(
                    f"校验通过：检查点 #{since.pk}（{since.size} 个叶子）之后的 {report.size - since.size} 个叶子，"
                    f"{report.checkpoints_checked} 个检查点一致{outside}。此前的记录与台账核对未重做（不带 --since 的完整校验会做）。"
                )
                return
            self.stdout.write(
                f"校验通过：{report.size} 个叶子，{report.checkpoints_checked} 个检查点一致{outside}，{report.rows_checked} 条台账记录与其事件相符。"
            )
            return
        for problem in report.problems[:50]:
            self.stderr.write(problem)
        raise CommandError(f"校验失败：发现 {len(report.problems)} 处问题。")

    def _anchors(self, against: list[str], key: str | None) -> list[signing.Note]:
        if key and Path(key).is_file():
            key = Path(key).read_text(encoding="utf-8").strip()
        files: list[Path] = []
        for item in against:
            path = Path(item)
            if path.is_dir():
                files.extend(sorted(p for p in path.glob("*.checkpoint") if p.name != "latest.checkpoint"))
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"找不到检查点文件或目录：{item}")
        if against and not files:
            raise CommandError("给出的目录中没有检查点文件（*.checkpoint）")
        notes = []
        for path in files:
            try:
                notes.append(signing.note_verify(path.read_text(encoding="utf-8"), key))
            except (signing.NoteError, UnicodeDecodeError) as exc:
                raise CommandError(f"{path.name}：{exc}") from exc
        return notes

    def _keygen(self, path_arg: str | None, if_missing: bool) -> None:
        path = Path(path_arg) if path_arg else Path(settings.FAZHI_CHECKPOINT_KEY_FILE)
        if path.exists() and if_missing:
            return
        if path.exists():
            raise CommandError(f"密钥文件已存在，不会覆盖：{path}")
        signing.key_generate(path)
        self.stdout.write(f"已生成签名密钥：{path}（请妥善保管并另行备份；勿放入数据库所在的备份中）")

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
