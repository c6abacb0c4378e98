"""fazhi documents verify FILE [--against CHECKPOINT] and fazhi documents render."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from conftest import do
from fazhi.audit.services import checkpoint_take
from fazhi.audit.testing import append_only_bypass
from fazhi.core.files import file_path
from fazhi.documents import services
from fazhi.documents.models import IssuedDocument, Rendition

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("documents", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def witness(tmp_path: Path, settings: Any) -> Path:
    settings.FAZHI_CHECKPOINT_KEY_FILE = tmp_path / "keys" / "checkpoint.pem"
    settings.FAZHI_WITNESS_DIR = tmp_path / "witness"
    call_command("audit", "keygen", stdout=StringIO())
    return Path(settings.FAZHI_WITNESS_DIR)


def signed_checkpoint(tmp_path: Path, django_capture_on_commit_callbacks: Any, name: str = "kept.checkpoint") -> Path:
    with django_capture_on_commit_callbacks(execute=True):
        cp = checkpoint_take()
    kept = tmp_path / name
    kept.write_text(cp.note, encoding="utf-8")
    return kept


def issued(org: Any, make_case: Any) -> IssuedDocument:
    case = make_case()
    do(case, "accept", org.alice, accepted_on="2025-09-30", procedure="ordinary")
    return services.documents_of("reconsideration", case.pk).get()


def test_verify_a_file_by_its_digest_and_refuse_a_changed_one(org: Any, make_case: Any, tmp_path: Path) -> None:
    doc = issued(org, make_case)
    original = tmp_path / "notice.docx"
    original.write_bytes(file_path(doc.docx_sha256).read_bytes())
    out = run("verify", str(original))
    assert doc.number in out and "查验通过" in out and doc.addressee not in out
    changed = tmp_path / "changed.docx"
    changed.write_bytes(original.read_bytes() + b"\0")
    with pytest.raises(CommandError, match="查验未通过"):
        run("verify", str(changed))
    with pytest.raises(CommandError, match="找不到文件"):
        run("verify", str(tmp_path / "absent.pdf"))


def test_verify_against_a_signed_checkpoint_proves_inclusion(
    org: Any, make_case: Any, tmp_path: Path, witness: Path, django_capture_on_commit_callbacks: Any
) -> None:
    doc = issued(org, make_case)
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(services.document_pdf(doc))  # frozen: its own leaf
    docx = tmp_path / "notice.docx"
    docx.write_bytes(file_path(doc.docx_sha256).read_bytes())
    kept = signed_checkpoint(tmp_path, django_capture_on_commit_callbacks)
    out = run("verify", str(pdf), "--against", str(kept))
    assert "包含在检查点中" in out and "PDF包含在检查点中" in out and "查验通过" in out
    assert "包含在检查点中" in run("verify", str(docx), "--against", str(kept))

    # a document issued after the checkpoint: the checkpoint cannot prove it
    later = issued(org, make_case)
    later_file = tmp_path / "later.docx"
    later_file.write_bytes(file_path(later.docx_sha256).read_bytes())
    err = StringIO()
    with pytest.raises(CommandError, match="查验未通过"):
        call_command("documents", "verify", str(later_file), "--against", str(kept), stdout=err, stderr=StringIO())
    assert "检查点之后" in err.getvalue()

    # the row rewritten behind the log's back (its append-only trigger dropped): the leaf no longer matches
    append_only_bypass("documents_issueddocument")
    with connection.cursor() as c:
        c.execute("UPDATE documents_issueddocument SET basis = 'x' WHERE id = %s", [doc.pk])
    out = StringIO()
    with pytest.raises(CommandError, match="查验未通过"):
        call_command("documents", "verify", str(docx), "--against", str(kept), stdout=out, stderr=StringIO())
    assert "记录已被改动" in out.getvalue()


def test_a_forged_or_foreign_checkpoint_is_refused(org: Any, make_case: Any, tmp_path: Path, witness: Path, django_capture_on_commit_callbacks: Any) -> None:
    doc = issued(org, make_case)
    docx = tmp_path / "notice.docx"
    docx.write_bytes(file_path(doc.docx_sha256).read_bytes())
    kept = signed_checkpoint(tmp_path, django_capture_on_commit_callbacks)
    forged = tmp_path / "forged.checkpoint"
    lines = kept.read_text(encoding="utf-8").split("\n")
    lines[1] = str(int(lines[1]) + 1)
    forged.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(CommandError, match="检查点"):
        run("verify", str(docx), "--against", str(forged))


def test_render_freezes_a_days_pdfs_with_progress(org: Any, make_case: Any) -> None:
    docs = [issued(org, make_case) for _ in range(2)]
    assert not Rendition.objects.exists()
    out = run("render", "--date", "2025-09-30", "--unit", org.body.code)
    assert "文书 2 份，本次生成 PDF 2 份" in out
    assert Rendition.objects.filter(document__in=docs, kind="pdf").count() == 2
    assert "本次生成 PDF 0 份，此前已生成 2 份" in run("render", "--date", "2025-09-30")
    assert "文书 0 份" in run("render", "--date", "2025-09-30", "--unit", org.dept.code)
    assert "文书 0 份" in run("render", "--date", dt.date(2001, 1, 1).isoformat())
    with pytest.raises(CommandError, match="出具日期格式不正确"):
        run("render", "--date", "30/09/2025")
    with pytest.raises(CommandError, match="没有单位编码"):
        run("render", "--unit", "NOPE")
