"""报告阅读器 pages: upload one report to see it annotated, or several to compare them."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from fazhi.reader import compare as comparing
from fazhi.reader.document import Report, read_bytes
from fazhi.reader.labels import LabelError
from fazhi.reader.loaders import MAX_BYTES, OcrBudget, ReaderError, companions_of, frame_paths

MAX_FILES = 20
LOW_CONFIDENCE_NOTE = "（置信度低）"  # after a label the reader is less likely right than wrong about
OCR_NOTE = "（识别）"  # after a figure of a scanned report: read from the image, to be checked against it


def annotated_html(report: Report) -> SafeString:
    """The clean text as paragraphs, every figure a <mark> carrying its label, repeats underlined."""
    text = report.text
    events: list[tuple[int, int, str]] = []  # (offset, order, html)
    for i, f in enumerate(report.figures):
        low = LOW_CONFIDENCE_NOTE if f.low_confidence else ""
        confidence = f"（置信度 {round(f.metric_confidence * 100)}%）" if f.metric_confidence is not None else ""
        scanned = "；文字识别所得，请对照原件核对" if report.all_ocr else ""
        others = f"；{f.alternatives_note}" if f.alternatives_note else ""
        title = escape(f"{f.metric or '未归类'}{confidence}：{f.value} {f.unit}{'（约数）' if f.approx else ''}{others}{scanned}")
        events.append((f.start, 1, f'<mark class="figure" id="f{i}" data-metric="{escape(f.metric or "")}" title="{title}">'))
        note = f'<small class="low-confidence">{low}</small>' if low else ""
        if report.all_ocr:
            note += f'<small class="ocr">{OCR_NOTE}</small>'
        events.append((f.end, 0, f'<sup class="metric">{escape(f.metric or "未归类")}</sup>{note}</mark>'))
    for j, c in enumerate(report.checks):
        if c.start is not None and c.end is not None and c.kind == "repeat":
            events.append((c.start, 2, f'<span class="repeat" id="c{j}" title="{escape(c.message)}">'))
            events.append((c.end, -1, "</span>"))
    events.sort(key=lambda e: (e[0], e[1]))
    parts: list[str] = []
    pos = 0
    for offset, _, tag in events:
        parts.append(escape(text[pos:offset]))
        parts.append(tag)
        pos = offset
    parts.append(escape(text[pos:]))
    body = "".join(parts)
    paragraphs = body.split("\n")
    return mark_safe("".join(f"<p>{p}</p>" for p in paragraphs))


def ocr_note(report: Report) -> str:
    """The notice over a report some of whose pages were scans read by OCR."""
    if not report.ocr_pages:
        return ""
    where = "全部页面" if report.all_ocr else f"第 {'、'.join(str(n) for n in report.ocr_pages[:20])}{' 等' if len(report.ocr_pages) > 20 else ''} 页"
    return f"本报告{where}是扫描图像，文字由文字识别读出，可能有误：请对照原件核对其中的数字。"


def _read_uploads(request: HttpRequest) -> tuple[list[Report], list[str]]:
    """Each uploaded file is a report, except a file that another uploaded page frames (an
    ``<iframe>`` or ``<frameset>`` page saved with its framed files): that one is read in its place."""
    reports: list[Report] = []
    errors: list[str] = []
    files = request.FILES.getlist("files")
    if not files:
        return reports, ["请选择要读取的报告文件"]
    if len(files) > MAX_FILES:
        return reports, [f"一次最多上传 {MAX_FILES} 份报告"]
    uploads: list[tuple[str, bytes]] = []
    for upload in files:
        if upload.size is not None and upload.size > MAX_BYTES:
            errors.append(f"{upload.name}：文件太大，上限为 {MAX_BYTES // 1024 // 1024} MB")
            continue
        uploads.append((upload.name or "report", upload.read()))
    given = dict(uploads)
    framed = {PurePath(path).name for name, data in uploads for path in frame_paths(name, data) if PurePath(path).name != PurePath(name).name}
    pages = [(name, data) for name, data in uploads if PurePath(name).name not in framed] or uploads
    ocr = OcrBudget(settings.FAZHI_READER_WEB_OCR_PAGES)  # shared by the files of one upload
    for name, data in pages:
        try:
            reports.append(read_bytes(name, data, companions=companions_of(given), ocr=ocr))
        except (ReaderError, LabelError) as exc:
            errors.append(f"{name}：{exc}")
    return reports, errors


@login_required
def reader(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"metric": request.POST.get("metric") or comparing.DEFAULT_METRIC}
    status = 200
    if request.method == "POST":
        reports, errors = _read_uploads(request)
        context["errors"] = errors
        if errors:
            status = 400
        if len(reports) == 1:
            report = reports[0]
            context.update(report=report, annotated=annotated_html(report), checks=[c.as_dict() for c in report.checks], ocr_note=ocr_note(report))
        elif len(reports) > 1:
            result = comparing.compare(reports)
            rows = [(m, [result.cells.get((m, i)) for i in range(len(reports))]) for m in result.metrics]
            context.update(
                comparison=result,
                columns=[result.column(i) for i in range(len(reports))],
                rows=rows,
                chart={"metric": context["metric"], "series": result.series(context["metric"])},
                metrics=result.metrics,
                reports=reports,
            )
            if request.POST.get("format") == "xlsx" and not errors:
                response = HttpResponse(
                    comparing.to_xlsx(result, context["metric"]), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                )
                response["Content-Disposition"] = 'attachment; filename="reports-compare.xlsx"'
                return response
    elif request.method != "GET":
        return HttpResponse("不支持的请求方法", status=405)
    return render(request, "reader/reader.html", context, status=status)
