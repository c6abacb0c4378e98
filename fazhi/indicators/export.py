"""``fazhi export parquet DIR``: the rows the indicators read, as Parquet, with a signed manifest.

A province collects one export per city and computes the catalogue over all of them
(``fazhi.indicators.province``, Spark or DuckDB) without any city's database.

What is exported, per register and per table of the catalogue: one row per matter with only the
columns the indicator definitions read -- the matter's id, its unit, the dates, the filtered
fields (kinds, outcomes, states, flags), the summed amounts, whether each deadline was kept, and
for the on-time shares the cached due date and the due dates recomputed from the events. No name,
ID number, phone, address or free text: a column that is an encrypted (personal) field is refused
outright. Also exported: the unit tree (id, parent path, code, name: public organisations) and the
rollup table.

The manifest lists each file's SHA-256, size and row count, the instance (its top unit's code and
name, the audit log's origin), a digest of the indicator definitions and a fresh signed audit
checkpoint; ``manifest.sig`` is a signed note (the audit log's Ed25519 key, the checkpoints'
format) over the manifest's SHA-256, so whoever holds the instance's public key can check the
folder without its database (``fazhi export verify DIR --key …``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from fazhi.audit import signing
from fazhi.core.fieldcrypt import EncryptedMixin
from fazhi.core.files import file_sha256
from fazhi.core.models import Unit
from fazhi.indicators.catalogue import catalogue, is_table, source_model, unit_path
from fazhi.indicators.filters import where_q
from fazhi.indicators.models import Rollup
from fazhi.indicators.sqlcompile import rule_column
from fazhi.registers.framework.registry import REGISTRY

FORMAT = "fazhi-export/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SIGNED_TITLE = "fazhi export manifest"
BATCH = 50_000


class ExportError(Exception):
    """An export that cannot be written or does not verify (message in Chinese)."""


@dataclass
class Source:
    """One register or table as exported: its ORM columns and the computed clock columns."""

    name: str
    fields: list[str] = field(default_factory=list)  # ORM paths, exported under the same name
    deadline_rules: list[str] = field(default_factory=list)  # deadline__<rule>: met / late / ...
    due_rules: list[str] = field(default_factory=list)  # last_due__<rule>: recomputed from the events
    on_time: list[Any] = field(default_factory=list)  # the on-time indicators (their denominators)


def definitions_digest() -> str:
    """SHA-256 over the indicator definition files (name and bytes, in name order)."""
    h = hashlib.sha256()
    for path in sorted((Path(settings.FAZHI_DEFINITIONS_DIR) / "indicators").glob("*.yaml")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def sources() -> dict[str, Source]:
    """Every source of the catalogue with the columns its indicators read."""
    out: dict[str, Source] = {}
    for ind in catalogue().values():
        s = out.setdefault(ind.register, Source(ind.register))

        def add(name: str, s: Source = s) -> None:
            if name and name not in s.fields:
                s.fields.append(name)

        for m in ind.measures.values():
            for d in m.date:
                add(d)
            add(m.field)
            add(m.since)
            for key, cond in m.where_dict.items():
                if key == "outcome_group":
                    add(REGISTRY[m.register].definition.outcome_field or "")
                elif key == "deadline":
                    for rule in cond["rules"]:
                        if rule not in s.deadline_rules:
                            s.deadline_rules.append(rule)
                else:
                    add(key)
        if ind.type == "on_time":
            for name in ("received_on", "due_on", "due_rule"):
                add(name)
            s.on_time.append(ind)
            for rule in ind.measures["denominator"].where_dict["deadline"]["rules"]:
                if rule not in s.due_rules:
                    s.due_rules.append(rule)
    for s in out.values():
        s.fields.sort()
    return dict(sorted(out.items()))


def _arrow_type(f: models.Field[Any, Any]) -> Any:
    import pyarrow as pa

    if isinstance(f, EncryptedMixin):
        raise ExportError(f"字段“{f.verbose_name}”（{f.model.__name__}.{f.name}）是加密保存的个人信息，不能导出")
    kind = f.get_internal_type()
    if isinstance(f, models.ForeignKey):
        return pa.int64()
    if kind == "DateField":
        return pa.date32()
    if kind == "BooleanField":
        return pa.bool_()
    if kind.endswith(("IntegerField", "AutoField")):
        return pa.int64()
    if kind == "DecimalField":
        assert isinstance(f, models.DecimalField)
        return pa.decimal128(f.max_digits or 38, f.decimal_places or 0)
    if kind == "FloatField":
        return pa.float64()
    if kind in ("CharField", "TextField", "SlugField"):
        return pa.string()
    raise ExportError(f"字段“{f.verbose_name}”的类型 {kind} 不能导出")


def schema_of(s: Source) -> Any:
    import pyarrow as pa

    from fazhi.indicators.tables import resolve

    model = source_model(s.name)
    cols = [pa.field("city", pa.string()), pa.field("id", pa.int64()), pa.field("unit_id", pa.int64())]
    cols += [pa.field(name, _arrow_type(resolve(model, name))) for name in s.fields]
    cols += [pa.field(rule_column("deadline", r), pa.string()) for r in s.deadline_rules]
    cols += [pa.field(rule_column("last_due", r), pa.date32()) for r in s.due_rules]
    return pa.schema(cols)


def _due_candidates(s: Source, lo: int, hi: int) -> set[int]:
    """The matters in [lo, hi] whose due dates ``overdue_open`` may recompute from the events:
    a running clock of another rule while these rules are not stopped, or a deadline kept late."""
    model = source_model(s.name)
    ids: set[int] = set()
    for ind in s.on_time:
        m = ind.measures["denominator"]
        rules = list(m.where_dict["deadline"]["rules"])
        base = model._default_manager.filter(where_q(m, skip=("deadline",)), pk__gte=lo, pk__lte=hi)
        stopped = models.Q()
        late = models.Q()
        for rule in rules:
            stopped |= models.Q(deadlines__has_key=rule)
            late |= models.Q(**{f"deadlines__{rule}": "late"})
        ids.update(base.filter(due_on__isnull=False).exclude(due_rule__in=rules).exclude(stopped).values_list("pk", flat=True))
        ids.update(base.filter(late).values_list("pk", flat=True))
    return ids


def _last_dues(s: Source, ids: set[int]) -> dict[int, dict[str, dt.date | None]]:
    from fazhi.law.workdays import current_calendar
    from fazhi.registers.framework.clocks import events_of, matter_last_dues

    if not ids:
        return {}
    reg, cal = REGISTRY[s.name], current_calendar()
    model = source_model(s.name)
    out: dict[int, dict[str, dt.date | None]] = {}
    events = events_of(reg.name, ids)
    for matter in model._default_manager.filter(pk__in=ids):
        out[matter.pk] = matter_last_dues(matter, events[matter.pk], reg=reg, cal=cal)
    return out


def _batches(s: Source, city: str, schema: Any, tick: Callable[[int], None]) -> Iterator[Any]:
    """The source's rows in batches of ``BATCH``, streamed from the database in id order."""
    import pyarrow as pa

    model = source_model(s.name)
    unit = "unit_id" if unit_path(s.name) == "unit" else unit_path(s.name)
    flat = ["pk", unit, *s.fields] + (["deadlines"] if s.deadline_rules else [])
    rows = model._default_manager.order_by("pk").values_list(*flat).iterator(chunk_size=BATCH)
    while True:
        chunk = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == BATCH:
                break
        if not chunk:
            return
        cols: list[list[Any]] = [[city] * len(chunk)] + [list(c) for c in zip(*chunk, strict=True)]
        if s.deadline_rules:
            kept = cols.pop()
            for rule in s.deadline_rules:
                cols.append([_state((d or {}).get(rule, None), rule in (d or {})) for d in kept])
        if s.due_rules:
            dues = _last_dues(s, _due_candidates(s, chunk[0][0], chunk[-1][0]))
            for rule in s.due_rules:
                cols.append([dues.get(pk, {}).get(rule) for pk in cols[1]])
        yield pa.record_batch(cols, schema=schema)
        tick(len(chunk))


def _state(value: Any, present: bool) -> str | None:
    if not present:
        return None
    return value if isinstance(value, str) else json.dumps(value)


def _write(path: Path, schema: Any, batches: Iterator[Any]) -> int:
    import pyarrow.parquet as pq

    n = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for batch in batches:
            writer.write_batch(batch)
            n += batch.num_rows
    return n


def _plain_batches(qs: Any, cols: list[str], city: str, schema: Any, tick: Callable[[int], None]) -> Iterator[Any]:
    import pyarrow as pa

    rows = qs.values_list(*cols).iterator(chunk_size=BATCH)
    while True:
        chunk = [row for _, row in zip(range(BATCH), rows, strict=False)]
        if not chunk:
            return
        yield pa.record_batch([[city] * len(chunk)] + [list(c) for c in zip(*chunk, strict=True)], schema=schema)
        tick(len(chunk))


def instance() -> dict[str, str]:
    top = Unit.objects.filter(parent__isnull=True).order_by("pk").first()
    if top is None:
        raise ExportError("数据库中没有单位，无法确定导出的城市（区）")
    return {"code": top.code, "name": top.name, "origin": str(settings.FAZHI_LOG_ORIGIN)}


def export_parquet(target: Path, progress: Callable[[str, int | None], Callable[[int], None]]) -> dict[str, Any]:
    """Write the export into ``target`` (new or empty). ``progress(label, total)`` returns a tick."""
    import pyarrow as pa

    from fazhi.audit.services import checkpoint_take

    if target.exists() and any(target.iterdir()):
        raise ExportError(f"导出目录 {target} 不是空目录：请指定新的目录，以免覆盖已有导出")
    if signing.private_key() is None:
        raise ExportError("未配置检查点签名密钥（FAZHI_CHECKPOINT_KEY_FILE），导出清单无法签名：请先生成密钥（fazhi audit keygen）")
    target.mkdir(parents=True, exist_ok=True)
    who = instance()
    city = who["code"]
    as_of = timezone.localdate()
    files: dict[str, dict[str, Any]] = {}
    for name, s in sources().items():
        schema = schema_of(s)
        model = source_model(name)
        tick = progress(f"导出 {name}", model._default_manager.count())
        rows = _write(target / f"{name}.parquet", schema, _batches(s, city, schema, tick))
        files[f"{name}.parquet"] = {"kind": "table" if is_table(name) else "register", "source": name, "rows": rows}
    units_schema = pa.schema([("city", pa.string()), ("id", pa.int64()), ("path", pa.string()), ("code", pa.string()), ("name", pa.string())])
    tick = progress("导出单位", Unit.objects.count())
    files["units.parquet"] = {
        "kind": "units",
        "rows": _write(
            target / "units.parquet", units_schema, _plain_batches(Unit.objects.order_by("pk"), ["pk", "path", "code", "name"], city, units_schema, tick)
        ),
    }
    rollup_schema = pa.schema(
        [("city", pa.string()), ("grain", pa.string()), ("start", pa.date32()), ("measure", pa.string()), ("unit_id", pa.int64())]
        + [("bucket", pa.int64()), ("count", pa.int64()), ("cents", pa.int64())]
    )
    tick = progress("导出汇总表", Rollup.objects.count())
    cols = ["grain", "start", "measure", "unit_id", "bucket", "count", "cents"]
    files["rollups.parquet"] = {
        "kind": "rollups",
        "rows": _write(target / "rollups.parquet", rollup_schema, _plain_batches(Rollup.objects.order_by("pk"), cols, city, rollup_schema, tick)),
    }
    for fname, entry in files.items():
        entry["sha256"] = file_sha256(target / fname)
        entry["bytes"] = (target / fname).stat().st_size
    cp = checkpoint_take()  # recorded in the log's own checkpoints too
    # signed now with the instance's key (the stored note may be older, under a rotated key)
    note = signing.note_sign(size=cp.size, root=bytes(cp.root_hash), taken_at=timezone.now())
    manifest = {
        "format": FORMAT,
        "instance": who,
        "as_of": as_of.isoformat(),
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "definitions": {"digest": definitions_digest(), "indicators": len(catalogue())},
        "personal_data": "none: only ids, units, dates, codes, flags and amounts the indicators read",
        "checkpoint": {"size": cp.size, "root": bytes(cp.root_hash).hex(), "note": note},
        "verifier_key": signing.verifier_key(),
        "files": files,
    }
    body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    (target / MANIFEST).write_bytes(body)
    note = signing.text_sign([SIGNED_TITLE, f"sha256 {hashlib.sha256(body).hexdigest()}"])
    assert note is not None  # the key was checked above
    (target / SIGNATURE).write_text(note, encoding="utf-8")
    return manifest


@dataclass
class Verified:
    manifest: dict[str, Any]
    key_given: bool  # checked against a key the province holds, not the one the folder carries


def export_verify(source: Path, verifier: str | None = None) -> Verified:
    """Check an export folder without any database: the manifest's signature, every file's
    checksum, size and row count, no file unlisted, and the audit checkpoint's signature.
    ``verifier``: the instance's public key as the province holds it (else the manifest's own,
    which proves the folder is whole, not who wrote it)."""
    import pyarrow.parquet as pq

    try:
        body = (source / MANIFEST).read_bytes()
        manifest = json.loads(body)
    except (OSError, ValueError) as exc:
        raise ExportError(f"{source} 中没有可读的导出清单 {MANIFEST}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ExportError(f"导出清单格式不受支持（应为 {FORMAT}）")
    key = verifier or manifest.get("verifier_key")
    if not key:
        raise ExportError("导出清单没有公钥，也未提供公钥，无法核验签名")
    try:
        lines = signing.text_verify((source / SIGNATURE).read_text(encoding="utf-8"), key)
    except OSError as exc:
        raise ExportError(f"缺少清单签名文件 {SIGNATURE}") from exc
    except signing.NoteError as exc:
        raise ExportError(f"导出清单的签名核验未通过：{exc}") from exc
    if lines != [SIGNED_TITLE, f"sha256 {hashlib.sha256(body).hexdigest()}"]:
        raise ExportError("导出清单与其签名不符：清单在签名后被改动")
    listed = manifest.get("files", {})
    present = {p.name for p in source.iterdir() if p.is_file()} - {MANIFEST, SIGNATURE}
    for extra in sorted(present - set(listed)):
        raise ExportError(f"文件 {extra} 不在导出清单中")
    for name, entry in sorted(listed.items()):
        path = source / name
        if not path.is_file():
            raise ExportError(f"清单中的文件 {name} 缺失")
        if path.stat().st_size != entry["bytes"] or file_sha256(path) != entry["sha256"]:
            raise ExportError(f"文件 {name} 的校验值与清单不符：文件被改动或损坏")
        if pq.ParquetFile(path).metadata.num_rows != entry["rows"]:
            raise ExportError(f"文件 {name} 的行数与清单不符")
    cp = manifest.get("checkpoint") or {}
    try:
        note = signing.note_verify(str(cp.get("note", "")), key)
    except signing.NoteError as exc:
        raise ExportError(f"导出附带的全过程记录检查点核验未通过：{exc}") from exc
    if note.size != cp.get("size") or note.root.hex() != cp.get("root"):
        raise ExportError("导出清单中的检查点大小或根哈希与签名的检查点不符")
    return Verified(manifest, key_given=verifier is not None)
