"""Benchmark: issuing documents (文书) and a department's day of them, on this machine.

Builds a throwaway SQLite database (migrated from scratch, files in a scratch folder) with one
行政复议机构, then measures:
  1. one document issued: the 受理 step of a case with its 受理通知书 (number, text, DOCX with the
     QR code, stored by content, audit leaf) against the same step with documents suppressed;
  2. its PDF rendered (LibreOffice headless) and frozen;
  3. a day's batch for the unit: N documents issued, their PDFs rendered, one merged PDF (pypdf).

    .venv/bin/python bench/documents.py [N]       (default 50)

Results are appended to bench/results/documents.txt (machine, date, figures).
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH = Path(tempfile.mkdtemp(prefix="fazhi-bench-documents-"))
os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH / 'bench.sqlite3'}"
os.environ["FAZHI_EVIDENCE_DIR"] = str(SCRATCH / "files")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    settings.FAZHI_CHECKPOINT_KEY_FILE = SCRATCH / "no-key.pem"
    settings.FAZHI_WITNESS_DIR = SCRATCH / "witness"
    call_command("migrate", verbosity=0)

    from fazhi.core.models import Kind, Level, Role
    from fazhi.core.services import membership_grant, unit_create
    from fazhi.documents import services
    from fazhi.documents.views import pdfs_merge
    from fazhi.registers.framework.services import matter_create, matter_transition

    district = unit_create(name="东湖区人民政府", short_name="东湖", code="B-D", level=Level.DISTRICT, kind=Kind.GOVERNMENT)
    body = unit_create(
        name="东湖区行政复议办公室", short_name="东", code="B-D-FY", level=Level.DISTRICT, kind=Kind.SECTION, parent=district, is_reconsideration_body=True
    )
    clerk = get_user_model().objects.create_user(username="clerk", password="bench-pass-123")
    membership_grant(user=clerk, unit=body, role=Role.CLERK)
    today = dt.date.today()

    def case() -> object:
        data = {
            "received_on": today,
            "applicant_name": "张三",
            "applicant_type": "natural_person",
            "respondent_name": "东湖区市场监督管理局",
            "disputed_act": "行政处罚决定",
            "channel": "in_person",
        }
        return matter_create(register="reconsideration", unit=body, actor=clerk, data=data)

    def accept(matter: object) -> float:
        start = time.perf_counter()
        matter_transition(matter=matter, transition="accept", actor=clerk, data={"accepted_on": today.isoformat(), "procedure": "ordinary"})
        return time.perf_counter() - start

    accept(case())  # warm-up: templates, rules, fonts loaded once
    plain = []
    with services.documents_suppressed():
        for _ in range(10):
            plain.append(accept(case()))
    batch_cases = [case() for _ in range(n)]
    wall = time.perf_counter()
    with_doc = [accept(c) for c in batch_cases]
    issue_total = time.perf_counter() - wall
    docs = list(services.IssuedDocument.objects.filter(issued_on=today, unit=body).order_by("id"))[-n:]

    # one PDF at a time (a clerk opening one): five of them, each its own LibreOffice run
    singles = [c for c in (case() for _ in range(5))]
    single_docs = []
    for c in singles:
        accept(c)
        single_docs.append(services.IssuedDocument.objects.filter(object_id=c.pk, register="reconsideration").get())
    pdf_times = []
    for d in single_docs:
        start = time.perf_counter()
        services.document_pdf(d)
        pdf_times.append(time.perf_counter() - start)
    # the day's batch: rendered together (as `fazhi documents render` does, 25 a run), then merged
    start = time.perf_counter()
    for i in range(0, len(docs), 25):
        services.documents_pdf(docs[i : i + 25])
    render_total = time.perf_counter() - start
    start = time.perf_counter()
    merged = pdfs_merge(services.documents_pdf(docs))  # frozen: read back, merged
    merge_time = time.perf_counter() - start
    soffice = subprocess.run(["soffice", "--version"], capture_output=True, text=True, check=False).stdout.strip() or "LibreOffice ?"
    doc_cost = statistics.median(with_doc) - statistics.median(plain)
    lines = [
        f"# bench/documents.py — {today} — {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, sqlite, {soffice}, "
        f"load average {os.getloadavg()[0]:.1f}",
        f"one document (DOCX): the 受理 step with its 受理通知书 {statistics.median(with_doc) * 1000:.0f} ms median "
        f"(step alone {statistics.median(plain) * 1000:.0f} ms; the document adds {doc_cost * 1000:.0f} ms)",
        f"one PDF on its own (LibreOffice, then frozen): {statistics.median(pdf_times):.2f} s median, {max(pdf_times):.2f} s max",
        f"a day's batch of {n} documents for one unit: issue {issue_total:.1f} s + render in runs of 25 {render_total:.1f} s "
        f"({render_total / n:.2f} s a document) + merged PDF {merge_time:.2f} s ({len(merged) / 1024:.0f} KiB) = "
        f"{issue_total + render_total + merge_time:.1f} s",
    ]
    print("\n".join(lines))
    with (ROOT / "bench" / "results" / "documents.txt").open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
