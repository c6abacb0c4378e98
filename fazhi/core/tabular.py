"""Reading spreadsheets people actually send: xlsx/xls/ods (calamine) and CSV in UTF-8 or GBK.

Rows come back with their spreadsheet row number so every message can name the row and field.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from fazhi.core.errors import ImportFailed


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (spreadsheet row number, column -> value)


def _decode_csv(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFailed(["无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV，或 xlsx 文件"])


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def read_table(data: bytes, filename: str, *, required: list[str]) -> Table:
    limit = settings.FAZHI_MAX_UPLOAD_BYTES
    if len(data) > limit:
        raise ImportFailed([f"文件过大（{len(data) / 1048576:.1f} MB），上限为 {limit / 1048576:.0f} MB；请分批导入"])
    if not data:
        raise ImportFailed(["文件为空"])
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        text = _decode_csv(data)
        grid: list[list[Any]] = [list(r) for r in csv.reader(io.StringIO(text))]
    elif suffix in (".xlsx", ".xls", ".ods", ".xlsm"):
        from python_calamine import CalamineWorkbook

        try:
            wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
            grid = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception as exc:  # calamine raises several error types for corrupt files
            raise ImportFailed([f"无法读取表格文件（{type(exc).__name__}）：文件可能已损坏或不是有效的 {suffix} 文件"]) from exc
    else:
        raise ImportFailed([f"不支持的文件类型 {suffix or '（无扩展名）'}：请上传 xlsx 或 csv 文件"])
    grid = [[_cell(v) for v in row] for row in grid]
    while grid and not any(v not in ("", None) for v in grid[0]):
        grid.pop(0)
    if not grid:
        raise ImportFailed(["工作表为空：第一行应为列名"])
    header = [str(h).strip() for h in grid[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFailed([f"第1行（列名）：缺少必需的列“{'”“'.join(missing)}”；现有列为“{'”“'.join(h for h in header if h)}”"])
    dupes = {h for h in header if h and header.count(h) > 1}
    if dupes:
        raise ImportFailed([f"第1行（列名）：列“{'”“'.join(sorted(dupes))}”重复"])
    rows = []
    for number, values in enumerate(grid[1:], start=2):
        if not any(v not in ("", None) for v in values):
            continue
        rows.append((number, {h: (values[i] if i < len(values) else "") for i, h in enumerate(header) if h}))
    if not rows:
        raise ImportFailed(["工作表只有列名，没有数据行"])
    return Table(header=header, rows=rows)


_DATE_SEPARATORS = re.compile(r"[-/.年月]")


def parse_date(value: Any) -> dt.date | None:
    """A date as people type it in a spreadsheet: a date cell, 2027-01-02, 2027/1/2, 2027.1.2, 2027年1月2日."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip().removesuffix("日")
    parts = _DATE_SEPARATORS.split(text)
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        return None
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def parse_bool(value: Any) -> bool | None:
    text = str(value).strip().lower()
    if text in ("是", "y", "yes", "true", "1", "√"):
        return True
    if text in ("否", "n", "no", "false", "0", ""):
        return False
    return None
