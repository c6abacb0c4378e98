"""Inter-annotator agreement on the development corpus (issue 25).

    .venv/bin/python bench/corpus/agreement.py [--check] [-v]

Ten texts were annotated twice, independently: ``gold/NNN.tsv`` (annotator A, the corpus
annotations) and ``gold2/NNN.tsv`` (annotator B, written without looking at A's files). Both are
loaded against the reader's clean text the way ``check.py`` loads the corpus (six tab-separated
columns, ``before + quote`` found exactly once in the clean text).

A figure of A and one of B match when their span (start, end in the clean text), value and unit
are equal. Per text and in total the script prints A's and B's counts, the matches and the F1
between the annotators (2 * matched / (A + B)); on the matched figures, the observed label
agreement and Cohen's kappa over the labels, kappa = (po - pe) / (1 - pe), pe from each
annotator's label marginals over the matched figures; and the same on the labels' groups, a
label's group being the ``##`` heading of ``definitions/reader/LABELS.md`` (shared/reader/LABELS.md
plus the seed annotations' labels, each under its group) or ``definitions/reader/LABELS_ADDED.md``
under which it is defined (a label defined nowhere is in group "未定义").

``--check`` only loads and checks gold2 (every line anchors, approx 0/1, the value agrees with the
number written in the quote, no overlapping quotes, labels known or reported as new) and never
opens gold/: that is how annotator B validated the files before the comparison was run.
``-v`` also lists the figures only one annotator has and the label disagreements.

The clean text is ``cleaning.clean(raw).text``, which is what ``read_text(raw).text`` returns
(``check.py`` uses the latter); taking it from the cleaner directly keeps the reader's figure
extraction out of the loop entirely.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from fazhi.reader import cleaning  # noqa: E402
from fazhi.reader.scoring import GOLD as SEED_GOLD  # noqa: E402
from fazhi.reader.scoring import Gold  # noqa: E402

# the gold loader and the label files of check.py (this folder)
sys.path.insert(0, str(Path(__file__).resolve().parent))
from check import LABEL_FILES, LABEL_LINE, load_gold_path, written_value  # noqa: E402

HERE = Path(__file__).resolve().parent
TEXTS = HERE / "texts"
GOLD_A = HERE / "gold"
GOLD_B = HERE / "gold2"
IDS = ("009", "010", "014", "018", "021", "038", "046", "050", "051", "054")
SEED_SECTION = "Labels taken from the seed annotations"
UNDEFINED = "未定义"


def clean_text(name: str) -> str:
    return cleaning.clean((TEXTS / f"{name}.txt").read_text(encoding="utf-8")).text


def label_groups() -> dict[str, str]:
    """label -> the ``##`` heading it is defined under (definitions first, then the seed list)."""
    groups: dict[str, str] = {}
    seed_listed: list[str] = []
    for path in LABEL_FILES:
        heading = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            s = line.strip()
            if s.startswith("## "):
                heading = s[3:].strip()
            elif m := LABEL_LINE.match(s):
                groups.setdefault(m.group(1), heading)
            elif heading == SEED_SECTION and s.startswith("- "):
                seed_listed += [x.strip() for x in s[2:].split("、") if x.strip()]
    for label in seed_listed:
        groups.setdefault(label, SEED_SECTION)
    return groups


def seed_labels() -> set[str]:
    labels: set[str] = set()
    for path in SEED_GOLD.glob("*.tsv"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#") and len(parts := line.split("\t")) == 6:
                labels.add(parts[5])
    return labels


def check_items(path: Path, items: list[Gold]) -> list[str]:
    problems: list[str] = []
    spans = sorted((g.start, g.end, g.quote) for g in items)
    for (s1, e1, q1), (s2, _e2, q2) in itertools.pairwise(spans):
        if s2 < e1:
            problems.append(f"{path.name}: “{q1}”@{s1} 与 “{q2}”@{s2} 重叠")
    for g in items:
        w = written_value(g.quote, g.unit)
        if w is not None and abs(w - g.value) > 1e-6 * max(1.0, abs(w)):
            problems.append(f"{path.name}: “{g.quote}”写的是 {w:g}，标注为 {g.value:g}")
    return problems


def kappa(pairs: list[tuple[str, str]]) -> tuple[float | None, float | None]:
    """(observed agreement, Cohen's kappa) over (label A, label B) pairs; None where undefined."""
    n = len(pairs)
    if not n:
        return None, None
    po = sum(a == b for a, b in pairs) / n
    ca = Counter(a for a, _ in pairs)
    cb = Counter(b for _, b in pairs)
    pe = sum(ca[k] * cb[k] for k in ca) / (n * n)
    if pe >= 1.0:
        return po, None
    return po, (po - pe) / (1 - pe)


def fmt(x: float | None) -> str:
    return "  n/a" if x is None else f"{x:.3f}"


def run_check() -> int:
    known = set(label_groups()) | seed_labels()
    problems: list[str] = []
    new: Counter[str] = Counter()
    total = 0
    for name in IDS:
        path = GOLD_B / f"{name}.tsv"
        if not path.exists():
            problems.append(f"没有 gold2/{name}.tsv")
            continue
        items, errors = load_gold_path(path, clean_text(name))
        problems += errors + check_items(path, items)
        for g in items:
            if g.metric not in known:
                new[g.metric] += 1
        total += len(items)
        print(f"{name}  {len(items):>3} figures")
    for p in problems:
        print("PROBLEM", p)
    print(f"gold2: {len(IDS)} texts, {total} figures")
    for label, n in sorted(new.items()):
        print(f"  new label (not in LABELS.md, LABELS_ADDED.md or the seeds): {label} ×{n}")
    print("OK" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


def run_compare(verbose: bool) -> int:
    groups = label_groups()

    def group(label: str) -> str:
        return groups.get(label, UNDEFINED)

    problems: list[str] = []
    all_pairs: list[tuple[str, str]] = []
    tot_a = tot_b = tot_m = 0
    details: list[str] = []
    print(f"Inter-annotator agreement, gold (A) vs gold2 (B), {len(IDS)} texts — run {datetime.date.today().isoformat()}")
    print("match: same span (start, end in the clean text), value and unit; F1 = 2*matched/(A+B);")
    print("po = observed label agreement on the matched figures, kappa = Cohen's kappa over their labels")
    print()
    print(f"{'text':<6}{'A':>5}{'B':>5}{'match':>7}{'F1':>8}{'po':>8}{'kappa':>8}{'po grp':>8}{'k grp':>8}")
    for name in IDS:
        text = clean_text(name)
        loaded = []
        for path in (GOLD_A / f"{name}.tsv", GOLD_B / f"{name}.tsv"):
            items, errors = load_gold_path(path, text)
            problems += [f"{path.parent.name}/{e}" for e in errors]
            loaded.append(items)
        a_items, b_items = loaded
        b_by_span = {(g.start, g.end): g for g in b_items}
        pairs: list[tuple[str, str]] = []
        matched_b: set[tuple[int, int]] = set()
        for ga in a_items:
            gb = b_by_span.get((ga.start, ga.end))
            if gb is not None and abs(ga.value - gb.value) <= 1e-9 and ga.unit == gb.unit:
                matched_b.add((gb.start, gb.end))
                pairs.append((ga.metric, gb.metric))
                if ga.metric != gb.metric:
                    details.append(f"  {name} label  {ga.quote}@{ga.start}: A {ga.metric} | B {gb.metric}")
            else:
                other = f" (B: {gb.quote} = {gb.value:g} {gb.unit})" if gb else ""
                details.append(f"  {name} A only {ga.quote} = {ga.value:g} {ga.unit} @{ga.start} [{ga.metric}]{other}")
        for gb in b_items:
            if (gb.start, gb.end) not in matched_b:
                details.append(f"  {name} B only {gb.quote} = {gb.value:g} {gb.unit} @{gb.start} [{gb.metric}]")
        na, nb, nm = len(a_items), len(b_items), len(pairs)
        f1 = 2 * nm / (na + nb) if na + nb else 1.0
        po, k = kappa(pairs)
        gpo, gk = kappa([(group(a), group(b)) for a, b in pairs])
        print(f"{name:<6}{na:>5}{nb:>5}{nm:>7}{f1:>8.3f}{fmt(po):>8}{fmt(k):>8}{fmt(gpo):>8}{fmt(gk):>8}")
        tot_a, tot_b, tot_m = tot_a + na, tot_b + nb, tot_m + nm
        all_pairs += pairs
    f1 = 2 * tot_m / (tot_a + tot_b) if tot_a + tot_b else 1.0
    po, k = kappa(all_pairs)
    group_pairs = [(group(a), group(b)) for a, b in all_pairs]
    gpo, gk = kappa(group_pairs)
    print(f"{'total':<6}{tot_a:>5}{tot_b:>5}{tot_m:>7}{f1:>8.3f}{fmt(po):>8}{fmt(k):>8}{fmt(gpo):>8}{fmt(gk):>8}")
    print()
    print(f"figures: A {tot_a}, B {tot_b}, matched {tot_m}, F1 {f1:.3f}")
    print(f"labels on the {tot_m} matched figures: observed agreement {fmt(po)}, Cohen's kappa {fmt(k)}")
    print(f"label groups on the {tot_m} matched figures: observed agreement {fmt(gpo)}, Cohen's kappa {fmt(gk)}")
    used = Counter(g for pair in group_pairs for g in pair)
    print("groups used (A+B, matched figures): " + ", ".join(f"{g} {n}" for g, n in used.most_common()))
    undefined = sorted({lab for pair in all_pairs for lab in pair if group(lab) == UNDEFINED})
    if undefined:
        print(f"labels counted as {UNDEFINED}: " + "、".join(undefined))
    if verbose and details:
        print()
        print("differences (per text: figures only one annotator has, label disagreements on matches):")
        print("\n".join(details))
    for p in problems:
        print("PROBLEM", p)
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true", help="only load and check gold2 (never opens gold/)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    return run_check() if args.check else run_compare(args.verbose)


if __name__ == "__main__":
    sys.exit(main())
