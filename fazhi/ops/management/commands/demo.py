"""fazhi demo --seed N: build the demo district (deterministic for a seed and a date)."""

from __future__ import annotations

import datetime as dt
import random
import time
from contextlib import nullcontext
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from fazhi.audit.services import checkpoint_take
from fazhi.core.demo import DEMO_PASSWORD, build_org, build_users
from fazhi.core.models import Unit
from fazhi.core.progress import progress_bar
from fazhi.documents.services import documents_suppressed
from fazhi.ops import oversight_demo
from fazhi.registers.disclosure import demo as disclosure_demo
from fazhi.registers.enforcement import demo as enforcement_demo
from fazhi.registers.framework.demo import prior_year_share
from fazhi.registers.legal_aid import demo as legal_aid_demo
from fazhi.registers.litigation import demo as litigation_demo
from fazhi.registers.mediation import demo as mediation_demo
from fazhi.registers.proposals import demo as proposals_demo
from fazhi.registers.reconsideration import demo as reconsideration_demo

# Volumes of the high-volume registers per scale (PRODUCT.md, district column). "small" keeps
# every procedure and outcome but a tenth of the mass, for tests and quick looks. "prior": the
# volume of the year before the current one, as a share of the current year's (the demo holds two
# full years so that year-over-year figures compare like with like; "small" keeps it lighter).
# "city" builds the district, then clones it into a city of about 1,000 units and 6 million
# enforcement cases for the benchmarks (fazhi.ops.cityscale).
SCALES: dict[str, dict[str, Any]] = {
    "district": {"mediation": 3500, "legal_aid": 450, "enforcement": 12000, "prior": 1.0},
    "small": {"mediation": 350, "legal_aid": 60, "enforcement": 600, "prior": 0.4},
    "city": {"mediation": 3500, "legal_aid": 450, "enforcement": 12000, "prior": 1.0},
}


def analyze() -> None:
    """Refresh PostgreSQL's statistics as the tables fill: plans made for empty tables would turn
    each later step into a scan (autovacuum's own ANALYZE comes later than that)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def ticker(bar: Any, every: int = 400) -> Any:
    """The progress bar's update, with a fresh ANALYZE every few hundred matters."""
    done = [0]

    def update(n: int = 1) -> None:
        bar.update(n)
        done[0] += n
        if done[0] >= every:
            done[0] = 0
            analyze()

    return update


class Command(BaseCommand):
    help = "生成演示数据：一个约80个单位、数百名用户、一年台账的区"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="演示数据截止日期（默认今天）")
        parser.add_argument("--if-empty", action="store_true", help="数据库已有单位时什么也不做")
        parser.add_argument("--documents-days", type=int, default=7, help="为最近多少天的办理步骤出具文书（默认 7 天；更早的视为纸质送达）")
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="district",
            help="数据规模：district（一个区一年，默认）、small（约十分之一，供测试）或 city（约1000个单位、600万件执法案件，供性能测试）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if Unit.objects.exists():
            if options["if_empty"]:
                self.stdout.write("数据库已有数据，跳过演示数据生成。")
                return
            raise CommandError("数据库中已有单位数据；演示数据只能在空数据库中生成。")
        started = time.monotonic()
        rng = random.Random(options["seed"])
        today = options["today"] or timezone.localdate()
        # One transaction on SQLite (all or nothing). On PostgreSQL each service call commits on
        # its own: thousands of updates of the audit log head (and of the case-number counters)
        # inside one transaction leave a chain of row versions that no one may prune, and every
        # later update walks it (the build slowed from 20 to 7 matters a second).
        outer = nullcontext() if connection.vendor == "postgresql" else transaction.atomic()
        # The year's letters went out on paper: documents are issued for the last days' steps only.
        scale = SCALES[options["scale"]]

        def both(n: float) -> int:  # a progress total: the current year and the one before
            return round(n * (1 + scale["prior"]))

        with (
            outer,
            documents_suppressed(before=today - dt.timedelta(days=options["documents_days"])),
            prior_year_share(float(scale["prior"])),
        ):
            org = build_org(rng)
            n_users = build_users(org, rng)
            users = {u.username: u for u in get_user_model().objects.filter(username__in=["clerk", "reviewer", "head"])}
            with progress_bar(total=both(62), desc="行政复议", stream=self.stderr) as bar:
                n_cases = reconsideration_demo.build(org, users, random.Random(rng.random()), today, ticker(bar))
            analyze()
            with progress_bar(total=both(170), desc="行政应诉", stream=self.stderr) as bar:
                n_lawsuits = litigation_demo.build(org, random.Random(rng.random()), today, ticker(bar))
            analyze()
            with progress_bar(total=both(300), desc="政府信息公开", stream=self.stderr) as bar:
                n_requests = disclosure_demo.build(org, random.Random(rng.random()), today, ticker(bar))
            analyze()
            with progress_bar(total=both(scale["mediation"]), desc="人民调解", stream=self.stderr) as bar:
                n_disputes, n_screenings = mediation_demo.build(org, random.Random(rng.random()), today, ticker(bar), n_disputes=scale["mediation"])
            analyze()
            with progress_bar(total=both(scale["legal_aid"]), desc="法律援助", stream=self.stderr) as bar:
                n_aid = legal_aid_demo.build(org, random.Random(rng.random()), today, ticker(bar), n_cases=scale["legal_aid"])
            analyze()
            with progress_bar(total=220, desc="建议提案", stream=self.stderr) as bar:
                n_proposals = proposals_demo.build(org, random.Random(rng.random()), today, ticker(bar))
            with progress_bar(total=both(scale["enforcement"]), desc="行政执法", stream=self.stderr) as bar:
                enforcement = enforcement_demo.build(org, random.Random(rng.random()), today, ticker(bar), n_cases=scale["enforcement"])
            analyze()
            oversight = oversight_demo.build_oversight(org, random.Random(rng.random()), today)
            from fazhi.registers.normative_docs import demo as normative_docs_demo

            with progress_bar(total=42, desc="规范性文件", stream=self.stderr) as bar:
                # its own seed: the registers built before keep their data
                n_normative = normative_docs_demo.build(org, random.Random(f"normative_docs-{options['seed']}"), today, ticker(bar))
            from fazhi.registers.major_decisions import demo as major_decisions_demo

            with progress_bar(total=9, desc="重大行政决策", stream=self.stderr) as bar:
                # its own seed: the registers built before keep their data
                n_decisions = major_decisions_demo.build(org, random.Random(f"major_decisions-{options['seed']}"), today, ticker(bar))
            from fazhi.registers.state_compensation import demo as state_compensation_demo

            with progress_bar(total=22, desc="国家赔偿", stream=self.stderr) as bar:
                # its own seed: the registers built before keep their data
                n_compensation = state_compensation_demo.build(org, random.Random(f"state_compensation-{options['seed']}"), today, ticker(bar))
            from fazhi.registers.oversight_suggestions import demo as suggestions_demo

            with progress_bar(total=22, desc="检察建议和司法建议", stream=self.stderr) as bar:
                # its own seed: the registers built before keep their data
                n_suggestions = suggestions_demo.build(org, random.Random(f"oversight_suggestions-{options['seed']}"), today, ticker(bar))
            from fazhi.registers.contract_review import demo as contract_review_demo

            with progress_bar(total=60, desc="合同合法性审查和法律意见", stream=self.stderr) as bar:
                # its own seed: the registers built before keep their data
                contracts = contract_review_demo.build(org, random.Random(f"contract_review-{options['seed']}"), today, ticker(bar))
            from fazhi.registers.law_study import demo as law_study_demo

            with progress_bar(total=700, desc="学法和述法", stream=self.stderr) as bar:
                # its own seed: the registers built before keep their data
                law_study = law_study_demo.build(org, random.Random(f"law_study-{options['seed']}"), today, ticker(bar))
            from fazhi.registers.legal_publicity import demo as publicity_demo

            with progress_bar(total=160, desc="普法", stream=self.stderr) as bar:
                # its own seed: the registers built before keep their data
                publicity = publicity_demo.build(org, random.Random(f"legal_publicity-{options['seed']}"), today, ticker(bar))
            from fazhi.evaluation import demo as evaluation_demo

            scheme = evaluation_demo.build(org, random.Random(rng.random()), today)
            from fazhi.supervision.services import leads_scan

            leads = leads_scan(org.district, today)
        city = ""
        if options["scale"] == "city":
            from fazhi.ops import cityscale

            written = cityscale.build_city(
                org.city, org.district, options["seed"], lambda total: progress_bar(total=total, desc="城市规模（复制到其他区）", stream=self.stderr)
            )
            city = f"另复制生成 {len(cityscale.DISTRICTS)} 个区：" + "、".join(cityscale.iter_counts(written)) + "。"
        checkpoint_take()
        registers = (
            f"{n_cases} 件行政复议、{n_lawsuits} 件行政应诉案件，{n_requests} 件政府信息公开申请，{n_disputes} 件人民调解（{n_screenings} 次排查），"
            f"{n_aid} 件法律援助，{n_proposals} 件建议提案，{enforcement['cases']} 件行政执法案件（{enforcement['officers']} 名执法人员、"
            f"{enforcement['powers']} 项权责清单事项、{enforcement['flags']} 条以罚代刑线索），"
            f"{n_normative} 件规范性文件，"
            f"{n_decisions} 件重大行政决策，"
            f"{n_compensation} 件国家赔偿申请，"
            f"{n_suggestions} 件检察建议和司法建议，"
            f"{contracts['reviews']} 件合同合法性审查和法律意见（{contracts['advisers']} 名法律顾问和公职律师），"
            f"{law_study['sessions']} 次学法活动、{law_study['exams']} 人次学法考试、{law_study['reports']} 名领导干部述法，"
            f"{publicity['activities']} 场普法活动（{publicity['lists']} 份普法责任清单、{publicity['liaisons']} 名法律明白人、"
            f"{publicity['villages']} 个民主法治示范村（社区）），"
            f"{oversight['transfers']} 件移送、{oversight['plans']} 个双随机计划、{oversight['campaigns']} 次案卷评查，"
            f"{scheme.name}（已计分，待发布），{len(leads)} 条督察线索"
        )
        elapsed = time.monotonic() - started
        self.stdout.write(f"演示数据已生成：{Unit.objects.count()} 个单位，{n_users} 名用户，{registers}，{city}用时 {elapsed:.1f} 秒。")
        self.stdout.write(f"所有演示账号的密码：{DEMO_PASSWORD}")
        for role, (username, desc) in org.logins.items():
            self.stdout.write(f"  {role:<22} {username:<12} {desc}")
