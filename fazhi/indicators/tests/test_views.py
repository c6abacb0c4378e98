"""The dashboard and the traces in the staff UI: values, drill-down to records, xlsx, permissions."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_dashboard_shows_the_key_figures_of_the_units_subtree_with_their_parts(org: Any, requests: Any) -> None:
    r = client_for(org.dave).get("/zhibiao/", {"unit": org.district.pk, "year": 2025})
    assert r.status_code == 200
    html = r.content.decode()
    assert "东湖区人民政府" in html and "2025年" in html
    key = html[html.index('id="key-indicators"') : html.index('id="trend-chart"')]
    card = key[key.index('data-code="gk.on_time_rate"') :]
    card = card[: card.index("</a>")]
    assert "66.7%" in card and "2 / 3" in card and "样本少" in card  # 3 replies: below the minimum of 5
    assert "上年同期 <span" in card and "无记录" in card  # no reply was due in 2024
    assert f"/zhibiao/gk.on_time_rate/?unit={org.district.pk}&amp;year=2025" in html
    # the children are listed for ranking but a small denominator is not ranked
    ranks = html[html.index('id="rankings"') :]
    table = ranks[ranks.index('data-code="gk.on_time_rate"') :]
    table = table[: table.index("</table>")]
    assert "东湖区市场监督管理局" in table and '<tr class="text-muted"><td style="width:3em">—</td><td>东湖区市场监督管理局' in table
    # units without records say so instead of printing 0
    assert "无记录" in html
    # the open request (received 2025-12-15) is overdue at the end of the year only if its clock says so;
    # the overdue block exists and links to the filtered list
    assert 'id="overdue"' in html


def test_a_year_over_year_change_beyond_the_bounds_shows_both_values_and_a_note(org: Any, requests: Any, settings: Any) -> None:
    def row() -> str:
        html = client_for(org.dave).get("/zhibiao/", {"unit": org.district.pk, "year": 2025}).content.decode()
        part = html[html.index('<tr data-code="gk.received.yoy">') :]
        return part[: part.index("</tr>")]

    # 3 requests against 1 the year before: not "+200%" but both values and why
    assert "+200" not in row() and "3 件" in row() and "（上年同期 1，上年基数过小，不宜比较）" in row()
    settings.FAZHI_YOY_MIN_PREVIOUS = 1
    assert "+200" not in row() and "（上年同期 1，变化幅度过大，不宜直接比较）" in row()
    settings.FAZHI_YOY_MAX_CHANGE = 200
    assert "+200.0%" in row() and "不宜" not in row()


def test_the_trace_lists_exactly_the_records_behind_a_share_and_the_ones_it_leaves_out(org: Any, requests: Any) -> None:
    r = client_for(org.dave).get("/zhibiao/gk.on_time_rate/", {"unit": org.district.pk, "year": 2025})
    assert r.status_code == 200
    html = r.content.decode()

    def listed(role: str) -> set[str]:
        part = html[html.index(f'data-role="{role}"') :]
        part = part[: part.index("</table>")]
        return {m.case_number for m in requests.values() if m.case_number in part}

    a, b, c = (requests[k].case_number for k in "abc")
    assert listed("outside") == {c}  # the late reply
    assert listed("numerator") == {a, b}
    assert listed("denominator") == {a, b, c}
    assert requests["e"].case_number not in html  # 西山区 is outside the subtree
    assert f"/r/disclosure/{requests['c'].pk}/" in html


def test_the_trace_exports_to_xlsx_with_its_definition_and_every_record(org: Any, requests: Any) -> None:
    r = client_for(org.dave).get("/zhibiao/gk.on_time_rate/export.xlsx", {"unit": org.district.pk, "year": 2025})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content), read_only=True)
    assert wb.sheetnames == ["定义", "分母中未计入分子的记录", "期末尚未办结且已超期（计为未按期）", "分子", "分母"]
    definition = {row[0]: row[1] for row in wb["定义"].iter_rows(min_row=2, values_only=True)}
    assert definition["数值"] == 66.7 and definition["分子"] == 2 and definition["分母"] == 3
    assert "20个工作日" in definition["口径"] and "分母少于 5 件" in definition["提示"]
    numerator = [row[1] for row in wb["分子"].iter_rows(min_row=2, values_only=True)]
    assert sorted(numerator) == sorted([requests["a"].case_number, requests["b"].case_number])
    # no personal data in the trace
    assert not any("李雷" in str(cell) or "13800001234" in str(cell) for ws in wb for row in ws.iter_rows(values_only=True) for cell in row)


def test_a_yoy_trace_links_to_the_same_records_a_year_earlier(org: Any, requests: Any) -> None:
    html = client_for(org.dave).get("/zhibiao/gk.received.yoy/", {"unit": org.district.pk, "year": 2025}).content.decode()
    assert "上年同期" in html and "/zhibiao/gk.received/?unit=" in html and "start=2024-01-01" in html and "end=2024-12-31" in html
    before = client_for(org.dave).get("/zhibiao/gk.received/", {"unit": org.district.pk, "start": "2024-01-01", "end": "2024-12-31"}).content.decode()
    assert requests["a"].case_number in before and requests["b"].case_number not in before


def test_quarter_month_and_custom_periods(org: Any, requests: Any) -> None:
    c = client_for(org.dave)
    q2 = c.get("/zhibiao/gk.received/", {"unit": org.district.pk, "year": 2025, "quarter": 2}).content.decode()
    assert "2025-04-01 至 2025-06-30" in q2 and requests["b"].case_number not in q2
    march = c.get("/zhibiao/gk.received/", {"unit": org.district.pk, "year": 2025, "month": 3}).content.decode()
    assert requests["c"].case_number in march and requests["b"].case_number not in march


def test_a_user_sees_only_units_their_memberships_reach(org: Any, requests: Any) -> None:
    erin, frank = client_for(org.erin), client_for(org.frank)
    # by default a user's dashboard is their highest unit
    assert "东湖区市场监督管理局" in erin.get("/zhibiao/").content.decode()
    # another district, or the district above one's own department: not found, on every page
    for path in ("/zhibiao/", "/zhibiao/gk.received/", "/zhibiao/gk.received/export.xlsx"):
        assert erin.get(path, {"unit": org.other_district.pk, "year": 2025}).status_code in (400, 404)
        assert erin.get(path, {"unit": org.district.pk, "year": 2025}).status_code in (400, 404)
        assert frank.get(path, {"unit": org.district.pk, "year": 2025}).status_code in (400, 404)
        assert frank.get(path, {"unit": org.other_body.pk, "year": 2025}).status_code == 200
        assert frank.get(path, {"unit": org.other_district.pk, "year": 2025}).status_code in (400, 404)  # above his office
        anonymous = Client().get(path, {"unit": org.district.pk})
        assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_bad_parameters_get_a_chinese_message_not_a_server_error(org: Any, requests: Any) -> None:
    c = client_for(org.dave)
    r = c.get("/zhibiao/", {"year": "abc"})
    assert r.status_code == 400 and "年度" in r.content.decode() and "统计条件无效" in r.content.decode()
    r = c.get("/zhibiao/gk.received/", {"start": "2025-01-01"})
    assert r.status_code == 400 and "起止日期" in r.content.decode()
    r = c.get("/zhibiao/gk.received/", {"start": "2025-05-01", "end": "2025-01-01"})
    assert r.status_code == 400 and "晚于" in r.content.decode()
    assert c.get("/zhibiao/no.such/", {"year": 2025}).status_code == 404
    assert c.get("/zhibiao/", {"unit": 999999}).status_code == 400


def test_a_traces_totals_and_records_are_the_same_read_once_or_counted_in_sql(org: Any, requests: Any, monkeypatch: Any) -> None:
    """Each role's total and first records, taken from its ids read once (the records of the
    denominator the numerator leaves out worked out from those two), equal what a COUNT and an
    ORDER BY ... LIMIT of the role's own query give (the way taken beyond KEYS_AT_MOST records)."""
    from fazhi.indicators import views
    from fazhi.indicators.catalogue import catalogue
    from fazhi.indicators.engine import Period

    ind, period = catalogue()["gk.on_time_rate"], Period.year(2025)
    for unit in (org.district, org.dept):
        for limit in (1, 2, 200):
            read_once = [(t.role, t.total, [r.pk for r in t.records]) for t in views.role_tables(ind, unit, period, limit)]
            monkeypatch.setattr(views, "KEYS_AT_MOST", 0)
            in_sql = [(t.role, t.total, [r.pk for r in t.records]) for t in views.role_tables(ind, unit, period, limit)]
            monkeypatch.undo()
            assert read_once == in_sql
            counts = {role: qs.count() for role, qs in views.roles_of(ind, unit, period).items()}
            assert {role: total for role, total, _ in read_once} == counts
    a, b, c = (requests[k] for k in "abc")
    tables = {t.role: t for t in views.role_tables(ind, org.district, period, 2)}
    assert [r.pk for r in tables["denominator"].records] == [a.pk, b.pk]  # by date received, the first two
    assert tables["denominator"].total == 3 and [r.pk for r in tables["outside"].records] == [c.pk]
