"""Every figure the reader finds on the development corpus and the seeds, with its label and
confidence, written one per line: the check that a change meant to make the reader faster leaves
its outputs as they were.

    .venv/bin/python bench/reader_outputs.py --write OUT.tsv          # dump the outputs
    .venv/bin/python bench/reader_outputs.py --compare BEFORE.tsv     # dump again and compare

bench/results/reader_outputs_6699153.tsv is the dump of the reader at 6699153 (the definition
scorer as first merged, before it was made faster): ``--compare`` it to check a later reader gives
the same labels and confidences.

Each line: text, start, end, value, unit, label, metric_confidence, then what ``classifier.combine``
was given for the figure (the classifier's label and probability, the rule's label, the definition
scorer's label and probability), floats as repr: full precision, so any change shows.
Only the reader's own outputs are written and compared, never the annotations: no accuracy is
measured here, on any split.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from fazhi.reader import scoring  # noqa: E402
from fazhi.reader.document import read_text  # noqa: E402

CORPUS = ROOT / "bench" / "corpus" / "texts"


def texts() -> list[tuple[str, Path]]:
    corpus = sorted(CORPUS.glob("*.txt"))
    seeds = [scoring.SEEDS / f"{n}.txt" for n in scoring.TUNING + scoring.HELD_OUT]
    return [(p.stem, p) for p in corpus + seeds]


def outputs() -> list[str]:
    """One line per figure; ``classifier.combine`` is wrapped to record its inputs (called once per
    figure, in the figures' order)."""
    from fazhi.reader import classifier

    inputs: list[tuple[object, ...]] = []
    combine = classifier.combine

    def recording(*args: Any) -> tuple[str | None, float, str]:
        inputs.append(args[:5])
        return combine(*args)

    classifier.combine = recording  # type: ignore[assignment]
    lines = []
    try:
        for name, path in texts():
            inputs.clear()
            report = read_text(path.read_text(encoding="utf-8"), name=name)
            assert len(inputs) == len(report.figures), name
            for f, given in zip(report.figures, inputs, strict=True):
                fields = [name, str(f.start), str(f.end), str(f.value), f.unit, f.metric or "-", repr(f.metric_confidence)]
                lines.append("\t".join(fields + [repr(x) for x in given]))
    finally:
        classifier.combine = combine  # type: ignore[assignment]
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
    before = args.compare.read_text(encoding="utf-8").splitlines()
    differ = [(a, b) for a, b in zip(before, lines, strict=False) if a != b]
    print(f"{len(texts())} texts; figures before {len(before)}, now {len(lines)}; lines that differ: {len(differ)}")
    for a, b in differ[:20]:
        print(f"  before {a}\n  now    {b}")
    sys.exit(0 if not differ and len(before) == len(lines) else 1)


if __name__ == "__main__":
    main()
