"""Documents issued at the steps of a matter: numbered gap-free, filled from the record and the dated
rules, frozen by content with an audit leaf, refused when the step lacks a value, verifiable."""

from __future__ import annotations

import io
import string
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import DatabaseError, transaction
from docx import Document

from conftest import do
from fazhi.audit.models import AuditLeaf
from fazhi.audit.services import audit_verify, checkpoint_take
from fazhi.core.errors import ValidationFailed
from fazhi.core.files import file_path
from fazhi.documents import services
from fazhi.documents.definition import templates
from fazhi.documents.models import IssuedDocument
from fazhi.registers.framework.models import MatterEvent
from fazhi.registers.framework.registry import REGISTRY

pytestmark = pytest.mark.django_db

SPECIAL = {"unit", "case_number", "number", "issued_on", "outcome", "period", "reference"}


def test_every_shipped_template_names_its_registers_fields_steps_and_rules() -> None:
    from fazhi.law.clocks import clock_rules
    from fazhi.registers.framework.workflow import workflow_get

    assert templates(), "no templates shipped"
    for t in templates().values():
        # a register's template, or a workflow's letter (definitions/workflows: the 督察 lead)
        reg = REGISTRY[t.register] if t.register in REGISTRY else workflow_get(t.register)
        fields = {f.name for f in reg.model._meta.get_fields()}
        assert t.step == "register" or t.step in reg.definition.transitions, t.key
        for name in t.names():
            root = name.split("[")[0].split("__")[0]
            assert root in fields or root in SPECIAL, (t.key, name)
            if root in ("period", "reference"):
                assert name[len(root) + 1 : -1] in clock_rules(), (t.key, name)
        assert t.addressee in fields or not t.addressee.isascii(), t.key  # a field, or written out in Chinese
        assert not t.email or t.email in fields, t.key


def accepted(make_case: Any, org: Any) -> Any:
    case = make_case()
    do(case, "accept", org.alice, accepted_on="2025-09-30", procedure="ordinary")
    case.refresh_from_db()
    return case


def test_acceptance_issues_the_notice_numbered_per_unit_series_and_year(org: Any, make_case: Any) -> None:
    first, second = accepted(make_case, org), accepted(make_case, org)
    a, b = services.documents_of("reconsideration", first.pk).get(), services.documents_of("reconsideration", second.pk).get()
    assert a.title == "行政复议受理通知书" and a.number.endswith("复受字〔2025〕1号") and b.number.endswith("复受字〔2025〕2号")
    assert a.event_id == MatterEvent.objects.get(object_id=first.pk, transition="accept").pk
    text = "\n".join(a.paragraphs)
    assert first.applicant_name == a.addressee and "2025年9月30日" in text and first.respondent_name in text and "普通程序" in text
    assert "{" not in text and "}" not in text
    # the DOCX is stored by content and carries the number, the text and the verification code
    stored = file_path(a.docx_sha256).read_bytes()
    docx_text = "\n".join(p.text for p in Document(io.BytesIO(stored)).paragraphs)
    assert a.number in docx_text and a.paragraphs[0] in docx_text and f"验证码 {a.code}" in docx_text
    assert AuditLeaf.objects.filter(source="document", source_id=a.pk).exists()


def test_the_remedy_sentence_comes_from_the_dated_rule(org: Any, make_case: Any) -> None:
    case = make_case()
    do(case, "reject_at_intake", org.bob, decided_on="2025-09-30", decision_reason="申请人与被申请的行政行为没有利害关系")
    doc = services.documents_of("reconsideration", case.pk).get()
    assert doc.paragraphs[-1] == "你（单位）对本决定不服的，可以自收到本决定书之日起十五日内，依法向人民法院提起行政诉讼。"
    assert services.period_text("remedy.sue_directly", __import__("datetime").date(2014, 1, 1)) == "三个月"
    assert services.period_text("remedy.sue_directly", __import__("datetime").date(2016, 1, 1)) == "六个月"


def test_a_step_whose_document_lacks_a_value_is_refused_and_nothing_is_written(org: Any, make_case: Any, tmp_path: Path, settings: Any) -> None:
    """A region's template asks for a value the step does not record: the step is refused before anything is written."""
    folder = tmp_path / "reconsideration"
    folder.mkdir()
    source = (Path(settings.FAZHI_DEFINITIONS_DIR) / "documents" / "reconsideration" / "acceptance_notice.yaml").read_text(encoding="utf-8")
    (folder / "acceptance_notice.yaml").write_text(source.replace("适用{procedure}审理", "适用{procedure}审理，承办人{hearing_on}"), encoding="utf-8")
    settings.FAZHI_DOCUMENT_TEMPLATE_DIRS = [tmp_path, *settings.FAZHI_DOCUMENT_TEMPLATE_DIRS]
    templates.cache_clear()
    try:
        case = make_case()
        events, leaves = MatterEvent.objects.count(), AuditLeaf.objects.count()
        with pytest.raises(ValidationFailed, match="生成《行政复议受理通知书》需要“听证日期”"):
            do(case, "accept", org.alice, accepted_on="2025-09-30", procedure="ordinary")
        case.refresh_from_db()
        assert case.state == "received" and MatterEvent.objects.count() == events and AuditLeaf.objects.count() == leaves
        assert not IssuedDocument.objects.exists()
    finally:
        templates.cache_clear()


def test_documents_are_append_only_and_a_changed_file_or_row_fails_verification(org: Any, make_case: Any) -> None:
    case = accepted(make_case, org)
    doc = services.documents_of("reconsideration", case.pk).get()
    checkpoint_take()
    assert audit_verify().problems == []
    with pytest.raises(DatabaseError), transaction.atomic():
        IssuedDocument.objects.filter(pk=doc.pk).update(title="改")
    path = file_path(doc.docx_sha256)
    original = path.read_bytes()
    try:
        path.write_bytes(original + b"x")
        assert any(doc.number in p and "文件" in p for p in audit_verify().problems)
    finally:
        path.write_bytes(original)
    assert audit_verify().problems == []


def test_verification_by_code_and_by_file(org: Any, make_case: Any) -> None:
    case = accepted(make_case, org)
    doc = services.documents_of("reconsideration", case.pk).get()
    verdict = services.verify_code(doc.code.replace("-", "").lower())
    assert verdict.ok and doc.number in verdict.message and org.body.name in verdict.message
    assert case.applicant_name not in verdict.message
    assert not services.verify_code("AAAA-BBBB-CCCC").found
    original = file_path(doc.docx_sha256).read_bytes()
    assert services.verify_file(original).ok
    # the same document with one paragraph changed: it carries the code, its bytes differ
    changed = Document(io.BytesIO(original))
    body = next(p for p in changed.paragraphs if "予以受理" in p.text)
    body.text = body.text.replace("予以受理", "不予受理")
    out = io.BytesIO()
    changed.save(out)
    verdict = services.verify_file(out.getvalue())
    assert verdict.found and not verdict.ok and "已被改动" in verdict.message
    assert not services.verify_file(b"%PDF-1.4 nothing here").found


def test_ledger_imports_and_suppressed_steps_issue_nothing(org: Any, make_case: Any) -> None:
    with services.documents_suppressed():
        case = accepted(make_case, org)
    assert not services.documents_of("reconsideration", case.pk).exists()


def test_the_templates_use_only_valid_placeholders() -> None:
    for t in templates().values():
        for text in (t.title, *(p.text for p in t.paragraphs), t.remedy):
            list(string.Formatter().parse(text))
    assert settings.FAZHI_DOCUMENT_TEMPLATE_DIRS[-1].name == "documents"
