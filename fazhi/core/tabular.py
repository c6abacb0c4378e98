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
from fazhi.core.sandbox import SandboxFailed, run_limited


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


def _csv_grid(text: str) -> list[list[Any]]:
    reader = csv.reader(io.StringIO(text))
    grid: list[list[Any]] = []
    try:
        for row in reader:
            grid.append(row)
            if len(grid) > settings.FAZHI_TABLE_MAX_ROWS + 1:
                break
    except csv.Error as exc:  # a cell over the csv module's limit, a NUL byte, an open quote at the end
        raise ImportFailed([f"第{reader.line_num}行：无法按 CSV 读取（单元格过长、含有空字符或引号不成对）"]) from exc
    return grid


def _column_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _grid_check(grid: list[list[Any]]) -> None:
    """Rows, columns and cell lengths within the limits, named by row and column when not."""
    if len(grid) > settings.FAZHI_TABLE_MAX_ROWS + 1:
        raise ImportFailed([f"表格超过 {settings.FAZHI_TABLE_MAX_ROWS} 行：请分批导入"])
    problems = []
    for number, row in enumerate(grid, start=1):
        if len(row) > settings.FAZHI_TABLE_MAX_COLUMNS and any(v not in ("", None) for v in row[settings.FAZHI_TABLE_MAX_COLUMNS :]):
            problems.append(f"第{number}行：超过 {settings.FAZHI_TABLE_MAX_COLUMNS} 列，请删除多余的列")
        for i, value in enumerate(row):
            if isinstance(value, str) and len(value) > settings.FAZHI_TABLE_MAX_CELL:
                problems.append(f"第{number}行第{_column_name(i)}列：内容有 {len(value)} 个字符，超过单元格上限 {settings.FAZHI_TABLE_MAX_CELL}")
        if len(problems) >= 20:
            break
    if problems:
        raise ImportFailed(problems)


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
        grid: list[list[Any]] = _csv_grid(_decode_csv(data))
    elif suffix in (".xlsx", ".xls", ".ods", ".xlsm"):
        if suffix != ".xls" and not data.startswith(b"PK"):
            raise ImportFailed([f"文件内容不是 {suffix} 表格（扩展名与内容不符）：请上传 Excel 另存的 xlsx 文件或 csv 文件"])
        if suffix == ".xls" and not data.startswith(b"\xd0\xcf\x11\xe0"):
            raise ImportFailed(["文件内容不是 xls 表格（扩展名与内容不符）：请上传 Excel 另存的 xlsx 文件或 csv 文件"])
        try:
            # in a child process under a memory and a time limit: a crafted file cannot take the server down
            grid = run_limited("calamine_grid", data)
        except SandboxFailed as exc:
            if exc.reason == "error":
                raise ImportFailed([f"无法读取表格文件：文件可能已损坏、不是有效的 {suffix} 文件，或行列范围异常"]) from exc
            raise ImportFailed(
                [
                    "表格的行列范围过大或结构异常（如远离数据区的单元格、异常压缩），超出了解析的"
                    + ("内存上限" if exc.reason == "memory" else "时间上限")
                    + "：请删除多余的行和列后另存，再导入"
                ]
            ) from exc
    else:
        raise ImportFailed([f"不支持的文件类型 {suffix or '（无扩展名）'}：请上传 xlsx 或 csv 文件"])
    _grid_check(grid)
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
# dates outside these are typing errors (0001-01-01, 2207), never records of the platform
DATE_MIN, DATE_MAX = dt.date(1949, 10, 1), dt.date(2099, 12, 31)


def parse_date(value: Any) -> dt.date | None:
    """A date as people type it in a spreadsheet: a date cell, 2027-01-02, 2027/1/2, 2027.1.2, 2027年1月2日."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value if DATE_MIN <= value <= DATE_MAX else None
    text = str(value or "").strip().removesuffix("日")
    parts = _DATE_SEPARATORS.split(text)
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        return None
    try:
        day = dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None
    return day if DATE_MIN <= day <= DATE_MAX else None


def parse_bool(value: Any) -> bool | None:
    text = str(value).strip().lower()
    if text in ("是", "y", "yes", "true", "1", "√"):
        return True
    if text in ("否", "n", "no", "false", "0", ""):
        return False
    return None


# A text cell beginning with one of these is a formula to a spreadsheet program (and "=" to
# openpyxl, which would write it as one): an exported cell that came from user input must stay text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def xlsx_row(ws: Any, values: list[Any]) -> list[Any]:
    """A row for ``ws.append`` whose text cells can never be formulas (formula injection): a text
    starting like a formula is written as a text cell, unchanged (no quote added)."""
    from openpyxl.cell.cell import Cell

    out: list[Any] = []
    for value in values:
        if isinstance(value, str) and value.startswith(FORMULA_START):
            cell = Cell(ws, row=1, column=1)  # placed by ws.append
            cell._value = value
            cell.data_type = "s"
            out.append(cell)
        else:
            out.append(value)
    return out
