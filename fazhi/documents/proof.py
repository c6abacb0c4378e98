"""A document someone holds, proved against a signed checkpoint kept outside the database.

The file's SHA-256 names the document (its DOCX) or its frozen PDF; the audit leaf that binds that
SHA-256 is re-encoded from the row and its inclusion in the checkpoint's tree is computed from the
stored nodes and checked against the checkpoint's signed root (RFC 9162 inclusion proof). A row,
a leaf or a node changed after the checkpoint was signed makes the proof fail.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist

from fazhi.audit import merkle, signing
from fazhi.audit.models import AuditLeaf
from fazhi.audit.services import NodeStore
from fazhi.documents import services
from fazhi.documents.models import IssuedDocument, Rendition


@dataclass
class Inclusion:
    ok: bool
    lines: list[str] = field(default_factory=list)


def _leaf_proved(source: str, source_id: int, data: bytes, note: signing.Note, what: str) -> tuple[bool, str]:
    leaf = AuditLeaf.objects.filter(source=source, source_id=source_id).first()
    if leaf is None:
        return False, f"{what}不在全过程记录中"
    if bytes(leaf.data) != data:
        return False, f"{what}的记录与全过程记录中的叶子不一致（记录已被改动）"
    if leaf.index >= note.size:
        return False, f"{what}记录于该检查点之后（叶子 {leaf.index}，检查点大小 {note.size}），请用更新的检查点查验"
    try:
        path = merkle.inclusion_proof(leaf.index, note.size, NodeStore())
        merkle.verify_inclusion(leaf.index, note.size, merkle.leaf_hash(data), path, note.root)
    except (merkle.ProofError, ObjectDoesNotExist, ValueError):  # a missing node is a failed proof too
        return False, f"{what}的包含证明不成立：记录或日志节点在检查点签名之后被改动"
    return True, f"{what}包含在检查点中（叶子 {leaf.index}，检查点大小 {note.size}，证明路径 {len(path)} 个节点）"


def inclusion_check(content: bytes, note: signing.Note) -> Inclusion:
    """Is this very file (DOCX or frozen PDF) bound by a leaf included in the signed checkpoint?"""
    import hashlib

    sha = hashlib.sha256(content).hexdigest()
    doc = IssuedDocument.objects.filter(docx_sha256=sha).first()
    rendition = None
    if doc is None:
        rendition = Rendition.objects.select_related("document").filter(sha256=sha).first()
        doc = rendition.document if rendition else None
    if doc is None:
        return Inclusion(False, ["该文件不是本平台出具的文书文件，无法在检查点中证明"])
    out = Inclusion(True)
    checks = [(services.LEAF, doc.pk, services.document_leaf_bytes(doc), f"文书 {doc.number}")]
    if rendition is not None:
        checks.append((services.RENDITION_LEAF, rendition.pk, services.rendition_leaf_bytes(rendition), f"文书 {doc.number} 的 PDF"))
    for source, source_id, data, what in checks:
        ok, line = _leaf_proved(source, source_id, data, note, what)
        out.ok = out.ok and ok
        out.lines.append(line)
    return out
