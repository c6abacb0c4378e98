"""fazhi clock rules | explain: the statutory clocks and how a due date is derived."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhi.core.errors import DefinitionError
from fazhi.law.clocks import UNITS, ClockEvent, clock_compute, clock_rules

# Event kinds (GLOSSARY.md names) -> what they do to a running clock.
EVENT_KINDS = {
    "correction_requested": "pause",  # the clock waits for the corrected application …
    "correction_received": "restart",  # … and starts afresh from its receipt (信息公开条例 art.30)
    "suspended": "pause",
    "resumed": "resume",
    "consultation_sent": "pause",  # time consulting third parties is excluded (art.33)
    "consultation_answered": "resume",
    "extended": "extend",
}


def _event(text: str) -> ClockEvent:
    kind, _, day = text.partition(":")
    if kind not in EVENT_KINDS:
        raise CommandError(f"未知的事件类型 {kind!r}；可用：{', '.join(EVENT_KINDS)}")
    try:
        return ClockEvent(EVENT_KINDS[kind], dt.date.fromisoformat(day))
    except ValueError as exc:
        raise CommandError(f"事件 {text!r} 的日期无效，应为 KIND:YYYY-MM-DD") from exc


class Command(BaseCommand):
    help = "法定期限：列出规则（rules），或解释某一期限如何计算（explain）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rules", help="列出全部期限规则及其法律依据")
        ex = sub.add_parser("explain", help="计算并解释到期日")
        ex.add_argument("--rule", required=True)
        ex.add_argument("--start", required=True, help="起算事件日期 YYYY-MM-DD")
        ex.add_argument("--event", action="append", default=[], help="KIND:YYYY-MM-DD，可重复")
        ex.add_argument("--json", action="store_true")
        rc = sub.add_parser("recompute", help="用现行日历重新计算未办结事项的期限，列出变动的期限")
        rc.add_argument("--register", action="append", default=None, help="只计算某一台账（可重复）")
        rc.add_argument("--dry-run", action="store_true", help="只列出变动，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rules = clock_rules()
        except DefinitionError as exc:
            raise CommandError(str(exc)) from exc
        if options["action"] == "recompute":
            self._recompute(options)
            return
        if options["action"] == "rules":
            for rule in rules.values():
                for v in rule.values:
                    ext = f"，可延长{v.extension}{UNITS[v.unit]}" if v.extension else ""
                    self.stdout.write(f"{rule.id:<40} {rule.label}：{v.length}{UNITS[v.unit]}{ext}（自 {v.since} 起）  {v.reference}")
            return
        if options["rule"] not in rules:
            raise CommandError(f"未知规则 {options['rule']!r}；用 fazhi clock rules 查看全部规则")
        try:
            start = dt.date.fromisoformat(options["start"])
        except ValueError as exc:
            raise CommandError(f"起算日期 {options['start']!r} 无效，应为 YYYY-MM-DD") from exc
        try:
            result = clock_compute(options["rule"], start, [_event(e) for e in options["event"]])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{result.rule}：自 {result.start} 起算，{result.length}{UNITS[result.unit]}，到期日 {result.due or '（已中止，暂无到期日）'}")
        self.stdout.write(f"依据：{result.citation}")
        if result.provisional:
            self.stdout.write("注意：所涉年度的节假日安排尚未公布，仅按周末计算，结果为暂定。")
        for note in result.notes:
            self.stdout.write(f"  {note}")

    def _recompute(self, options: dict[str, Any]) -> None:
        from fazhi.core.progress import progress_bar
        from fazhi.law.workdays import current_calendar
        from fazhi.registers.framework.clocks import clocks_recompute, deadlines_recompute
        from fazhi.registers.framework.registry import REGISTRY

        unknown = [r for r in options["register"] or [] if r not in REGISTRY]
        if unknown:
            raise CommandError(f"未知台账 {', '.join(unknown)}；可用：{', '.join(REGISTRY)}")
        cal = current_calendar()
        rules = clock_rules()
        with progress_bar(total=None, desc="重新计算期限", stream=self.stderr) as bar:
            checked, moved = clocks_recompute(registers=options["register"], dry_run=options["dry_run"], progress=bar.update)
        for m in moved:
            self.stdout.write(f"{m.register}\t{m.case_number}\t{m.rule}\t{m.old or '—'} → {m.new or '—'}\t（{m.old_version or '—'} → {m.new_version or '—'}）")
        verb = "将变动" if options["dry_run"] else "已变动"
        self.stdout.write(f"日历版本 {cal.version}：检查未办结事项 {checked} 件，期限{verb} {len(moved)} 件")
        # whether stopped deadlines were kept, for every matter (what the on-time indicators count)
        with progress_bar(total=None, desc="重新核对是否按期", stream=self.stderr) as bar:
            n_all, kept = deadlines_recompute(registers=options["register"], dry_run=options["dry_run"], progress=bar.update)
        words = {"met": "按期", "late": "超期"}
        for k in kept:
            changes = [
                f"{rules[r].label if r in rules else r}：{words.get(k.old.get(r, ''), '未结束')} → {words.get(k.new.get(r, ''), '未结束')}"
                for r in sorted(set(k.old) | set(k.new))
                if k.old.get(r) != k.new.get(r)
            ]
            self.stdout.write(f"{k.register}\t{k.case_number}\t{'；'.join(changes)}")
        self.stdout.write(f"核对全部事项 {n_all} 件的按期情况，{verb} {len(kept)} 件（按期率等指标随之更新）")
