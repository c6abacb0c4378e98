"""The verifiable 双随机 draw: a pure function of its published inputs.

Anyone holding the published file can re-run it (``fazhi inspections verify-draw FILE``) and
must get the same selection. Nothing here depends on Python's ``random`` (whose algorithms may
change between versions): the random stream is SHA-256 in counter mode over a seed that is
itself the hash of every input, so changing any input (a subject, an inspector, a conflict,
a parameter, the public seed value) changes the draw.

Algorithm (format ``fazhi-draw/1``):
1. ``seed = SHA-256(canonical JSON of {parameters, seed_value, subjects_sha256, inspectors_sha256, conflicts_sha256})``.
2. Eligible subjects: those of the snapshot whose ``prior`` inspections this year are below the
   cap, in snapshot order (sorted by id). ``n = ceil(eligible × ratio)``.
3. Shuffle the eligible subjects by Fisher–Yates with the stream ``"subjects"``; the first n
   are selected.
4. For each selected subject, in selection order: shuffle the inspectors who have no declared
   conflict with it by the stream ``"inspectors:<subject id>"`` and take the first
   ``inspectors_per_subject`` (at least two); fewer available is an error.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from fazhi.core.canonical import canonical_bytes

FORMAT = "fazhi-draw/1"
MIN_INSPECTORS = 2


class DrawError(ValueError):
    pass


def sha256(value: Any) -> str:
    return hashlib.sha256(canonical_bytes(value)).hexdigest()


def _stream(seed: bytes, label: str) -> Iterator[int]:
    counter = 0
    while True:
        block = hashlib.sha256(seed + label.encode("utf-8") + counter.to_bytes(8, "big")).digest()
        for i in range(0, 32, 8):
            yield int.from_bytes(block[i : i + 8], "big")
        counter += 1


def _below(stream: Iterator[int], bound: int) -> int:
    """Uniform in [0, bound) by rejection (no modulo bias)."""
    limit = (1 << 64) - ((1 << 64) % bound)
    while True:
        x = next(stream)
        if x < limit:
            return x % bound


def shuffled(items: list[Any], seed: bytes, label: str) -> list[Any]:
    out = list(items)
    stream = _stream(seed, label)
    for i in range(len(out) - 1, 0, -1):
        j = _below(stream, i + 1)
        out[i], out[j] = out[j], out[i]
    return out


def input_hashes(inputs: dict[str, Any]) -> dict[str, str]:
    return {
        "subjects_sha256": sha256(inputs["subjects"]),
        "inspectors_sha256": sha256(inputs["inspectors"]),
        "conflicts_sha256": sha256(inputs["conflicts"]),
    }


def draw_seed(inputs: dict[str, Any]) -> bytes:
    material = {"parameters": inputs["parameters"], "seed_value": inputs["seed"]["value"], **input_hashes(inputs)}
    return hashlib.sha256(canonical_bytes(material)).digest()


def run_draw(inputs: dict[str, Any]) -> dict[str, Any]:
    """The selection for these inputs: [{"subject": id, "inspectors": [ids]}] in selection order."""
    params = inputs["parameters"]
    ratio = Decimal(str(params["ratio"]))
    cap = int(params["cap_per_subject_per_year"])
    per_subject = int(params["inspectors_per_subject"])
    if per_subject < MIN_INSPECTORS:
        raise DrawError(f"每个检查对象至少应有 {MIN_INSPECTORS} 名执法检查人员")
    if not (Decimal(0) < ratio <= Decimal(1)):
        raise DrawError("抽查比例应大于 0 且不超过 100%")
    seed = draw_seed(inputs)
    eligible = [s["id"] for s in sorted(inputs["subjects"], key=lambda s: s["id"]) if int(s["prior"]) < cap]
    n = math.ceil(len(eligible) * ratio)
    chosen = shuffled(eligible, seed, "subjects")[:n]
    conflicts = {(int(o), int(s)) for o, s in inputs["conflicts"]}
    inspectors = [i["id"] for i in sorted(inputs["inspectors"], key=lambda i: i["id"])]
    selection = []
    for subject in chosen:
        free = [i for i in inspectors if (i, subject) not in conflicts]
        if len(free) < per_subject:
            raise DrawError(f"检查对象 {subject} 可用的执法检查人员不足 {per_subject} 名（已排除有利害关系的人员）")
        selection.append({"subject": subject, "inspectors": shuffled(free, seed, f"inspectors:{subject}")[:per_subject]})
    return {"eligible": len(eligible), "selected": selection}


def verify(document: dict[str, Any]) -> list[str]:
    """Problems found re-running a published draw (empty: it verifies)."""
    problems = []
    if document.get("format") != FORMAT:
        return [f"不支持的格式 {document.get('format')!r}，应为 {FORMAT}"]
    inputs = document["inputs"]
    for key, value in input_hashes(inputs).items():
        if document.get(key) != value:
            problems.append(f"{key} 与文件中的名录快照不符（快照被改动）")
    try:
        again = run_draw(inputs)
    except DrawError as exc:
        return problems + [f"无法重新抽取：{exc}"]
    if again != document.get("result"):
        problems.append("重新抽取的结果与公布的结果不一致")
    if document.get("result_sha256") != sha256(document.get("result")):
        problems.append("result_sha256 与公布的结果不符")
    return problems
