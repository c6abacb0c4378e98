"""The reader on the development corpus (issue 25): reports of other jurisdictions, annotated by
hand (bench/corpus/), scored per split (tuning / held-out, by jurisdiction) as bench/reader.py
scores the seeds: a figure matches when its quote span, value and unit equal the annotation's;
label accuracy is over the matches.

    .venv/bin/python bench/reader_corpus.py [--split heldout] [-v] [--cv] [--speed SECONDS] [--append FILE --note TEXT]

``--cv`` adds the label classifier's cross-validation on the tuning split (GroupKFold by
jurisdiction, ``fazhi/reader/train.py --cv``; needs scikit-learn), ``--speed`` the extraction speed
of ``bench/reader.py``; ``--append`` appends the lines printed, under a heading naming ``--note``,
the date and the commit, to a results file (bench/results/reader_corpus.txt). ``-v`` lists every
miss and wrong label: never use it on the held-out split.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "corpus"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from check import load_gold_path  # noqa: E402

from fazhi.reader import scoring  # noqa: E402
from fazhi.reader.document import read_text  # noqa: E402

CORPUS = ROOT / "bench" / "corpus"


def splits() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in (CORPUS / "split.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            text_id, _, split = line.split("\t")
            out.setdefault(split, []).append(text_id)
    return out


def run(names: list[str], verbose: bool) -> scoring.Score:
    total = scoring.Score(0, 0, 0, 0, 0)
    for name in names:
        report = read_text((CORPUS / "texts" / f"{name}.txt").read_text(encoding="utf-8"), name=name)
        gold, errors = load_gold_path(CORPUS / "gold" / f"{name}.tsv", report.text)
        assert not errors, errors
        s, problems = scoring.score(report, gold)
        total = total + s
        if verbose and problems:
            print(f"--- {name}")
            for p in problems:
                print("   ", p)
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=["tuning", "heldout"])
    parser.add_argument("-v", action="store_true")
    parser.add_argument("--cv", action="store_true", help="the label classifier's cross-validation on the tuning split")
    parser.add_argument("--speed", type=float, default=0.0, help="seconds of CPU for the speed of bench/reader.py")
    parser.add_argument("--append", type=Path, help="append the lines to this results file")
    parser.add_argument("--note", default="", help="what this run measures (with --append)")
    args = parser.parse_args()
    if args.v and args.split != "tuning":
        parser.error("-v lists the reader's errors: only with --split tuning")
    lines: list[str] = []
    for split, names in sorted(splits().items()):
        if args.split and split != args.split:
            continue
        t = run(names, args.v)
        lines.append(
            f"{split:>8}: {len(names)} texts, annotated {t.gold}, found {t.predicted}, matched {t.matched}; precision {t.precision:.3f}, "
            f"recall {t.recall:.3f}, F1 {t.f1:.3f}; label accuracy {t.label_accuracy:.3f} ({t.labelled}/{t.matched})"
        )
        print(lines[-1], flush=True)
    if args.cv:
        from fazhi.reader import train

        lines += train.report_cv(train.corpus_examples(), train.seed_examples())
        print("\n".join(lines[-8:]), flush=True)
    if args.speed:
        sys.path.insert(0, str(ROOT / "bench"))
        import reader as seed_bench

        lines += ["  " + line for line in seed_bench.speed(args.speed)]
        print("\n".join(lines[-2:]), flush=True)
    if args.append:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
        head = f"{args.note} — {dt.date.today().isoformat()}, commit {commit}:"
        with args.append.open("a", encoding="utf-8") as out:
            out.write("\n".join([head, *lines]) + "\n")


if __name__ == "__main__":
    main()
