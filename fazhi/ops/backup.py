"""Backup and restore, byte-faithful, verified before anything is trusted.

A backup is a folder:
- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the platform runs) or
  ``database.pgdump`` (``pg_dump`` custom format, one snapshot);
- ``files/``: the stored evidence and document files (content-addressed, ``core/files.py``);
- ``manifest.json``: what was backed up, the SHA-256 and size of every file of the folder, and the
  audit log's size and root at that moment, with the checkpoint the backup takes of it.

Native dumps keep every byte (Django's JSON dump cuts timestamps to milliseconds, and every event's
re-encoding, hence ``fazhi audit verify``, would fail). ``restore`` refuses a folder whose files do
not match the manifest, refuses a database that already holds data, and after restoring runs the
audit verification: a log that does not verify, or that differs from the manifest's root, is
reported and the restored data removed again.

Not in a backup, by design: the checkpoint signing key (``FAZHI_CHECKPOINT_KEY_FILE``), the key
file of personal data at rest (``FAZHI_FIELD_KEYS_FILE``: the backup holds that data encrypted) and the keys
in the environment (``SECRET_KEY``, ``FAZHI_AUDIT_KEY``): they are kept apart from the data they
protect, and must be restored from where they are kept.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from fazhi.core.files import file_sha256

FORMAT = 1
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or restore refused, with the reason in Chinese."""


@dataclass
class RestoreReport:
    files: int = 0
    leaves: int = 0
    problems: list[str] = field(default_factory=list)


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    if versions:
        return str(versions[-1])
    raise BackupError(f"未找到 PostgreSQL 的 {name} 程序（Debian 软件包 postgresql-client）")


def _pg_env() -> tuple[dict[str, str], list[str]]:
    db = connection.settings_dict
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["-h", str(db.get("HOST") or "127.0.0.1"), "-p", str(db.get("PORT") or 5432), "-U", str(db.get("USER") or "postgres")]
    return env, args


def _audit_state() -> dict[str, Any]:
    from fazhi.audit.services import tree_root

    size, root = tree_root()
    return {"size": size, "root": root.hex()}


def _checkpoint() -> dict[str, Any]:
    """A checkpoint of the log as it is backed up (signed when the key is at hand)."""
    from fazhi.audit.services import checkpoint_take

    cp = checkpoint_take()
    return {"size": cp.size, "root": bytes(cp.root_hash).hex(), "signed": bool(cp.note)}


def _files_dir() -> Path:
    return Path(settings.FAZHI_EVIDENCE_DIR)


def backup_create(target: Path, progress: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Write a backup of the database and the stored files into ``target`` (new or empty)."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"备份目录 {target} 不是空目录：请指定新的目录，以免覆盖已有备份")
    target.mkdir(parents=True, exist_ok=True)
    checkpoint = _checkpoint()
    audit = _audit_state()
    progress("备份数据库")
    if connection.vendor == "sqlite":
        database = "database.sqlite3"
        connection.ensure_connection()
        source = connection.connection
        dest = sqlite3.connect(target / database)
        try:
            source.backup(dest)
            # the copy takes the source's journal mode (WAL, config/settings.py): a backup is one
            # self-contained file that reading it (the restore opens it read-only) leaves unchanged
            dest.execute("PRAGMA journal_mode=DELETE")
        finally:
            dest.close()
    elif connection.vendor == "postgresql":
        database = "database.pgdump"
        env, args = _pg_env()
        done = subprocess.run(
            [
                _pg_tool("pg_dump"),
                *args,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(target / database),
                connection.settings_dict["NAME"],
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_dump 失败：{done.stderr.strip()[:500]}")
    else:
        raise BackupError(f"不支持的数据库：{connection.vendor}")
    progress("备份文书与证据文件")
    files = _files_dir()
    if files.exists():
        shutil.copytree(files, target / "files", dirs_exist_ok=False)
    progress("计算校验值")
    entries = {str(p.relative_to(target)): {"sha256": file_sha256(p), "bytes": p.stat().st_size} for p in sorted(target.rglob("*")) if p.is_file()}
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "vendor": connection.vendor,
        "database": database,
        "audit": audit,
        "checkpoint": checkpoint,
        "files": entries,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    return manifest


def backup_check(source: Path) -> dict[str, Any]:
    """The manifest of a backup folder whose every file is present, unchanged and listed."""
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} 中没有备份清单 {MANIFEST}：不是本平台的备份")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"备份清单无法读取：{exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式版本 {manifest.get('format')} 不受支持（本平台为 {FORMAT}）")
    problems = []
    listed = manifest.get("files", {})
    for name, entry in sorted(listed.items()):
        p = source / name
        if not p.is_file():
            problems.append(f"缺少文件 {name}")
        elif p.stat().st_size != entry["bytes"] or file_sha256(p) != entry["sha256"]:
            problems.append(f"文件 {name} 与清单中的校验值不符（被改动或损坏）")
    extra = [str(p.relative_to(source)) for p in source.rglob("*") if p.is_file() and p.name != MANIFEST and str(p.relative_to(source)) not in listed]
    problems += [f"清单中没有的文件 {name}" for name in sorted(extra)]
    if manifest.get("database") not in listed:
        problems.append("备份中没有数据库文件")
    if problems:
        raise BackupError("备份未通过校验，拒绝恢复：\n  - " + "\n  - ".join(problems))
    return manifest


def _database_empty() -> bool:
    tables = set(connection.introspection.table_names())
    if "core_unit" not in tables:
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM core_unit")
        return bool(cursor.fetchone()[0] == 0)


def _database_clear() -> None:
    """Remove what a failed restore wrote (the target held nothing before)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for name in connection.introspection.table_names():
                cursor.execute(f'DROP TABLE IF EXISTS "{name}"')


def backup_restore(source: Path, progress: Callable[[str], None] = lambda _: None) -> RestoreReport:
    """Restore a checked backup into an empty database, then verify the audit log."""
    manifest = backup_check(source)
    if manifest["vendor"] != connection.vendor:
        raise BackupError(f"这是 {manifest['vendor']} 数据库的备份，不能恢复到 {connection.vendor} 数据库")
    if not _database_empty():
        raise BackupError("目标数据库已有数据：请恢复到新建的空数据库")
    progress("恢复数据库")
    dump = source / manifest["database"]
    if connection.vendor == "sqlite":
        connection.close()
        connection.ensure_connection()
        src = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        try:
            src.backup(connection.connection)
        finally:
            src.close()
        connection.close()
    else:
        connection.close()
        env, args = _pg_env()
        with connection.cursor() as cursor:  # an empty database may still hold Django's tables from migrate
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        connection.close()
        done = subprocess.run(
            [
                _pg_tool("pg_restore"),
                *args,
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "-d",
                connection.settings_dict["NAME"],
                str(dump),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_restore 失败：{done.stderr.strip()[:500]}")
    progress("恢复文书与证据文件")
    files = _files_dir()
    restored = 0
    for name in manifest["files"]:
        if name.startswith("files/"):
            dest = files / name.removeprefix("files/")
            dest.parent.mkdir(parents=True, exist_ok=True)
            if not dest.exists():
                shutil.copy2(source / name, dest)
            restored += 1
    progress("校验全过程记录")
    from fazhi.audit.services import audit_verify

    report = RestoreReport(files=restored)
    verified = audit_verify()
    report.leaves = verified.size
    report.problems = list(verified.problems)
    state = _audit_state()
    if state != manifest["audit"]:
        report.problems.append(f"恢复后的记录（{state['size']} 条）与备份时（{manifest['audit']['size']} 条）的根哈希不一致")
    if report.problems:
        _database_clear()
    return report
