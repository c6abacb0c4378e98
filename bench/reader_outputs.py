"""Every figure the reader finds on the development corpus and the seeds, with its label and
confidence, written one per line: the check that a change meant to make the reader faster leaves
its outputs as they were.

    .venv/bin/python bench/reader_outputs.py --write OUT.tsv          # dump the outputs
    .venv/bin/python bench/reader_outputs.py --compare BEFORE.tsv     # dump again and compare

bench/results/reader_outputs_6699153.tsv is the dump of the reader at 6699153 (the definition
scorer as first merged, before it was made faster; the ranker has since changed the labels).

Each line: text, start, end, value, unit, label, metric_confidence (repr: full precision, so any
change shows). Dumps made before the ranker (issue 25) also held what ``classifier.combine`` was
given; ``--compare`` reads their first seven fields.
Only the reader's own outputs are written and compared, never the annotations: no accuracy is
measured here, on any split.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from fazhi.reader import scoring  # noqa: E402
from fazhi.reader.document import read_text  # noqa: E402

CORPUS = ROOT / "bench" / "corpus" / "texts"
FIELDS = 7  # text, start, end, value, unit, label, metric_confidence


def texts() -> list[tuple[str, Path]]:
    corpus = sorted(CORPUS.glob("*.txt"))
    seeds = [scoring.SEEDS / f"{n}.txt" for n in scoring.TUNING + scoring.HELD_OUT]
    return [(p.stem, p) for p in corpus + seeds]


def outputs() -> list[str]:
    """One line per figure, in the figures' order."""
    lines = []
    for name, path in texts():
        report = read_text(path.read_text(encoding="utf-8"), name=name)
        for f in report.figures:
            lines.append("\t".join([name, str(f.start), str(f.end), str(f.value), f.unit, f.metric or "-", repr(f.metric_confidence)]))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path)
    group.add_argument("--compare", type=Path)
    args = parser.parse_args()
    lines = outputs()
    if args.write:
        args.write.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{len(lines)} figures of {len(texts())} texts written to {args.write}")
        return
    # the reader's outputs only (dumps before the ranker also held classifier.combine's inputs)
    before = ["\t".join(line.split("\t")[:FIELDS]) for line in args.compare.read_text(encoding="utf-8").splitlines()]
    differ = [(a, b) for a, b in zip(before, lines, strict=False) if a != b]
    print(f"{len(texts())} texts; figures before {len(before)}, now {len(lines)}; lines that differ: {len(differ)}")
    for a, b in differ[:20]:
        print(f"  before {a}\n  now    {b}")
    sys.exit(0 if not differ and len(before) == len(lines) else 1)


if __name__ == "__main__":
    main()
