"""The reader's inputs seen in the wild (issue 25, part 4): time per page of a text PDF with a ruled
table (pdfplumber, tables found and rendered as rows) against the old path (pdfminer.six's
extract_text on the same file, measured in the same run), and of a scanned page read by OCR
(RapidOCR: model load, then recognition), in CPU time of this process; then the whole upload path
(sandboxed child processes) in wall time.

    .venv/bin/python bench/reader_inputs.py [--repeat 20] [--append bench/results/reader.txt]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from fazhi.core import filetext  # noqa: E402
from fazhi.reader.document import read_bytes  # noqa: E402

INPUTS = ROOT / "fazhi" / "reader" / "tests" / "inputs"


def cpu(fn: object, repeat: int) -> float:
    start = time.process_time()
    for _ in range(repeat):
        fn()  # type: ignore[operator]
    return (time.process_time() - start) / repeat


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--append", type=Path)
    args = parser.parse_args()
    from pdfminer.high_level import extract_text

    table = (INPUTS / "table.pdf").read_bytes()
    scan = (INPUTS / "scan.pdf").read_bytes()
    old = cpu(lambda: extract_text(io.BytesIO(table)), args.repeat)
    new = cpu(lambda: filetext.pdf_pages(table), args.repeat)
    image = filetext.pdf_pages(scan)[0]
    assert isinstance(image, bytes)
    render = cpu(lambda: filetext.pdf_pages(scan), max(args.repeat // 4, 1))
    from rapidocr_onnxruntime import RapidOCR

    start = time.process_time()
    RapidOCR(use_cls=False)
    load = time.process_time() - start
    ocr = cpu(lambda: filetext.ocr_lines(image), 3)
    start = time.perf_counter()
    read_bytes("table.pdf", table)
    wall_table = time.perf_counter() - start
    start = time.perf_counter()
    read_bytes("scan.pdf", scan)
    wall_scan = time.perf_counter() - start
    cpus = os.cpu_count()
    lines = [
        f"Issue 25 part 4 ({dt.date.today()}, {platform.machine()} {cpus}-core VM shared with other work, bench/reader_inputs.py):",
        f"  text PDF with a ruled table, 1 page (table.pdf): pdfplumber with tables {new * 1000:.0f} ms CPU a page; "
        f"baseline pdfminer.six extract_text on the same file, same run: {old * 1000:.0f} ms",
        f"  scanned page (scan.pdf, 1275x549 px at 150 dpi): render {render * 1000:.0f} ms, OCR model load {load * 1000:.0f} ms, "
        f"recognition {ocr * 1000:.0f} ms CPU (onnxruntime uses every core: wall is lower when they are free)",
        f"  whole upload path in wall time, sandboxed children included: table.pdf {wall_table:.2f} s, scan.pdf {wall_scan:.2f} s "
        "(a child process a scanned page: start, imports and model load each time)",
    ]
    print("\n".join(lines))
    if args.append:
        with args.append.open("a", encoding="utf-8") as out:
            out.write("\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
