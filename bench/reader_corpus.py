"""The reader on the development corpus (issue 25): reports of other jurisdictions, annotated by
hand (bench/corpus/), scored per split (tuning / held-out / fresh / fresh2 / fresh3, by jurisdiction) as
bench/reader.py scores the seeds: a figure matches when its quote span, value and unit equal the
annotation's; label accuracy is over the matches. ``fresh`` (texts 113–124), ``fresh2`` (texts
125–143) and ``fresh3`` (texts 166–185) are further held-out parts, each annotated before the reader was
run on it, for estimates no decision has seen yet: each gets its own block, after held-out and tuning,
computed the same way.

    .venv/bin/python bench/reader_corpus.py [--split heldout] [-v] [--cv] [--speed SECONDS] [--append FILE --note TEXT]

``--cv`` (with ``--split tuning`` only) adds the label classifier's cross-validation on the tuning split (GroupKFold by
jurisdiction, ``fazhi/reader/train.py --cv``; needs scikit-learn), ``--speed`` the extraction speed
of ``bench/reader.py``; ``--append`` appends the lines printed, under a heading naming ``--note``,
the date and the commit, to a results file (bench/results/reader_corpus.txt). ``-v`` lists every
miss and wrong label: never use it on the held-out or fresh splits; ``--confusion`` lists no
errors for the fresh splits.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
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
SPLITS = ("heldout", "tuning", "fresh", "fresh2", "fresh3")  # the order of the blocks (held-out and tuning as before)
FRESH = ("fresh", "fresh2", "fresh3")  # held-out parts whose errors are never listed (no -v, no --confusion)


def splits() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in (CORPUS / "split.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            text_id, _, split = line.split("\t")
            out.setdefault(split, []).append(text_id)
    return out


@dataclass(frozen=True)
class Labelled:
    """A matched figure's gold label and the reader's, with the reader's confidence."""

    gold: str
    predicted: str | None
    confidence: float | None
    alternatives: tuple[str, ...] = ()  # the reader's runners-up (Figure.metric_alternatives)


def run(names: list[str], verbose: bool, labelled: list[Labelled] | None = None) -> scoring.Score:
    total = scoring.Score(0, 0, 0, 0, 0)
    for name in names:
        report = read_text((CORPUS / "texts" / f"{name}.txt").read_text(encoding="utf-8"), name=name)
        gold, errors = load_gold_path(CORPUS / "gold" / f"{name}.tsv", report.text)
        assert not errors, errors
        s, problems = scoring.score(report, gold)
        total = total + s
        if labelled is not None:
            found = {(f.start, f.end): f for f in report.figures}
            for g in gold:
                f = found.get((g.start, g.end))
                if f is not None and abs(float(f.value) - g.value) <= 1e-9 and f.unit == g.unit:
                    labelled.append(Labelled(g.metric, f.metric, f.metric_confidence, tuple(f.metric_alternatives)))
        if verbose and problems:
            print(f"--- {name}")
            for p in problems:
                print("   ", p)
    return total


def label_groups() -> dict[str, str]:
    """label -> the ``##`` heading of the label files it is defined under (LABELS.md's groups)."""
    from check import LABEL_FILES, LABEL_LINE

    groups: dict[str, str] = {}
    for path in LABEL_FILES:
        heading = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("## "):
                heading = line[3:].strip()
            elif m := LABEL_LINE.match(line.strip()):
                groups.setdefault(m.group(1), heading)
    return groups


def training_labels() -> set[str]:
    """The labels the classifier's training data holds: the tuning split's gold and the tuning seeds'."""
    out: set[str] = set()
    paths = [CORPUS / "gold" / f"{i}.tsv" for i in splits().get("tuning", [])] + [scoring.GOLD / f"{n}.tsv" for n in scoring.TUNING]
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                out.add(line.split("\t")[5])
    return out


def label_lines(split: str, names: list[str], figures: list[Labelled], confusion: int) -> list[str]:
    """Group accuracy, the share of figures whose gold label training never saw, accuracy on seen and
    unseen labels, confidence against correctness, and (``confusion`` > 0) the most frequent errors."""
    groups = label_groups()
    seen = training_labels()
    all_gold = []
    for name in names:
        for line in (CORPUS / "gold" / f"{name}.tsv").read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                all_gold.append(line.split("\t")[5])
    n = len(figures)
    right = sum(f.predicted == f.gold for f in figures)
    group_right = sum(f.predicted is not None and groups.get(f.predicted, "?") == groups.get(f.gold, "!") for f in figures)
    unseen_all = sum(g not in seen for g in all_gold)
    old = [f for f in figures if f.gold in seen]
    new = [f for f in figures if f.gold not in seen]
    lines = [
        f"  {split} labels: exact {right / n:.3f} ({right}/{n}), within the right group of LABELS.md {group_right / n:.3f} ({group_right}/{n})",
        f"    gold label never in the training data (tuning split + tuning seeds): {unseen_all}/{len(all_gold)} annotated figures "
        f"({unseen_all / len(all_gold):.3f}; {len({g for g in all_gold if g not in seen})} of {len(set(all_gold))} distinct labels), "
        f"{len(new)}/{n} matched",
        f"    accuracy on matched figures whose label training saw {sum(f.predicted == f.gold for f in old) / max(1, len(old)):.3f} "
        f"({sum(f.predicted == f.gold for f in old)}/{len(old)}), on those it never saw {sum(f.predicted == f.gold for f in new) / max(1, len(new)):.3f} "
        f"({sum(f.predicted == f.gold for f in new)}/{len(new)})",
    ]
    bins: dict[int, list[int]] = {}
    for f in figures:
        if f.confidence is not None:
            b = bins.setdefault(min(int(f.confidence * 5), 4), [0, 0, 0])
            b[0] += 1
            b[1] += f.predicted == f.gold
            b[2] += round(f.confidence * 1000)
    from fazhi.reader import train

    ranked = [(f.predicted, f.confidence if f.confidence is not None else 1.0) for f in figures]
    runners_up = [list(f.alternatives) for f in figures]
    lines.append("    the reader's labels with their runners-up: " + train.among_alternatives(ranked, runners_up, [f.gold for f in figures]))
    lines.append(
        "    metric_confidence against correctness: "
        + "; ".join(f"{k / 5:.1f}-{(k + 1) / 5:.1f}: {c} figures, mean {s / c / 1000:.2f}, right {r / c:.2f}" for k, (c, r, s) in sorted(bins.items()))
    )
    if confusion:
        errors = Counter((f.gold, f.predicted) for f in figures if f.predicted != f.gold)
        lines.append(f"    most frequent errors (gold → reader), {sum(errors.values())} errors in {len(errors)} pairs:")
        lines += [f"      {k} × {g} → {p}{' (same group)' if groups.get(g) == groups.get(p or '') else ''}" for (g, p), k in errors.most_common(confusion)]
    return lines


def same_figures_cv(first_new: str) -> list[str]:
    """The ranker's jurisdiction-grouped cross-validation on the figures of the tuning texts numbered
    below ``first_new`` only, once without the texts from ``first_new`` on and once with them added
    to every fold's training data (with the seeds: the classifier's and the group classifier's
    training data and the unit-suffix counts; the ranker itself is fitted on the folds' old figures,
    as ``train.report_cv`` fits it on the tuning figures and not on the seeds). The folds are the
    same both times, so the two accuracies compare the same figures. Known and unknown labels are
    split as the training data without the new texts has them (the same partition both times), and
    also as the data with them has them."""
    from fazhi.reader import train

    examples, seeds = train.corpus_examples(), train.seed_examples()
    old = [e for e in examples if e.source < first_new]
    new = [e for e in examples if e.source >= first_new]
    known_before = train.known_labels(old, seeds)
    known_after = train.known_labels(old, seeds + new)
    lines = [
        f"  same figures: the {len(old)} figures of the {len({e.source for e in old})} tuning texts below {first_new} "
        f"({len({e.group for e in old})} jurisdictions, GroupKFold {train.FOLDS} folds, the same folds both times); "
        f"{len(new)} figures of {len({e.source for e in new})} texts from {first_new} on"
    ]
    runs = (("without the new texts", seeds, known_before), (f"with texts {first_new}+ in every fold's training", seeds + new, known_after))
    for name, extra, known in runs:
        oof = train.cross_validate(old, extra)
        ranked = train.cross_validate_ranker(old, extra, oof)
        right = [label == e.label for (label, _), e in zip(ranked, old, strict=True)]
        lines.append(f"    ranker out of fold, {name}: {sum(right) / len(right):.3f} ({sum(right)}/{len(right)})")
        lines.append(f"      known/unknown as the data without the new texts has them: {train.known_unknown(right, known_before)}")
        lines.append(f"      known/unknown as this run's training data has them: {train.known_unknown(right, known)}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=list(SPLITS))
    parser.add_argument("-v", action="store_true")
    parser.add_argument("--labels", action="store_true", help="label measurements: groups, labels unseen in training, seen vs unseen")
    parser.add_argument("--confusion", type=int, default=0, help="with --labels: list this many most frequent label errors")
    parser.add_argument("--cv", action="store_true", help="the label classifier's cross-validation on the tuning split")
    parser.add_argument(
        "--cv-same-figures", metavar="FIRST_NEW", help="the ranker's CV on the tuning texts below FIRST_NEW, without and with the texts from FIRST_NEW on"
    )
    parser.add_argument("--speed", type=float, default=0.0, help="seconds of CPU for the speed of bench/reader.py")
    parser.add_argument("--append", type=Path, help="append the lines to this results file")
    parser.add_argument("--note", default="", help="what this run measures (with --append)")
    args = parser.parse_args()
    if args.v and args.split != "tuning":
        parser.error("-v lists the reader's errors: only with --split tuning")
    if (args.cv or args.cv_same_figures) and args.split != "tuning":
        # a tuning run must not score the held-out parts on the side (each is run once, after a change)
        parser.error("--cv and --cv-same-figures tune on the tuning split: only with --split tuning")
    lines: list[str] = []
    by_split = splits()
    assert set(by_split) <= set(SPLITS), f"split.tsv: unknown split {sorted(set(by_split) - set(SPLITS))}"
    for split in SPLITS:
        names = by_split.get(split, [])
        if not names or (args.split and split != args.split):
            continue
        figures: list[Labelled] = []
        t = run(names, args.v, figures)
        lines.append(
            f"{split:>8}: {len(names)} texts, annotated {t.gold}, found {t.predicted}, matched {t.matched}; precision {t.precision:.3f}, "
            f"recall {t.recall:.3f}, F1 {t.f1:.3f}; label accuracy {t.label_accuracy:.3f} ({t.labelled}/{t.matched})"
        )
        print(lines[-1], flush=True)
        if args.labels:
            more = label_lines(split, names, figures, 0 if split in FRESH else args.confusion)
            lines += more
            print("\n".join(more), flush=True)
    if args.cv:
        from fazhi.reader import train

        cv = train.report_cv(train.corpus_examples(), train.seed_examples())
        lines += cv
        print("\n".join(cv), flush=True)
    if args.cv_same_figures:
        lines += same_figures_cv(args.cv_same_figures)
        print("\n".join(lines[-7:]), flush=True)
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
