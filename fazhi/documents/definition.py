"""Document templates as data: ``definitions/documents/<register>/<name>.yaml``.

A template says which step of which register issues the document (``step``; ``register`` is the
matter's creation), under which condition (``when``: field -> accepted values, "*" any value), its
title, its number series (``series``: the number is ``{unit short name}{series}〔{year}〕{n}号``,
gap-free per unit, series and year), to whom it is addressed (``addressee``: the field holding the
name, or the addressee written out, e.g. 各有关单位), its text (``paragraphs``: each a string or ``{text, when}``), its legal basis and the remedy
sentence the law requires (``remedy``), and optional ``email`` / ``sms`` fields: the party's address
the document is sent to, and the phone told of it, when the party gave them; ``number_field``: a field where the step records
the document's number itself (the 决定书文号 the clerk types), used instead of the series when filled.

Texts use ``{field}`` for the matter's values (dates as 2026年3月5日, choices by their label, a
related record by its name), ``{unit}`` (the issuing unit), ``{case_number}``, ``{number}``,
``{issued_on}``, ``{outcome}``, and ``{period[RULE]}`` / ``{reference[RULE]}`` for the length and
the legal reference of a statutory period as the clock rules give it on the day (``十五日``,
``六个月``): the remedy sentence is never retyped. A region overrides a template by putting a file of
the same register and name in a folder listed first in ``FAZHI_DOCUMENT_TEMPLATE_DIRS``.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings

from fazhi.core.errors import DefinitionError
from fazhi.core.strictyaml import LineDict, check_keys, load_strict


@dataclass(frozen=True)
class Paragraph:
    text: str
    when: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentTemplate:
    key: str  # register/name
    name: str
    register: str
    step: str
    title: str
    series: str
    addressee: str
    paragraphs: tuple[Paragraph, ...]
    basis: str
    remedy: str
    source: str
    when: dict[str, tuple[str, ...]] = field(default_factory=dict)
    email: str = ""
    sms: str = ""
    number_field: str = ""  # the step records the document's number itself (a 决定书文号 typed by the clerk)

    def names(self) -> set[str]:
        """Every placeholder the template's texts use."""
        out: set[str] = set()
        for text in (self.title, *(p.text for p in self.paragraphs), self.remedy):
            for _, name, _, _ in string.Formatter().parse(text):
                if name:
                    out.add(name)
        return out


def _when(raw: object, filename: str, line: int) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise DefinitionError(f"{filename}:{line}: when 应为“字段: [值]”映射")
    out = {}
    for k, v in raw.items():
        values = [v] if isinstance(v, (str, bool, int)) else v
        if not isinstance(values, list):
            raise DefinitionError(f"{filename}:{line}: when 的 {k} 应为值或值的列表")
        out[str(k)] = tuple(str(x).lower() if isinstance(x, bool) else str(x) for x in values)
    return out


def _check_format(text: str, filename: str, line: int) -> None:
    try:
        list(string.Formatter().parse(text))
    except ValueError as exc:
        raise DefinitionError(f"{filename}:{line}: 文本中的占位符有误（{exc}）") from None


def template_load(path: Path, register: str) -> DocumentTemplate:
    filename = str(path)
    top = check_keys(
        load_strict(path),
        allowed={"document", "title", "step", "when", "series", "addressee", "paragraphs", "basis", "remedy", "email", "sms", "number_field"},
        required={"document", "title", "step", "series", "addressee", "paragraphs"},
        filename=filename,
        where="文书模板",
    )
    name = str(top["document"])
    if name != path.stem:
        raise DefinitionError(f"{filename}:{top.line_of('document')}: document 名 {name!r} 应与文件名 {path.stem!r} 一致")
    paragraphs = []
    raw_paragraphs = top["paragraphs"]
    if not isinstance(raw_paragraphs, list) or not raw_paragraphs:
        raise DefinitionError(f"{filename}:{top.line_of('paragraphs')}: paragraphs 应为非空列表")
    for item in raw_paragraphs:
        if isinstance(item, str):
            paragraphs.append(Paragraph(item.strip()))
        elif isinstance(item, LineDict):
            p = check_keys(item, allowed={"text", "when"}, required={"text"}, filename=filename, where="paragraph")
            paragraphs.append(Paragraph(str(p["text"]).strip(), _when(p.get("when"), filename, p.line_of("when"))))
        else:
            raise DefinitionError(f"{filename}:{top.line_of('paragraphs')}: 每一段应为文字或 {{text, when}}")
    t = DocumentTemplate(
        key=f"{register}/{name}",
        name=name,
        register=register,
        step=str(top["step"]),
        title=str(top["title"]),
        series=str(top["series"]),
        addressee=str(top["addressee"]),
        paragraphs=tuple(paragraphs),
        basis=str(top.get("basis", "") or ""),
        remedy=str(top.get("remedy", "") or "").strip(),
        source=filename,
        when=_when(top.get("when"), filename, top.line_of("when")),
        email=str(top.get("email", "") or ""),
        sms=str(top.get("sms", "") or ""),
        number_field=str(top.get("number_field", "") or ""),
    )
    for text in (t.title, *(p.text for p in t.paragraphs), t.remedy):
        _check_format(text, filename, top.line_of("paragraphs"))
    return t


@cache
def templates() -> dict[str, DocumentTemplate]:
    """Every template by ``register/name``; a folder listed earlier overrides a later one."""
    out: dict[str, DocumentTemplate] = {}
    for folder in reversed(list(settings.FAZHI_DOCUMENT_TEMPLATE_DIRS)):
        folder = Path(folder)
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*/*.yaml")):
            t = template_load(path, path.parent.name)
            out[t.key] = t
    return out


def templates_for(register: str, step: str) -> list[DocumentTemplate]:
    return [t for t in templates().values() if t.register == register and t.step == step]
