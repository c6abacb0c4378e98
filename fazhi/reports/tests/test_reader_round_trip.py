"""Issue 7's round trip: a generated annual report, rendered as DOCX and as text, read back by
the reader (issue 8); every figure the generator placed must be found at its span with its value."""

from __future__ import annotations

import decimal
import io
from typing import Any

import pytest
from docx import Document

from fazhi.reader.document import read_bytes, read_text
from fazhi.reports import services
from fazhi.reports.docx import render

pytestmark = pytest.mark.django_db


def _check(report_text: str, found: list[Any], version: Any) -> int:
    by_span = {(f.start, f.end): f for f in found}
    checked = 0
    for part in version.content["parts"]:
        for para in part["paragraphs"]:
            if not para["figures"]:
                continue
            at = report_text.find(para["text"])
            assert at >= 0, f"paragraph not found in the read text: {para['text'][:30]}"
            for fig in para["figures"]:
                span = (at + fig["start"], at + fig["end"])
                got = by_span.get(span)
                assert got is not None, f"{fig['code']}: {para['text'][fig['start'] : fig['end']]} not read at {span}"
                assert got.unit == fig["unit"] and not got.approx
                exact = decimal.Decimal(fig["value"])
                if fig["unit"] == "万元":
                    exact = (exact / 10000).quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP)
                assert decimal.Decimal(str(got.value)) == exact, (fig, got)
                checked += 1
    return checked


def test_the_reader_finds_every_generated_figure_in_the_docx_and_the_text(org: Any, requests: Any) -> None:
    for kind in ("fzzf", "gkndbg"):
        report = services.report_create(unit=org.district, kind=kind, year=2025, actor=org.dave)
        version = services.version_generate(report=report, actor=org.dave)
        expected = sum(len(p["figures"]) for part in version.content["parts"] for p in part["paragraphs"])
        document = read_bytes("report.docx", render(report, version))
        assert document.year == 2025
        assert _check(document.text, document.figures, version) == expected > 0
        text = "\n".join([version.content["title"], *(p["text"] for part in version.content["parts"] for p in part["paragraphs"])])
        plain = read_text(text)
        assert _check(plain.text, plain.figures, version) == expected
        assert [c for c in plain.checks if c.kind in ("sum", "rate", "parts")] == []
    assert Document(io.BytesIO(render(report, version))).paragraphs
