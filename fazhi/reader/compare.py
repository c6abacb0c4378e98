"""Several read reports side by side on the same metrics, as a table, a chart and an xlsx file."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font

from fazhi.core.tabular import xlsx_row
from fazhi.reader.document import Report
from fazhi.reader.figures import Figure

DEFAULT_METRIC = "行政机关负责人出庭应诉率"
# Money is compared in 万元 whatever unit each report wrote it in.
MONEY = {"元": Decimal("0.0001"), "万元": Decimal(1), "亿元": Decimal(10000)}


@dataclass
class Cell:
    value: float | int
    unit: str
    quote: str
    approx: bool
    more: int  # further figures with the same metric in the report

    @property
    def shown(self) -> str:
        more = f"（另有{self.more}处）" if self.more else ""
        return f"{self.quote}{more}"


@dataclass
class Comparison:
    reports: list[Report]
    metrics: list[str]
    cells: dict[tuple[str, int], Cell]

    def column(self, i: int) -> str:
        r = self.reports[i]
        return f"{r.jurisdiction or r.name} {r.year or ''}".strip()

    def series(self, metric: str) -> list[tuple[str, float | None]]:
        return [(self.column(i), (c.value if (c := self.cells.get((metric, i))) else None)) for i in range(len(self.reports))]


def _comparable(figure: Figure) -> tuple[float | int, str]:
    if figure.unit in MONEY:
        value = Decimal(str(figure.value)) * MONEY[figure.unit]
        return (int(value) if value == value.to_integral_value() else float(value)), "万元"
    return figure.value, figure.unit


def compare(reports: list[Report], min_reports: int = 2) -> Comparison:
    cells: dict[tuple[str, int], Cell] = {}
    counts: dict[str, int] = {}
    order: list[str] = []
    for i, report in enumerate(reports):
        by_metric: dict[str, list[Figure]] = {}
        for f in report.figures:
            if f.metric:
                by_metric.setdefault(f.metric, []).append(f)
        for metric, figures in by_metric.items():
            first = figures[0]
            value, unit = _comparable(first)
            cells[(metric, i)] = Cell(value, unit, first.quote, first.approx, len(figures) - 1)
            counts[metric] = counts.get(metric, 0) + 1
            if metric not in order:
                order.append(metric)
    metrics = [m for m in order if counts[m] >= min(min_reports, len(reports))]
    return Comparison(reports, metrics, cells)


def to_xlsx(comparison: Comparison, chart_metric: str = DEFAULT_METRIC) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "对比"
    ws.append(xlsx_row(ws, ["指标", *(comparison.column(i) for i in range(len(comparison.reports))), "单位"]))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for metric in comparison.metrics:
        row: list[object] = [metric]
        unit = ""
        for i in range(len(comparison.reports)):
            c = comparison.cells.get((metric, i))
            row.append(c.value if c else None)
            unit = unit or (c.unit if c else "")
        ws.append(xlsx_row(ws, [*row, unit]))
    ws.column_dimensions["A"].width = 34
    ws.freeze_panes = "B2"

    chart_ws = wb.create_sheet("图表")
    chart_ws.append(["报告", chart_metric])
    for name, value in comparison.series(chart_metric):
        chart_ws.append([name, value])
    n = len(comparison.reports)
    chart = BarChart()
    chart.title = chart_metric
    chart.y_axis.title = next((c.unit for (m, _), c in comparison.cells.items() if m == chart_metric), "")
    chart.add_data(Reference(chart_ws, min_col=2, min_row=1, max_row=n + 1), titles_from_data=True)
    chart.set_categories(Reference(chart_ws, min_col=1, min_row=2, max_row=n + 1))
    chart.width, chart.height = 18, 9
    chart_ws.add_chart(chart, "D2")

    detail = wb.create_sheet("明细")
    detail.append(["报告", "标题", "地区", "年度", "指标", "原文", "数值", "单位", "约数", "起", "止"])
    for r in comparison.reports:
        for f in r.figures:
            detail.append([r.name, r.title, r.jurisdiction, r.year, f.metric, f.quote, f.value, f.unit, "是" if f.approx else "否", f.start, f.end])
    checks = wb.create_sheet("检查")
    checks.append(["报告", "类别", "级别", "说明", "位置"])
    for r in comparison.reports:
        for c in r.checks:
            checks.append([r.name, c.as_dict()["kind_name"], c.as_dict()["severity_name"], c.message, c.start])
    for sheet in (detail, checks):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    checks.column_dimensions["D"].width = 90
    for row in checks.iter_rows(min_row=2, min_col=4, max_col=4):
        for wrapped in row:
            wrapped.alignment = Alignment(wrap_text=True)  # type: ignore[attr-defined]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
