"""The reader page: who may use it, one report annotated, several compared, bad uploads, forged posts."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from fazhi.reader import scoring

pytestmark = pytest.mark.django_db


def _file(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{name}.txt", (scoring.SEEDS / f"{name}.txt").read_bytes(), content_type="text/plain")


def test_anonymous_users_are_sent_to_the_login_page(client: Client) -> None:
    assert client.get("/yuedu/").status_code == 302
    response = client.post("/yuedu/", {"files": _file("000_3377e9b10d40cdb1")})
    assert response.status_code == 302 and "/login" in response["Location"]


def test_one_report_is_shown_annotated_with_its_checks(client: Client, org: Any) -> None:
    client.force_login(org.alice)
    assert client.get("/yuedu/").status_code == 200
    html = client.post("/yuedu/", {"files": _file("004_857e671b3a9549fe")}).content.decode()
    assert html.count('<mark class="figure"') == 35
    assert 'data-metric="法律援助案件受理数"' in html and '<span class="repeat"' in html
    assert "重复段落" in html and "云溪区" in html


def test_a_low_confidence_label_names_the_labels_it_may_be_instead(client: Client, org: Any) -> None:
    client.force_login(org.alice)
    upload = SimpleUploadedFile("r.txt", "二、工作情况\n共计12个。".encode(), content_type="text/plain")
    html = client.post("/yuedu/", {"files": upload}).content.decode()
    assert "（置信度低）" in html
    title = html.split('<mark class="figure" id="f0"', 1)[1].split(">", 1)[0]
    assert "其他可能：" in title and "、" in title


def test_several_reports_are_compared_and_exported(client: Client, org: Any) -> None:
    client.force_login(org.alice)
    files = [_file(n) for n in scoring.TUNING + scoring.HELD_OUT]
    html = client.post("/yuedu/", {"files": files, "format": "html"}).content.decode()
    assert 'id="compare"' in html and "行政机关负责人出庭应诉率" in html and '"series"' in html
    files = [_file(n) for n in scoring.TUNING]
    response = client.post("/yuedu/", {"files": files, "format": "xlsx", "metric": "人民调解成功率"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb["图表"]["B1"].value == "人民调解成功率" and wb["图表"]["B2"].value == 99.9


def test_bad_uploads_get_a_chinese_message_and_no_server_error(client: Client, org: Any) -> None:
    client.force_login(org.alice)
    response = client.post("/yuedu/", {"files": SimpleUploadedFile("x.exe", b"MZ\x00\x01")})
    assert response.status_code == 400 and "不支持的文件类型" in response.content.decode()
    response = client.post("/yuedu/", {"files": SimpleUploadedFile("x.pdf", b"%PDF-1.7 garbage")})
    assert response.status_code == 400 and "PDF 文件损坏" in response.content.decode()
    response = client.post("/yuedu/", {})
    assert response.status_code == 400 and "请选择要读取的报告文件" in response.content.decode()
    assert client.put("/yuedu/").status_code == 405


def test_a_forged_post_without_the_csrf_token_is_refused(org: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.alice)
    assert client.post("/yuedu/", {"files": _file("000_3377e9b10d40cdb1")}).status_code == 403


def test_an_upload_with_more_scanned_pages_than_a_request_may_read_is_refused_before_any_ocr(
    client: Client, org: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scanned page costs seconds of OCR: an upload that would run past the server's request
    timeout gets a Chinese message instead of an error page, and its other files are still read."""
    from fazhi.reader import loaders
    from fazhi.reader.tests.test_inputs import INPUTS

    jobs: list[str] = []
    real = loaders.run_limited
    monkeypatch.setattr(loaders, "run_limited", lambda job, data, **kw: jobs.append(job) or real(job, data, **kw))
    settings.FAZHI_READER_WEB_OCR_PAGES = 0
    client.force_login(org.alice)
    files = [SimpleUploadedFile(n, (INPUTS / n).read_bytes(), content_type="application/pdf") for n in ("table.pdf", "scan.pdf")]
    response = client.post("/yuedu/", {"files": files})
    html = response.content.decode()
    assert response.status_code == 400
    assert "scan.pdf：PDF 有 1 页是扫描图像" in html and "网页上一次最多识别 0 页" in html and "请把 PDF 拆分后分批上传" in html
    assert '<mark class="figure"' in html  # table.pdf, which has a text layer, is read and shown
    assert "ocr_lines" not in jobs and jobs.count("pdf_pages") == 2
    # the pages are counted over the files of one upload
    budget = loaders.OcrBudget(3)
    budget.take(2)
    with pytest.raises(loaders.ReaderError, match="本次上传的其他文件已识别 2 页"):
        budget.take(2)
