"""Issuing documents at a step, freezing them, and verifying a document someone holds.

At a register step (or the creation of a matter) whose template condition holds, the document is
written in the step's transaction: its number taken from the unit's gap-free series, its text
filled from the matter and the dated rules, its DOCX (GB/T 9704 layout, with the number, the
verification code and a QR code of the portal's verification page) stored by content, and one
audit leaf binding the step's event, the number, the text and the DOCX's SHA-256. A template that
needs a value the step did not record refuses the step, naming the field; nothing is written.
The PDF is rendered (LibreOffice) the first time it is asked for and frozen the same way.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import datetime as dt
import decimal
import hashlib
import hmac
import io
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import cn2an
import segno
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.utils import timezone
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from fazhi.audit.services import audit_append
from fazhi.core.canonical import canonical_bytes, keyed_digest
from fazhi.core.errors import ValidationFailed
from fazhi.core.files import file_read, file_store
from fazhi.core.models import Unit
from fazhi.core.types import Actor, actor_row_or_none
from fazhi.documents.definition import DocumentTemplate, templates_for
from fazhi.documents.layout import BODY, BODY_FONT, body_add, closing_add, document_new, font, layout, title_add
from fazhi.documents.models import DocumentSequence, IssuedDocument, Rendition
from fazhi.law.clocks import clock_rules

LEAF = "document"
RENDITION_LEAF = "document_rendition"

_suppressed: contextvars.ContextVar[dt.date | None] = contextvars.ContextVar("documents_suppressed", default=None)


@contextlib.contextmanager
def documents_suppressed(before: dt.date = dt.date.max) -> Iterator[None]:
    """Steps taken inside, dated before ``before`` (all by default), issue no documents: the demo's
    year of history (whose letters went out on paper), a bulk replay."""
    token = _suppressed.set(before)
    try:
        yield
    finally:
        _suppressed.reset(token)


def issuing_suppressed(on: dt.date) -> bool:
    """Whether a step dated ``on`` issues no documents here (inside :func:`documents_suppressed`)."""
    before = _suppressed.get()
    return before is not None and on < before


# --- values ---------------------------------------------------------------------------------


def date_cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


_UNITS = {"calendar_days": "日", "working_days": "个工作日", "months": "个月"}


def period_text(rule_id: str, on: dt.date) -> str:
    """A statutory period as a document states it, from the clock rule in force on the day: 十五日."""
    rule = clock_rules().get(rule_id)
    value = rule.value_on(on) if rule else None
    if value is None:
        raise KeyError(rule_id)
    return f"{cn2an.an2cn(value.length)}{_UNITS.get(value.unit, '日')}"


def reference_text(rule_id: str, on: dt.date) -> str:
    rule = clock_rules().get(rule_id)
    value = rule.value_on(on) if rule else None
    if value is None:
        raise KeyError(rule_id)
    return value.reference


def _display(obj: models.Model, name: str) -> str:
    f = obj._meta.get_field(name)
    value = getattr(obj, name)
    if value in (None, ""):
        return ""
    if isinstance(f, models.ForeignKey):
        return str(getattr(value, "name", value))
    choices = getattr(f, "choices", None)
    if choices:
        return str(dict(choices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return date_cn(timezone.localtime(value).date())
    if isinstance(value, dt.date):
        return date_cn(value)
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value).strip()


def _follow(matter: models.Model, key: str) -> tuple[models.Model, str]:
    """``power_item__legal_basis``: the related record a placeholder names, and its field."""
    *path, name = key.split("__")
    obj = matter
    for step in path:
        obj = getattr(obj, step)
    return obj, name


class _Values(dict[str, Any]):
    """What a template's placeholders resolve to; records the names it could not fill."""

    def __init__(self, matter: models.Model, extra: dict[str, str], on: dt.date) -> None:
        super().__init__()
        self.matter, self.extra, self.on = matter, extra, on
        self.missing: list[str] = []

    def __missing__(self, key: str) -> Any:
        if key == "period":
            return _RuleLookup(period_text, self.on, self.missing)
        if key == "reference":
            return _RuleLookup(reference_text, self.on, self.missing)
        if key in self.extra:
            value = self.extra[key]
        else:
            try:
                value = _display(*_follow(self.matter, key))
            except (FieldDoesNotExist, AttributeError):  # not a field of the record: named as missing below
                value = ""
        if not value:
            self.missing.append(key)
        return value


class _RuleLookup:
    def __init__(self, fn: Callable[[str, dt.date], str], on: dt.date, missing: list[str]) -> None:
        self.fn, self.on, self.missing = fn, on, missing

    def __getitem__(self, rule: str) -> str:
        try:
            return self.fn(rule, self.on)
        except KeyError:
            self.missing.append(f"rule:{rule}")
            return ""


def _applies(when: dict[str, tuple[str, ...]], matter: models.Model) -> bool:
    for name, accepted in when.items():
        value = getattr(matter, name, None)
        text = str(value).lower() if isinstance(value, bool) else ("" if value is None else str(value))
        if not any(a == text or (a == "*" and text) for a in accepted):
            return False
    return True


def _label(matter: models.Model, name: str) -> str:
    if name.startswith("rule:"):
        return f"期限规则 {name[5:]}"
    try:
        *path, last = name.split("__")
        model: Any = type(matter)
        labels = []
        for step in path:
            f = model._meta.get_field(step)
            labels.append(str(f.verbose_name))
            model = f.related_model
        return "的".join([*labels, str(getattr(model._meta.get_field(last), "verbose_name", last))])
    except (FieldDoesNotExist, AttributeError):
        return name


def text_fill(t: DocumentTemplate, matter: models.Model, extra: dict[str, str], on: dt.date) -> tuple[str, list[str], str]:
    """(title, paragraphs, remedy) filled; refused naming every value the step did not record."""
    values = _Values(matter, extra, on)
    fmt = string.Formatter()
    title = fmt.vformat(t.title, (), values)
    paragraphs = [fmt.vformat(p.text, (), values) for p in t.paragraphs if _applies(p.when, matter)]
    remedy = fmt.vformat(t.remedy, (), values) if t.remedy else ""
    if values.missing:
        names = "、".join(dict.fromkeys(f"“{_label(matter, n)}”" for n in values.missing))
        raise ValidationFailed({"__all__": [f"生成《{t.title}》需要{names}，本步骤没有记录，请补充后再办理"]})
    return title, paragraphs, remedy


# --- numbers and codes ----------------------------------------------------------------------


def number_next(unit: Unit, series: str, year: int) -> tuple[int, str]:
    seq, _ = DocumentSequence.objects.select_for_update().get_or_create(unit=unit, series=series, year=year)
    seq.last_value += 1
    seq.save(update_fields=["last_value"])
    return seq.last_value, f"{unit.short_name}{series}〔{year}〕{seq.last_value}号"


def code_for(number: str, text_digest: str) -> str:
    """The verification code printed on the document: 12 characters, keyed (not guessable)."""
    mac = hmac.new(settings.FAZHI_AUDIT_KEY.encode("utf-8"), f"document\x1f{number}\x1f{text_digest}".encode(), hashlib.sha256).digest()
    raw = base64.b32encode(mac[:10]).decode("ascii")[:12]
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def verify_url(code: str) -> str:
    return f"{settings.FAZHI_PUBLIC_URL.rstrip('/')}/gongkai/yanzheng/?code={code}"


# --- rendering ------------------------------------------------------------------------------


def docx_render(doc: IssuedDocument, remedy_included: bool = True) -> bytes:
    """The document in the GB/T 9704 layout: title, number, addressee, text, issuer and date, then
    the verification code with the QR code of the portal's verification page."""
    d = document_new()
    title_add(d, doc.title)
    number = d.paragraphs[-1]
    layout(number, indent_chars=0, align=WD_ALIGN_PARAGRAPH.CENTER)
    font(number.add_run(doc.number), BODY_FONT, BODY)
    layout(d.add_paragraph(), indent_chars=0)
    if doc.addressee:
        body_add(d, f"{doc.addressee}：", indent_chars=0)
    for text in doc.paragraphs:
        body_add(d, text)
    closing_add(d, doc.unit.name, doc.issued_on)
    layout(d.add_paragraph(), indent_chars=0)
    qr = io.BytesIO()
    segno.make(verify_url(doc.code), error="m", boost_error=False, mask=0).save(qr, kind="png", scale=4, border=2)
    qr.seek(0)
    p = d.add_paragraph()
    layout(p, indent_chars=0, align=WD_ALIGN_PARAGRAPH.LEFT)
    p.paragraph_format.line_spacing = None
    p.add_run().add_picture(qr, width=Mm(22))
    note = d.add_paragraph()
    layout(note, indent_chars=0, align=WD_ALIGN_PARAGRAPH.LEFT)
    note.paragraph_format.line_spacing = Pt(18)
    font(note.add_run(f"验证码 {doc.code}　可在 {settings.FAZHI_PUBLIC_URL.rstrip('/')}/gongkai/yanzheng/ 查验本文书"), BODY_FONT, Pt(10.5))
    core = d.core_properties
    core.title = doc.title
    core.author = doc.unit.name
    core.subject = doc.number
    core.comments = f"验证码 {doc.code}"
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


# --- the audit leaves -----------------------------------------------------------------------


def _digest(doc_id: int, field: str, value: str) -> str:
    return keyed_digest(doc_id, field, value) if value else value


def document_leaf_bytes(doc: IssuedDocument) -> bytes:
    return canonical_bytes(
        {
            "v": 1,
            "document": doc.pk,
            "template": doc.template,
            "title": doc.title,
            "number": doc.number,
            "register": doc.register,
            "object": doc.object_id,
            "case_number": doc.case_number,
            "event": doc.event_id,
            "step": doc.step,
            "unit": doc.unit_id,
            "addressee": _digest(doc.pk, "addressee", doc.addressee),  # a person's name: bound, not disclosed
            "issued_on": doc.issued_on,
            "issued_at": doc.issued_at,
            "issued_by": doc.issued_by_id,
            "paragraphs": _digest(doc.pk, "paragraphs", "\n".join(doc.paragraphs)),
            "basis": doc.basis,
            "docx_sha256": doc.docx_sha256,
            "code": doc.code,
            "replaces": doc.replaces_id,
        }
    )


def document_reencode(ids: list[int]) -> dict[int, bytes]:
    return {d.pk: document_leaf_bytes(d) for d in IssuedDocument.objects.filter(pk__in=ids)}


def rendition_leaf_bytes(r: Rendition) -> bytes:
    return canonical_bytes({"v": 1, "rendition": r.pk, "document": r.document_id, "kind": r.kind, "sha256": r.sha256, "created_at": r.created_at})


def rendition_reencode(ids: list[int]) -> dict[int, bytes]:
    return {r.pk: rendition_leaf_bytes(r) for r in Rendition.objects.filter(pk__in=ids)}


def files_check(progress: Callable[[int], None] | None = None) -> tuple[int, list[str]]:
    """Every issued document's files are stored and unchanged (the bytes still give the digest)."""
    problems: list[str] = []
    count = 0
    for number, sha in IssuedDocument.objects.values_list("number", "docx_sha256").iterator(chunk_size=2000):
        count += 1
        if file_read(sha) is None:
            problems.append(f"文书 {number} 的文件缺失或已被改动")
    for number, sha in Rendition.objects.values_list("document__number", "sha256").iterator(chunk_size=2000):
        count += 1
        if file_read(sha) is None:
            problems.append(f"文书 {number} 的 PDF 文件缺失或已被改动")
    if progress:
        progress(count)
    return count, problems


def files_count() -> int:
    return IssuedDocument.objects.count() + Rendition.objects.count()


# --- issuing --------------------------------------------------------------------------------


def document_issue(
    t: DocumentTemplate,
    *,
    matter: models.Model,
    unit: Unit,
    case_number: str,
    on: dt.date,
    actor: Actor | None,
    event_id: int | None,
    extra: dict[str, str] | None = None,
    replaces: IssuedDocument | None = None,
) -> IssuedDocument:
    """Issue one document inside the caller's (the step's) transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("document_issue must run inside the step's transaction")
    outcome = _outcome_label(matter)
    base = {"unit": unit.name, "case_number": case_number, "issued_on": date_cn(on), "outcome": outcome, **(extra or {})}
    title, paragraphs, remedy = text_fill(t, matter, base | {"number": "{number}"}, on)
    # the field naming the addressee, or the addressee written out (a circular: 各有关单位)
    addressee = _display(matter, t.addressee) if t.addressee in {f.name for f in matter._meta.get_fields()} else base.get(t.addressee, t.addressee)
    typed = str(getattr(matter, t.number_field, "") or "").strip() if t.number_field else ""
    if typed:  # the number the step recorded (a 决定书文号): one document, one number
        if IssuedDocument.objects.filter(number=typed).exists():
            raise ValidationFailed({t.number_field: [f"文号 {typed} 已用于另一份文书"]})
        seq, number = 0, typed
    else:
        seq, number = number_next(unit, t.series, on.year)
    paragraphs = [p.replace("{number}", number) for p in paragraphs] + ([remedy] if remedy else [])
    text_digest = hashlib.sha256("\n".join([title, *paragraphs]).encode("utf-8")).hexdigest()
    doc = IssuedDocument(
        template=t.key,
        title=title,
        number=number,
        series=t.series,
        year=on.year,
        sequence=seq,
        register=t.register,
        object_id=matter.pk,
        case_number=case_number,
        event_id=event_id,
        step=t.step,
        unit=unit,
        addressee=addressee,
        issued_on=on,
        issued_at=timezone.now(),
        issued_by=actor_row_or_none(actor),
        paragraphs=paragraphs,
        basis=t.basis,
        code=code_for(number, text_digest),
        replaces=replaces,
    )
    doc.docx_sha256 = file_store(docx_render(doc))
    doc.save()
    audit_append(source=LEAF, source_id=doc.pk, data=document_leaf_bytes(doc))
    from fazhi.documents.notify import notify_on_commit

    email = str(getattr(matter, t.email, "") or "").strip() if t.email else ""
    phone = str(getattr(matter, t.sms, "") or "").strip() if t.sms else ""
    notify_on_commit(doc, email=email, phone=phone)
    return doc


def _outcome_label(matter: models.Model) -> str:
    from fazhi.registers.framework.registry import REGISTRY

    reg = REGISTRY.get(getattr(type(matter), "register_name", ""))
    if reg is None or not reg.definition.outcome_field:
        return ""
    code = getattr(matter, reg.definition.outcome_field, "") or ""
    outcome = reg.definition.outcomes.get(code)
    return outcome.label if outcome else ""


def documents_at_step(reg: Any, matter: Any, step: str, event: Any, imported: bool) -> None:
    """Step observer: issue the documents the register's templates declare for this step."""
    before = _suppressed.get()
    if imported or (before is not None and event.event_date < before):
        return
    for t in templates_for(reg.name, step):
        if _applies(t.when, matter):
            document_issue(t, matter=matter, unit=matter.unit, case_number=matter.case_number, on=event.event_date, actor=event.actor, event_id=event.pk)


def documents_at_workflow_step(workflow: str, obj: Any, action: str, event: Any) -> None:
    """Workflow observer: the letters a workflow's step issues (definitions/documents/<workflow>/),
    numbered in the series of the workflow's unit, bound to the step's event."""
    on = event.event_date or timezone.localdate()
    if issuing_suppressed(on):
        return
    templates = [t for t in templates_for(workflow, action) if _applies(t.when, obj)]
    if not templates:
        return
    from fazhi.registers.framework.workflow import workflow_get

    d = workflow_get(workflow).definition
    unit = getattr(obj, d.unit_field)
    reference = str(getattr(obj, "reference", "") or getattr(obj, "case_number", "") or f"{d.label}{obj.pk}")[:60]
    for t in templates:
        document_issue(t, matter=obj, unit=unit, case_number=reference, on=on, actor=event.actor, event_id=event.pk)


def documents_of(register: str, object_id: int) -> models.QuerySet[IssuedDocument]:
    return IssuedDocument.objects.filter(register=register, object_id=object_id).select_related("unit", "replaces").order_by("id")


# --- renditions and verification ------------------------------------------------------------


def docx_bytes(doc: IssuedDocument) -> bytes:
    content = file_read(doc.docx_sha256)
    if content is None:
        raise ValidationFailed({"__all__": [f"文书 {doc.number} 的文件缺失或已被改动，请联系系统管理员"]})
    return content


def document_pdf(doc: IssuedDocument) -> bytes:
    """The PDF, rendered from the frozen DOCX the first time and frozen itself (an audit leaf)."""
    return documents_pdf([doc])[0]


def documents_pdf(docs: list[IssuedDocument]) -> list[bytes]:
    """The documents' PDFs in order: the frozen ones as frozen, the others rendered together in one
    LibreOffice run and frozen (one ``Rendition`` and one audit leaf each)."""
    out: dict[int, bytes] = {}
    frozen = {r.document_id: r for r in Rendition.objects.filter(document__in=[d.pk for d in docs], kind="pdf")}
    todo = []
    for doc in docs:
        r = frozen.get(doc.pk)
        if r is None:
            todo.append(doc)
            continue
        content = file_read(r.sha256)
        if content is None:
            raise ValidationFailed({"__all__": [f"文书 {doc.number} 的 PDF 文件缺失或已被改动，请联系系统管理员"]})
        out[doc.pk] = content
    if todo:
        from fazhi.documents.pdf import docx_to_pdf_many

        rendered = docx_to_pdf_many([docx_bytes(doc) for doc in todo])
        with transaction.atomic():
            for doc, content in zip(todo, rendered, strict=True):
                locked = IssuedDocument.objects.select_for_update().get(pk=doc.pk)
                again = Rendition.objects.filter(document=locked, kind="pdf").first()
                if again is not None:  # rendered meanwhile by another request: that one is the document
                    out[doc.pk] = file_read(again.sha256) or content
                    continue
                r = Rendition.objects.create(document=locked, kind="pdf", sha256=file_store(content), created_at=timezone.now())
                audit_append(source=RENDITION_LEAF, source_id=r.pk, data=rendition_leaf_bytes(r))
                out[doc.pk] = content
    return [out[d.pk] for d in docs]


@dataclass
class Verdict:
    """What the verification page says. Never a natural person's data."""

    found: bool
    message: str
    document: IssuedDocument | None = None
    replaced_by: IssuedDocument | None = None
    file_matches: bool | None = None  # for an uploaded file: the bytes are the document's

    @property
    def ok(self) -> bool:
        return self.found and self.file_matches is not False and self.replaced_by is None


def _verdict(doc: IssuedDocument, file_matches: bool | None = None) -> Verdict:
    later = IssuedDocument.objects.filter(replaces=doc).order_by("id").first()
    head = f"《{doc.title}》{doc.number}，由{doc.unit.name}于{date_cn(doc.issued_on)}通过本平台出具"
    if file_matches is False:
        return Verdict(True, f"{head}；但您上传的文件与出具的文书不一致，文件已被改动。", doc, later, False)
    tail = f"；该文书已被更正，以{later.number}为准。" if later else "。"
    return Verdict(True, head + tail, doc, later, file_matches)


def verify_code(code: str) -> Verdict:
    code = code.strip().upper().replace(" ", "")
    if len(code) == 12:
        code = "-".join(code[i : i + 4] for i in range(0, 12, 4))
    doc = IssuedDocument.objects.select_related("unit").filter(code=code).first()
    if doc is None:
        return Verdict(False, "没有找到该验证码对应的文书：请核对验证码，或该文书并非本平台出具。")
    return _verdict(doc)


def verify_file(content: bytes) -> Verdict:
    """An uploaded PDF or DOCX: the very file issued (its SHA-256), or a file carrying a document's
    verification code whose bytes differ (changed), or unknown."""
    sha = hashlib.sha256(content).hexdigest()
    doc = IssuedDocument.objects.select_related("unit").filter(docx_sha256=sha).first()
    if doc is None:
        r = Rendition.objects.select_related("document", "document__unit").filter(sha256=sha).first()
        doc = r.document if r else None
    if doc is not None:
        return _verdict(doc, True)
    code = _code_in(content)
    if code:
        found = IssuedDocument.objects.select_related("unit").filter(code=code).first()
        if found is not None:
            return _verdict(found, False)
    return Verdict(False, "该文件不是本平台出具的文书，或无法识别其中的验证码。", file_matches=False)


def _code_in(content: bytes) -> str:
    """The verification code printed in a PDF or DOCX (its text), if any."""
    import re

    from fazhi.core.sandbox import SandboxFailed, run_limited

    job = "pdf_text" if content[:4] == b"%PDF" else "docx_text" if content[:2] == b"PK" else ""
    if not job:
        return ""
    try:
        # in a child process under memory and time limits: this page is public, the file anyone's
        text: str = run_limited(job, content)
    except SandboxFailed:
        return ""
    m = re.search(r"验证码\s*([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})", text)
    return m.group(1) if m else ""
