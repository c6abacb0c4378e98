"""Backup and restore: a round trip onto a fresh database verifies; a changed file, a forged
database or a non-empty target is refused."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from conftest import Org
from fazhi.audit.services import tree_root
from fazhi.core.files import file_store
from fazhi.ops.backup import BackupError, backup_check
from fazhi.registers.reconsideration.models import ReconsiderationCase

ROOT = Path(__file__).resolve().parents[3]


def _data(org: Org, make_case: Any) -> None:
    for name in ("韩梅梅", "李雷"):
        make_case(applicant_name=name)
    file_store("证据文件".encode() * 100)


def _backup(tmp_path: Path) -> Path:
    target = tmp_path / "backup"
    out = StringIO()
    call_command("backup", str(target), stdout=out, stderr=StringIO())
    assert "已备份" in out.getvalue()
    return target


class Target:
    """A new, empty database of the same kind, reached by a separate process."""

    def __init__(self, tmp_path: Path) -> None:
        db = connection.settings_dict
        if connection.vendor == "sqlite":
            self.path = tmp_path / "restored.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            self.name = f"restore_{secrets.token_hex(4)}"
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{self.name}"')
            auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
            self.url = f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{self.name}"
        self.files = tmp_path / "restored-files"

    def run(self, *command: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FAZHI_")} | {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": self.url,
            "FAZHI_EVIDENCE_DIR": str(self.files),
            "FAZHI_CHECKPOINT_KEY_FILE": str(self.files.parent / "no-key.pem"),
        }
        return subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)

    def count(self) -> int:
        if connection.vendor == "sqlite":
            with sqlite3.connect(self.path) as db:
                return int(db.execute("SELECT COUNT(*) FROM reconsideration_reconsiderationcase").fetchone()[0])
        done = self.run("shell", "--no-imports", "-c", "from fazhi.registers.reconsideration.models import ReconsiderationCase as R; print(R.objects.count())")
        return int(done.stdout.strip().splitlines()[-1])

    def drop(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def target(tmp_path: Path, transactional_db: Any) -> Any:
    t = Target(tmp_path)
    yield t
    t.drop()


def test_a_backup_restores_on_a_fresh_database_and_verifies(org: Org, make_case: Any, tmp_path: Path, target: Target) -> None:
    _data(org, make_case)
    source = _backup(tmp_path)
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    size, root = tree_root()
    assert manifest["audit"] == {"size": size, "root": root.hex()} and size > 0
    assert any(name.startswith("files/") for name in manifest["files"])
    restored = target.run("restore", str(source))
    assert restored.returncode == 0, restored.stderr
    assert f"全过程记录 {size} 条校验通过" in restored.stdout
    verified = target.run("audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert target.count() == ReconsiderationCase.objects.count() == 2
    # the restored files are the stored ones, byte for byte
    assert sorted(p.name for p in target.files.rglob("*") if p.is_file()) == sorted(p.name for p in (source / "files").rglob("*") if p.is_file())
    # a second restore onto the now full database is refused
    again = target.run("restore", str(source))
    assert again.returncode != 0 and "已有数据" in again.stderr


def test_a_changed_or_missing_file_is_refused_before_anything_is_written(org: Org, make_case: Any, tmp_path: Path, transactional_db: Any) -> None:
    _data(org, make_case)
    source = _backup(tmp_path)
    changed = tmp_path / "changed"
    shutil.copytree(source, changed)
    stored = next(p for p in (changed / "files").rglob("*") if p.is_file())
    stored.write_bytes(stored.read_bytes() + b"x")
    with pytest.raises(BackupError, match="校验值不符"):
        backup_check(changed)
    missing = tmp_path / "missing"
    shutil.copytree(source, missing)
    next(p for p in (missing / "files").rglob("*") if p.is_file()).unlink()
    with pytest.raises(BackupError, match="缺少文件"):
        backup_check(missing)
    with pytest.raises(CommandError, match="不是空目录"):
        call_command("backup", str(source), stdout=StringIO(), stderr=StringIO())


def test_a_backup_of_a_forged_database_is_refused_by_the_audit_log_and_leaves_nothing(org: Org, make_case: Any, tmp_path: Path, target: Target) -> None:
    _data(org, make_case)
    # a row changed behind the services' back: the checksums of the backup will agree with it
    (lilei,) = [c.pk for c in ReconsiderationCase.objects.all() if c.applicant_name == "李雷"]  # encrypted: not a query
    ReconsiderationCase.objects.filter(pk=lilei).update(applicant_name="王五")
    source = _backup(tmp_path)
    backup_check(source)
    restored = target.run("restore", str(source))
    assert restored.returncode != 0 and "未通过全过程记录校验" in restored.stderr
    assert "王五" not in restored.stderr  # the report names records and fields, never a value
    tables = target.run("shell", "--no-imports", "-c", "from django.db import connection; print(len(connection.introspection.table_names()))")
    assert tables.stdout.strip().splitlines()[-1] == "0"  # nothing left behind
