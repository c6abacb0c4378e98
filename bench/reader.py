"""The reader (issue 8): quality against the hand annotations of the five seeds, split into the
seeds the rules were tuned on and the held-out ones, and extraction speed on text input.

    .venv/bin/python bench/reader.py [--seconds 10] [--out bench/results/reader.txt]

Quality: a figure matches when its quote span, value and unit all equal the annotation's;
precision = matches / figures found, recall = matches / annotated figures; label accuracy is over
the matches. Speed: one process (one core) reads the five seed texts over and over — clean text,
metadata, outline, figures, labels and all checks — and reports per second of its CPU time (and
of wall time, which other work on a shared machine slows).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from fazhi.reader import scoring  # noqa: E402
from fazhi.reader.document import read_text  # noqa: E402


def quality() -> list[str]:
    lines = []
    for split, names in (("tuning", scoring.TUNING), ("held-out", scoring.HELD_OUT), ("all five", scoring.TUNING + scoring.HELD_OUT)):
        total = None
        for name in names:
            report = read_text((scoring.SEEDS / f"{name}.txt").read_text(encoding="utf-8"), name=name)
            s, _ = scoring.score(report, scoring.load_gold(name, report.text))
            total = s if total is None else total + s
            if split != "all five":
                lines.append(
                    f"  {name}  annotated {s.gold:>3}  found {s.predicted:>3}  P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}  "
                    f"label {s.label_accuracy:.3f}  approx {s.approx_ok}/{s.matched}"
                )
        assert total is not None
        lines.append(
            f"{split:>9}: annotated {total.gold}, found {total.predicted}, matched {total.matched}; precision {total.precision:.3f}, "
            f"recall {total.recall:.3f}, F1 {total.f1:.3f}; label accuracy {total.label_accuracy:.3f} ({total.labelled}/{total.matched})"
        )
    return lines


def speed(seconds: float) -> list[str]:
    """Reports per second of one core's CPU time (time.process_time: what the reading costs, even on a
    machine whose cores other work shares) and, for reference, per second of wall time."""
    texts = [(scoring.SEEDS / f"{n}.txt").read_text(encoding="utf-8") for n in scoring.TUNING + scoring.HELD_OUT]
    chars = sum(len(t) for t in texts)
    lines = []
    for what, checks in (("extraction (clean text, metadata, outline, figures, labels)", False), ("extraction and all checks", True)):
        for t in texts:
            read_text(t, with_checks=checks)  # warm the caches (labels, rules, model)
        done = 0
        start, cpu = time.perf_counter(), time.process_time()
        while time.process_time() - cpu < seconds:
            for t in texts:
                read_text(t, with_checks=checks)
            done += len(texts)
        elapsed, used = time.perf_counter() - start, time.process_time() - cpu
        lines.append(
            f"speed, {what}: {done} reports in {used:.1f} s of CPU on one core = {done / used:.0f} reports/s/core "
            f"({done * chars / len(texts) / used / 1e6:.2f} M chars/s; mean seed {chars // len(texts)} chars, text input; "
            f"wall {elapsed:.1f} s = {done / elapsed:.0f} reports/s on this shared machine)"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--out")
    args = parser.parse_args()
    head = [
        f"reader benchmark — {dt.date.today().isoformat()} — {platform.node()} ({platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores), Python {platform.python_version()}"
    ]
    lines = head + quality() + speed(args.seconds)
    print("\n".join(lines))
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
