"""The reader on the development corpus (issue 25): reports of other jurisdictions, annotated by
hand (bench/corpus/), scored per split (tuning / held-out, by jurisdiction) as bench/reader.py
scores the seeds: a figure matches when its quote span, value and unit equal the annotation's;
label accuracy is over the matches.

    .venv/bin/python bench/reader_corpus.py [--split heldout] [-v]
"""

from __future__ import annotations

import argparse
import os
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
    args = parser.parse_args()
    for split, names in sorted(splits().items()):
        if args.split and split != args.split:
            continue
        t = run(names, args.v)
        print(
            f"{split:>8}: {len(names)} texts, annotated {t.gold}, found {t.predicted}, matched {t.matched}; precision {t.precision:.3f}, "
            f"recall {t.recall:.3f}, F1 {t.f1:.3f}; label accuracy {t.label_accuracy:.3f} ({t.labelled}/{t.matched})"
        )


if __name__ == "__main__":
    main()
