"""The reader's speed now against a baseline commit, measured in the same run: bench/reader.py's
speed (CPU time of one core) of the baseline and of this tree, alternately, ``--repeat`` times
each; the median of each. On a shared machine whose load changes from minute to minute, only
figures measured side by side like this can be compared.

    .venv/bin/python bench/reader_ab.py BASELINE [--seconds 10] [--repeat 3]

The baseline is exported with ``git archive`` into a temporary folder (this tree's virtualenv runs both).
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RATE = re.compile(r"speed, (?P<what>[^:]+): .* = (?P<rate>\d+) reports/s/core")
CODE = "import sys; sys.path.insert(0, 'bench'); import reader; print('\\n'.join(reader.speed({seconds})))"


def speed(tree: Path, seconds: float) -> dict[str, int]:
    out = subprocess.run([sys.executable, "-c", CODE.format(seconds=seconds)], cwd=tree, capture_output=True, text=True, check=True).stdout
    print(f"  {tree}:\n    " + out.strip().replace("\n", "\n    "), flush=True)
    return {m.group("what"): int(m.group("rate")) for m in RATE.finditer(out)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("baseline", help="a commit")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", args.baseline], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    here = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        runs: dict[str, list[dict[str, int]]] = {"baseline": [], "now": []}
        for _ in range(args.repeat):
            runs["baseline"].append(speed(base, args.seconds))
            runs["now"].append(speed(ROOT, args.seconds))
    for what in runs["now"][0]:
        for name, label in (("baseline", f"baseline {commit}"), ("now", f"this tree (HEAD {here} and its changes)")):
            rates = [r[what] for r in runs[name]]
            print(f"{what}, {label}: {', '.join(map(str, rates))} reports/s/core, median {statistics.median(rates):.0f}")


if __name__ == "__main__":
    main()
