"""Check the development corpus: every gold file loads against the reader's clean text.

    .venv/bin/python bench/corpus/check.py [-v] [--clean DIR]

For every ``texts/NNN.txt`` the clean text is built with ``read_text(raw).text`` (only the text is
used: the reader's own figures are never looked at here), and ``gold/NNN.tsv`` is loaded against
it the way ``fazhi.reader.scoring.load_gold`` loads a seed's annotations: six tab-separated
columns, ``before + quote`` found exactly once. Every problem is reported (not only the first),
plus some sanity checks of the annotations themselves: the value agrees with the number written
in the quote, ``approx`` is 0 or 1, the label is one of LABELS.md, LABELS_ADDED.md, LABELS_FRESH.md or the seed
annotations. ``--clean DIR`` also writes each clean text there (for annotating by reading).
Prints the totals; exits 1 when anything is wrong.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from fazhi.reader.document import read_text  # noqa: E402
from fazhi.reader.scoring import GOLD as SEED_GOLD  # noqa: E402
from fazhi.reader.scoring import Gold  # noqa: E402

HERE = Path(__file__).resolve().parent
TEXTS = HERE / "texts"
GOLD = HERE / "gold"
# definitions/reader/LABELS.md is shared/reader/LABELS.md plus the seed annotations' labels, each under its group
# LABELS_FRESH.md: the labels of the fresh split's annotations, kept out of the reader's catalogue (see that file)
LABEL_FILES = [ROOT / "definitions" / "reader" / "LABELS.md", ROOT / "definitions" / "reader" / "LABELS_ADDED.md", HERE / "LABELS_FRESH.md"]
LABEL_LINE = re.compile(r"^- \*\*(.+?)\*\*")

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?|[零〇一二两兩三四五六七八九十百千]+")
MULTIPLIER = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000, "千": 1000}


def load_gold_path(path: Path, text: str) -> tuple[list[Gold], list[str]]:
    """``scoring.load_gold`` for a file anywhere, collecting every error instead of raising."""
    items: list[Gold] = []
    errors: list[str] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 6:
            errors.append(f"{path.name}:{lineno}: 需要 6 列，实为 {len(parts)} 列")
            continue
        before, quote, value, unit, approx, metric = parts
        anchor = before + quote
        at = text.find(anchor)
        if at < 0 or text.find(anchor, at + 1) >= 0:
            errors.append(f"{path.name}:{lineno}: “{anchor}”在正文中{'找不到' if at < 0 else '不唯一'}")
            continue
        try:
            number = float(value)
        except ValueError:
            errors.append(f"{path.name}:{lineno}: 数值“{value}”不是数")
            continue
        if approx not in ("0", "1"):
            errors.append(f"{path.name}:{lineno}: approx 应为 0 或 1，实为“{approx}”")
        if not metric:
            errors.append(f"{path.name}:{lineno}: 缺标签")
        start = at + len(before)
        items.append(Gold(start, start + len(quote), quote, number, unit, approx == "1", metric))
    return items, errors


def _cn_number(s: str) -> float | None:
    total, current = 0, 0
    for ch in s:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            total += (current or 1) * CN_UNITS[ch]
            current = 0
        else:
            return None
    return float(total + current)


def written_value(quote: str, unit: str) -> float | None:
    """The number a quote writes, scaled by 万/亿 unless the unit keeps them (万元)."""
    m = NUMBER.search(quote)
    if not m:
        return None
    raw = m.group(0)
    value = float(raw.replace(",", "")) if raw[0].isdigit() else _cn_number(raw)
    if value is None:
        return None
    rest = quote[m.end() :].lstrip("余多")  # 2000余万人次: the approximation word may stand before 万
    if rest[:1] in MULTIPLIER and not unit.startswith(rest[:1]):
        value *= MULTIPLIER[rest[:1]]
    return value


def known_labels() -> set[str]:
    labels: set[str] = set()
    for path in LABEL_FILES:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if m := LABEL_LINE.match(line.strip()):
                    labels.add(m.group(1))
    for path in SEED_GOLD.glob("*.tsv"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#") and len(parts := line.split("\t")) == 6:
                labels.add(parts[5])
    return labels


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--clean", help="write the clean texts into this folder")
    args = parser.parse_args()
    with open(HERE / "sources.tsv", encoding="utf-8") as f:
        sources = {row["id"]: row for row in csv.DictReader(f, delimiter="\t")}
    split = {}
    if (HERE / "split.tsv").exists():
        with open(HERE / "split.tsv", encoding="utf-8") as f:
            split = {row["id"]: row for row in csv.DictReader(f, delimiter="\t")}
    labels = known_labels()
    problems: list[str] = []
    per_split: Counter[str] = Counter()
    texts_per_split: Counter[str] = Counter()
    used: Counter[str] = Counter()
    figures = 0
    ids = sorted(p.stem for p in TEXTS.glob("*.txt"))
    for name in ids:
        raw = (TEXTS / f"{name}.txt").read_text(encoding="utf-8")
        if name not in sources:
            problems.append(f"{name}: 不在 sources.tsv 中")
        elif int(sources[name]["chars"]) != len(raw):
            problems.append(f"{name}: sources.tsv 的 chars {sources[name]['chars']} ≠ {len(raw)}")
        text = read_text(raw, name=name, with_checks=False).text
        if args.clean:
            Path(args.clean).mkdir(parents=True, exist_ok=True)
            (Path(args.clean) / f"{name}.txt").write_text(text, encoding="utf-8")
        path = GOLD / f"{name}.tsv"
        if not path.exists():
            problems.append(f"{name}: 没有 gold/{name}.tsv")
            continue
        items, errors = load_gold_path(path, text)
        problems += errors
        spans = sorted((g.start, g.end, g.quote) for g in items)
        for (s1, e1, q1), (s2, _e2, q2) in itertools.pairwise(spans):
            if s2 < e1:
                problems.append(f"{path.name}: “{q1}”@{s1} 与 “{q2}”@{s2} 重叠")
        for g in items:
            if g.metric not in labels:
                problems.append(f"{path.name}: 标签“{g.metric}”不在 LABELS.md、LABELS_ADDED.md、LABELS_FRESH.md 或种子标注中")
            w = written_value(g.quote, g.unit)
            if w is not None and abs(w - g.value) > 1e-6 * max(1.0, abs(w)):
                problems.append(f"{path.name}: “{g.quote}”写的是 {w:g}，标注为 {g.value:g}")
            used[g.metric] += 1
        figures += len(items)
        s = split.get(name, {}).get("split", "?")
        per_split[s] += len(items)
        texts_per_split[s] += 1
        if name in split and name in sources and split[name]["jurisdiction"] != sources[name]["jurisdiction"]:
            problems.append(f"{name}: split.tsv 与 sources.tsv 的辖区不一致")
        if args.verbose:
            print(f"{name}  {len(items):>3} figures  {sources.get(name, {}).get('jurisdiction', '?')}")
    jur_split: dict[str, set[str]] = {}
    for row in split.values():
        jur_split.setdefault(row["jurisdiction"], set()).add(row["split"])
    for jur, splits in jur_split.items():
        if len(splits) > 1:
            problems.append(f"辖区“{jur}”被分到了 {sorted(splits)}")
    for p in problems:
        print("PROBLEM", p)
    jurisdictions = {sources[i]["jurisdiction"] for i in ids if i in sources}
    provinces = {sources[i]["province"] for i in ids if i in sources}
    print(f"texts {len(ids)}, jurisdictions {len(jurisdictions)}, provinces {len(provinces)}, figures {figures}, labels used {len(used)}")
    if split:
        for s in sorted(texts_per_split):
            members = {r["jurisdiction"] for r in split.values() if r["split"] == s}
            print(f"  {s}: {texts_per_split[s]} texts, {len(members)} jurisdictions, {per_split[s]} figures")
    if args.verbose:
        for label, n in used.most_common():
            print(f"  {n:>4}  {label}")
    print("OK" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
