"""Unit and user import: good files, re-import, and a corpus of bad files."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from conftest import PASSWORD
from fazhi.core.errors import ImportFailed, PermissionDenied
from fazhi.core.importers import units_import, users_import
from fazhi.core.models import Membership, Unit

UNIT_HEADER = ["单位编码", "单位名称", "简称", "上级单位编码", "层级", "类型", "依法治区办", "行政复议机构"]
UNITS = [
    ["N", "南湖市人民政府", "南湖", "", "市", "人民政府", "否", "否"],
    ["N-Q", "南湖市青山区人民政府", "青山", "N", "区(县)", "人民政府", "否", "否"],
    ["N-Q-SF", "青山区司法局", "司法", "N-Q", "区(县)", "部门", "否", "否"],
    ["N-Q-FY", "青山区行政复议办公室", "青", "N-Q-SF", "区(县)", "科室", "否", "是"],
    ["N-Q-J1", "青山区红旗街道办事处", "红旗", "N-Q", "街道(乡镇)", "人民政府", "否", "否"],
]
USER_HEADER = ["用户名", "姓名", "单位编码", "角色", "初始密码"]


def xlsx(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows: list[list[Any]], encoding: str) -> bytes:
    return "\n".join(",".join(str(c) for c in r) for r in rows).encode(encoding)


def test_units_import_builds_the_tree_and_is_idempotent(db: Any) -> None:
    result = units_import(data=xlsx([UNIT_HEADER, *UNITS]), filename="units.xlsx")
    assert result.created == 5
    body = Unit.objects.get(code="N-Q-FY")
    assert body.is_reconsideration_body and body.is_within(Unit.objects.get(code="N-Q"))
    again = units_import(data=xlsx([UNIT_HEADER, *UNITS]), filename="units.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert Unit.objects.count() == 5


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_utf8_and_gbk(db: Any, encoding: str) -> None:
    units_import(data=csv_bytes([UNIT_HEADER, *UNITS], encoding), filename="units.csv")
    assert Unit.objects.get(code="N-Q-J1").name == "青山区红旗街道办事处"


def test_users_import_grants_roles(db: Any) -> None:
    units_import(data=xlsx([UNIT_HEADER, *UNITS]), filename="u.xlsx")
    data = xlsx([USER_HEADER, ["qs_clerk", "王芳", "N-Q-FY", "经办人", "password123"], ["qs_office", "李强", "N-Q", "依法治区办", ""]])
    assert users_import(data=data, filename="users.xlsx").created == 2
    assert Membership.objects.get(user__username="qs_clerk").unit.code == "N-Q-FY"
    again = users_import(data=data, filename="users.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Client().login(username="qs_clerk", password="password123")


BAD = [
    ("wrong columns", [["编码", "名称"], ["N", "x"]], "缺少必需的列"),
    ("bad level", [UNIT_HEADER, ["M", "北山市", "北山", "", "省", "人民政府", "否", "否"]], "第3行“层级”：无法识别“省”"),
    ("unknown parent", [UNIT_HEADER, ["N-Q", "青山区", "青山", "NOPE", "区(县)", "人民政府", "否", "否"]], "第3行“上级单位编码”：找不到单位 NOPE"),
    ("duplicate code", [UNIT_HEADER, UNITS[0], UNITS[0]], "第3行“单位编码”：N 与第2行重复"),
    ("bad flag", [UNIT_HEADER, ["M", "北山市", "北山", "", "市", "人民政府", "也许", "否"]], "第3行“依法治区办”：应填“是”或“否”"),
    ("header only", [UNIT_HEADER], "没有数据行"),
    ("empty sheet", [], "工作表为空"),
]


@pytest.mark.parametrize(("name", "rows", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_unit_files_are_refused_whole(db: Any, name: str, rows: list[list[Any]], message: str) -> None:
    # A good row first: it must not be written when a later row is bad.
    body = rows if name in ("wrong columns", "header only", "empty sheet", "duplicate code") else [rows[0], UNITS[0], *rows[1:]]
    with pytest.raises(ImportFailed) as exc:
        units_import(data=xlsx(body), filename="units.xlsx")
    assert any(message in p for p in exc.value.problems), exc.value.problems
    assert Unit.objects.count() == 0


def test_bad_files_of_other_kinds(db: Any, settings: Any) -> None:
    with pytest.raises(ImportFailed, match="不支持的文件类型"):
        units_import(data=b"x", filename="units.pdf")
    with pytest.raises(ImportFailed, match="无法读取表格文件"):
        units_import(data=b"PK\x03\x04 not really a zip", filename="units.xlsx")
    with pytest.raises(ImportFailed, match="文件为空"):
        units_import(data=b"", filename="units.csv")
    with pytest.raises(ImportFailed, match="无法识别文件编码"):
        units_import(data=b"\xff\xfe\xfa\xfb\x81\x20", filename="units.csv")
    settings.FAZHI_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ImportFailed, match="文件过大"):
        units_import(data=b"a" * 2048, filename="units.csv")


def test_bad_user_rows_name_row_and_field(db: Any) -> None:
    units_import(data=xlsx([UNIT_HEADER, *UNITS]), filename="u.xlsx")
    data = xlsx([USER_HEADER, ["ok_user", "王芳", "N-Q", "经办人", ""], ["张三", "张三", "N-Q", "经办人", ""], ["x2", "", "NOPE", "法官", "123"]])
    with pytest.raises(ImportFailed) as exc:
        users_import(data=data, filename="users.xlsx")
    text = "\n".join(exc.value.problems)
    for expected in ["第3行“用户名”", "第4行“姓名”", "第4行“单位编码”：找不到单位 NOPE", "第4行“角色”：无法识别“法官”", "第4行“初始密码”：至少8位"]:
        assert expected in text
    assert not Membership.objects.exists()


def test_only_admins_import(org: Any) -> None:
    with pytest.raises(PermissionDenied):
        units_import(data=xlsx([UNIT_HEADER, *UNITS]), filename="units.xlsx", actor=org.alice)


def test_the_command_prints_the_errors(db: Any, tmp_path: Any) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(csv_bytes([UNIT_HEADER, ["N", "南湖市", "南湖", "", "省", "人民政府", "否", "否"]], "gbk"))
    with pytest.raises(CommandError, match="第2行“层级”"):
        call_command("import", "units", str(path))
    path.write_bytes(csv_bytes([UNIT_HEADER, *UNITS], "gbk"))
    out = io.StringIO()
    call_command("import", "units", str(path), stdout=out)
    assert "新增 5 条" in out.getvalue()


def test_the_import_page_is_for_admins_only(org: Any) -> None:
    client = Client()
    client.login(username="alice", password=PASSWORD)
    assert client.get(reverse("org_import")).status_code == 404
    assert client.get(reverse("org_import_template", args=["units"])).status_code == 404
    client.login(username="admin", password=PASSWORD)
    assert client.get(reverse("org_import_template", args=["units"])).status_code == 200
    upload = io.BytesIO(xlsx([UNIT_HEADER, ["Z", "某单位", "某", "NOPE", "市", "人民政府", "否", "否"]]))
    upload.name = "units.xlsx"
    page = client.post(reverse("org_import"), {"kind": "units", "file": upload}).content.decode()
    assert "找不到单位 NOPE" in page and not Unit.objects.filter(code="Z").exists()
    upload = io.BytesIO(xlsx([UNIT_HEADER, ["Z", "某单位", "某", "T", "市", "人民政府", "否", "否"]]))
    upload.name = "units.xlsx"
    assert client.post(reverse("org_import"), {"kind": "units", "file": upload}).status_code == 302
    assert Unit.objects.get(code="Z").parent == org.city
