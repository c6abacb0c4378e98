"""The reader's inputs seen in the wild (issue 25, part 4): ruled tables in a text PDF, scanned PDFs
read by OCR, pages whose body sits in an iframe or a frameset, DOCX written by WPS Office; and the
bad ones (encrypted, corrupt, a frame whose file is missing, a zip bomb) named in Chinese.

The fixtures in ``inputs/`` are made by ``make_input_fixtures.py`` (LibreOffice, pdftoppm)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfReader, PdfWriter

from fazhi.core.filetext import pdf_text
from fazhi.reader.cleaning import clean
from fazhi.reader.document import Report, read_bytes, read_path
from fazhi.reader.figures import extract
from fazhi.reader.loaders import MAX_BYTES, ReaderError, companions_of
from fazhi.reader.views import annotated_html, ocr_note

INPUTS = Path(__file__).resolve().parent / "inputs"


def _figures(report: Report) -> list[tuple[str, float, str]]:
    return [(f.quote, f.value, f.unit) for f in report.figures]


def _read(name: str, **kwargs: Any) -> Report:
    return read_bytes(name, (INPUTS / name).read_bytes(), **kwargs)


def test_a_ruled_table_of_a_text_pdf_gives_each_cell_with_its_columns_unit() -> None:
    report = _read("table.pdf")
    lines = report.text.split("\n")
    assert "类别 | 收案（宗） | 结案（宗） | 办结率（%）" in lines and "行政复议 | 25 | 21 | 84" in lines and "行政诉讼 | 12 | 9 | 75" in lines
    assert "全年共组织法治培训12场。" in report.text  # the text around the table, its line break rejoined
    assert _figures(report) == [
        ("12场", 12, "场"),
        ("25", 25, "宗"),
        ("21", 21, "宗"),
        ("84", 84, "%"),
        ("12", 12, "宗"),
        ("9", 9, "宗"),
        ("75", 75, "%"),
        ("3人", 3, "人"),
    ]
    cells = {f.quote: f.metric for f in report.figures[1:3]}
    assert cells["25"] != cells["21"]  # 收案 and 结案 of the same row: the column's heading tells them apart


def test_the_column_unit_comes_from_the_nearest_heading_or_a_caption_and_a_unitless_column_has_none() -> None:
    text = "单位：件\n地区 | 受理 | 金额（万元） | 备注\n东区 | 31 | 12.5 | 7\n西区 | 4 | 3 | 0"
    assert [(f.quote, f.value, f.unit) for f in extract(text)] == [
        ("31", 31, "件"),
        ("12.5", 12.5, "万元"),
        ("7", 7, "件"),
        ("4", 4, "件"),
        ("3", 3, "万元"),
        ("0", 0, "件"),
    ]
    assert [f.unit for f in extract("信息内容 | 本年新制作数量\n规章 | 2")] == [""]


def test_rows_of_an_html_table_stay_apart_and_read_like_a_pdfs() -> None:
    page = (
        "<html><body><p>情况如下：</p><table><tr><th>类别</th><th>收案（宗）</th></tr>"
        "<tr><td>行政复议</td><td>25</td></tr><tr><td>行政诉讼</td><td>12</td></tr></table></body></html>"
    )
    report = read_bytes("t.html", page.encode())
    assert report.text.split("\n")[1:] == ["类别 | 收案（宗）", "行政复议 | 25", "行政诉讼 | 12"]
    assert _figures(report) == [("25", 25, "宗"), ("12", 12, "宗")]
    assert clean("一行很长的正文没有结束，后面是一个表格的行而不是它的下文，\n行政复议 | 25").text.count("\n") == 1


def test_rows_whose_last_cells_are_empty_stay_apart_and_each_cell_reads_its_headings() -> None:
    """A row of the 政府信息公开 tables often ends in empty (merged or blank) cells: it is still a row,
    not a broken line to join to the next, so each cell's row and column headings are found."""
    from fazhi.reader.labels import context

    page = (
        "<html><body><p>二、主动公开政府信息情况</p><table><tr><th>信息内容</th><th>本年新制作数量</th><th>本年新公开数量</th><th>对外公开总数量</th><th></th></tr>"
        "<tr><td>规章</td><td>2</td><td>2</td><td>15</td><td></td></tr><tr><td>行政规范性文件（含部门规范性文件）</td><td>5</td><td>5</td><td>120</td><td></td></tr></table></body></html>"
    )
    report = read_bytes("t.html", page.encode())
    rows = ["信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |", "规章 | 2 | 2 | 15 |", "行政规范性文件（含部门规范性文件） | 5 | 5 | 120 |"]
    assert report.text.split("\n")[1:] == rows
    lefts = [context(report.text, f).left for f in report.figures]
    assert lefts[2:4] == ["规章对外公开总数量", "行政规范性文件（含部门规范性文件）本年新制作数量"]


@pytest.fixture(scope="module")
def scanned() -> tuple[Report, list[tuple[int, int]]]:
    calls: list[tuple[int, int]] = []
    return _read("scan.pdf", progress=lambda done, total: calls.append((done, total))), calls


def test_a_scanned_pdf_is_read_by_ocr_with_progress_and_flagged_for_checking(scanned: tuple[Report, list[tuple[int, int]]]) -> None:
    report, calls = scanned
    assert report.ocr_pages == [1] and report.pages == 1 and report.all_ocr and calls == [(1, 1)]
    assert report.title == "某市某区2023年法治政府建设年度报告"
    assert _figures(report) == [("25件", 25, "件"), ("12场", 12, "场"), ("1500人次", 1500, "人次")]
    assert "全部页面是扫描图像" in ocr_note(report) and "核对" in ocr_note(report)
    html = str(annotated_html(report))
    assert html.count('<small class="ocr">（识别）</small>') == 3 and "文字识别所得" in html
    # the verification page reads a PDF's text without OCR: a scan has none
    assert pdf_text((INPUTS / "scan.pdf").read_bytes()).strip() == ""


def test_the_ocr_models_ship_in_the_wheel() -> None:
    import rapidocr_onnxruntime
    import yaml

    package = Path(rapidocr_onnxruntime.__file__).parent
    config = yaml.safe_load((package / "config.yaml").read_text(encoding="utf-8"))
    for part in ("Det", "Cls", "Rec"):
        assert (package / config[part]["model_path"]).is_file()


def test_wps_docx_text_in_content_controls_and_text_boxes_is_read_once() -> None:
    report = _read("wps.docx")
    assert _figures(report) == [("25件", 25, "件"), ("12场", 12, "场"), ("1500人次", 1500, "人次"), ("9", 9, "宗"), ("31件", 31, "件")]
    assert report.text.count("组织法治培训") == 1  # the VML fallback repeats the text box: read once
    assert "行政诉讼 | 9" in report.text.split("\n")


def test_a_page_whose_body_is_an_iframe_is_read_from_the_framed_file() -> None:
    shell = (INPUTS / "frame" / "index.html").read_bytes()
    files = {"index.html": shell, "content.html": (INPUTS / "frame" / "content.html").read_bytes()}
    report = read_bytes("index.html", shell, companions=companions_of(files))
    assert _figures(report) == [("25件", 25, "件"), ("12场", 12, "场"), ("9", 9, "宗")]
    assert _figures(read_path(INPUTS / "frame" / "index.html")) == _figures(report)  # the CLI: the file beside it
    with pytest.raises(ReaderError, match=r"引用的文件“content\.html”中，但没有一并提供该文件"):
        read_bytes("index.html", shell)


def test_a_frameset_page_saved_as_a_zip_is_read_from_its_content_frame() -> None:
    report = _read("frameset.zip")
    assert _figures(report) == [("25件", 25, "件"), ("12场", 12, "场"), ("9", 9, "宗")]
    assert "设为首页" not in report.text  # the navigation frame's furniture is dropped by the cleaner


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("a.html", b"<html><body><iframe src='https://www.example.gov.cn/report.html'></iframe></body></html>", "阅读器不联网下载"),
        ("p.zip", _zip({"a.html": b"<p>a</p>", "b.html": b"<p>b</p>"}), "压缩包中有多个网页（a.html、b.html）"),
        ("p.zip", _zip({"x.png": b"\x89PNG"}), "压缩包中没有可读取的网页"),
        ("p.zip", _zip({"inner.zip": _zip({"a.html": b"<p>a</p>"})}), "又是压缩包"),
        ("bomb.zip", _zip({"a.html": b"<p>" + b" " * (40 * 1024 * 1024) + b"</p>"}), "压缩包解压后有 40 MB，上限为 30 MB"),
        ("p.zip", b"PK\x03\x04 not a zip", "压缩结构已损坏"),
        ("bad.pdf", (INPUTS / "table.pdf").read_bytes()[:3000], "PDF 文件损坏或无法解析"),
        ("big.txt", b"x" * (MAX_BYTES + 1), "文件太大"),
    ],
    ids=["remote-frame", "two-pages", "no-page", "nested-zip", "zip-bomb", "corrupt-zip", "corrupt-pdf", "oversized"],
)
def test_bad_inputs_get_a_chinese_message(name: str, data: bytes, message: str) -> None:
    with pytest.raises(ReaderError, match=re.escape(message)):
        read_bytes(name, data)


def test_an_encrypted_pdf_is_refused_with_a_message() -> None:
    writer = PdfWriter(clone_from=PdfReader(INPUTS / "table.pdf"))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ReaderError, match="PDF 文件已加密"):
        read_bytes("locked.pdf", out.getvalue())


@pytest.mark.django_db
def test_the_upload_page_reads_a_frame_page_given_with_its_framed_file(client: Client, org: Any) -> None:
    client.force_login(org.alice)

    def upload(*names: str) -> SimpleUploadedFile | list[SimpleUploadedFile]:
        return [SimpleUploadedFile(Path(n).name, (INPUTS / n).read_bytes(), content_type="text/html") for n in names]

    response = client.post("/yuedu/", {"files": upload("frame/index.html", "frame/content.html")})
    html = response.content.decode()
    assert response.status_code == 200 and html.count('<mark class="figure"') == 3 and 'id="f2"' in html
    response = client.post("/yuedu/", {"files": upload("frame/index.html")})
    assert response.status_code == 400 and "index.html：网页“index.html”的正文在框架（iframe/frame）引用的文件“content.html”中" in response.content.decode()


def test_the_tables_of_the_national_information_disclosure_report_format_are_read_cell_by_cell() -> None:
    """A 政府信息公开工作年度报告 as published: its statistics tables in the national format, merged
    cells and all. Each figure is read once, with its row's and column's headings, and labelled by
    what they name; the words of a row's heading (5.属于三类内部事务信息) are no figures."""
    from fazhi.reader.labels import context
    from fazhi.reader.tests.gk_template import html_2021

    requests = {
        "本年新收": [40, 5, 0, 0, 1, 0, 46],
        "上年结转": [2, 0, 0, 0, 0, 0, 2],
        "（一）予以公开": [20, 2, 0, 0, 0, 0, 22],
        "1.本机关不掌握相关政府信息": [8, 1, 0, 0, 1, 0, 10],
        "（七）总计": [38, 4, 0, 0, 1, 0, 43],
        "结转下年度": [4, 1, 0, 0, 0, 0, 5],
    }
    page = html_2021(
        {"规章": (1, 0, 9), "行政规范性文件": (12, 3, 85)}, {"行政许可": 5678, "行政处罚": 432, "行政强制": 21}, 156.7, requests, [1, 0, 0, 0, 1] + [0] * 10
    )
    report = read_bytes("gk.html", page.encode())
    lines = report.text.split("\n")
    assert "第二十条第（一）项" in lines and "规章 | 1 | 0 | 9" in lines  # a caption across the table once; a row as a line
    assert "行政许可 | 5678 |  |" in lines  # a figure merged over three columns is read once
    by_value: dict[tuple[float, str], list[Any]] = {}
    for f in report.figures:
        by_value.setdefault((f.value, f.unit), []).append(f)
    assert not any(f.unit == "类" for f in report.figures)  # 三类内部事务信息, 四类过程性信息
    assert [f.metric for f in by_value[(1, "")][:1]] == ["制定政府规章数"]
    assert [f.metric for f in by_value[(9, "")]] == ["现行有效政府规章数"]
    assert [f.metric for f in by_value[(12, "")]] == ["出台规范性文件数"]
    assert [f.metric for f in by_value[(3, "")]] == ["废止规范性文件数"]
    assert [f.metric for f in by_value[(5678, "")]] == ["行政许可数"]
    assert [f.metric for f in by_value[(432, "")]] == ["行政处罚案件数"]
    assert [f.metric for f in by_value[(21, "")]] == ["行政强制数"]
    assert [(f.metric, f.unit) for f in by_value[(156.7, "万元")]] == [("行政事业性收费金额", "万元")]  # the unit from the column's heading
    assert [f.metric for f in by_value[(46, "")]] == ["政府信息公开申请数"]
    assert [f.metric for f in by_value[(22, "")]] == ["政府信息公开申请办理结果数"]
    assert [f.metric for f in by_value[(43, "")]] == ["政府信息公开申请办结数"]
    forty = by_value[(40, "")][0]
    assert context(report.text, forty).left == "一、本年新收政府信息公开申请数量申请人情况自然人"
    assert forty.metric == "政府信息公开申请分类数(按申请人)"
    eight = by_value[(8, "")][0]
    assert context(report.text, eight).left == "三、本年度办理结果（四）无法提供1.本机关不掌握相关政府信息申请人情况自然人"
    assert eight.metric == "政府信息公开申请分类数(按申请人)"
    assert {f.metric for f in by_value[(5, "")]} == {"政府信息公开申请分类数(按申请人)", "政府信息公开申请结转下年数"}
    assert all(f.metric_confidence is not None and f.metric_confidence > 0.5 for f in report.figures if f.metric and "申请" in f.metric)


def test_merged_cells_of_a_docx_table_are_headings_of_each_column_and_row_and_figures_once() -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("三、收到和处理政府信息公开申请情况")
    table = document.add_table(rows=4, cols=4)
    table.cell(0, 1).merge(table.cell(0, 3)).text = "申请人情况"  # across three columns
    table.cell(1, 1).text, table.cell(1, 2).text, table.cell(1, 3).text = "自然人", "商业企业", "总计"
    table.cell(2, 0).merge(table.cell(3, 0)).text = "三、本年度办理结果"  # down two rows
    for r, values in enumerate(("20 2 22", "5 1 6"), start=2):
        for c, v in enumerate(values.split(), start=1):
            table.cell(r, c).text = v
    buffer = io.BytesIO()
    document.save(buffer)
    report = read_bytes("t.docx", buffer.getvalue())
    lines = report.text.split("\n")
    assert lines[1:3] == ["| 申请人情况 | 申请人情况 | 申请人情况", "| 自然人 | 商业企业 | 总计"]  # a heading merged over three columns heads each
    assert "三、本年度办理结果 | 5 | 1 | 6" in lines  # the merged row heading stands in the second row too
    from fazhi.reader.labels import context

    six = next(f for f in report.figures if f.value == 6)
    assert context(report.text, six).left == "三、本年度办理结果申请人情况总计"
    assert [f.value for f in report.figures] == [20, 2, 22, 5, 1, 6]
