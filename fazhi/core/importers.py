"""Import of the unit tree and the users from a spreadsheet. All-or-nothing, re-runnable."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from fazhi.core.errors import ImportFailed, PermissionDenied
from fazhi.core.models import Kind, Level, Membership, Role, Unit
from fazhi.core.pagecache import RECORDS, bump
from fazhi.core.selectors import user_is_admin
from fazhi.core.services import unit_create
from fazhi.core.tabular import parse_bool, read_table
from fazhi.core.types import Actor

UNIT_COLUMNS = ["单位编码", "单位名称", "简称", "上级单位编码", "层级", "类型"]
UNIT_OPTIONAL = ["依法治区办", "行政复议机构"]
USER_COLUMNS = ["用户名", "姓名", "单位编码", "角色"]
USER_OPTIONAL = ["初始密码"]

LEVELS = {label: value for value, label in Level.choices} | {
    "区": Level.DISTRICT,
    "县": Level.DISTRICT,
    "街道": Level.SUBDISTRICT,
    "乡镇": Level.SUBDISTRICT,
    "社区": Level.COMMUNITY,
    "村": Level.COMMUNITY,
}
KINDS = {label: value for value, label in Kind.choices} | {"政府": Kind.GOVERNMENT}
ROLES = {label: value for value, label in Role.choices}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        return f"新增 {self.created} 条，更新 {self.updated} 条，未变 {self.unchanged} 条"


def _require_admin(actor: Actor | None) -> None:
    if actor is not None and not user_is_admin(actor):
        raise PermissionDenied("只有系统管理员可以导入单位和人员")


def units_import(*, data: bytes, filename: str, actor: Actor | None = None, progress: Callable[[int], None] | None = None) -> ImportResult:
    _require_admin(actor)
    table = read_table(data, filename, required=UNIT_COLUMNS)
    problems: list[str] = []
    existing = {u.code: u for u in Unit.objects.all()}
    seen: dict[str, int] = {}
    parsed = []
    for row, r in table.rows:
        code, name, short = str(r["单位编码"]), str(r["单位名称"]), str(r["简称"])
        parent_code = str(r["上级单位编码"] or "")
        for col, val in (("单位编码", code), ("单位名称", name), ("简称", short)):
            if not val:
                problems.append(f"第{row}行“{col}”：不能为空")
        if code in seen:
            problems.append(f"第{row}行“单位编码”：{code} 与第{seen[code]}行重复")
        seen[code] = row
        level, kind = LEVELS.get(str(r["层级"])), KINDS.get(str(r["类型"]))
        if level is None:
            problems.append(f"第{row}行“层级”：无法识别“{r['层级']}”，应为 {'、'.join(str(label) for _, label in Level.choices)}")
        if kind is None:
            problems.append(f"第{row}行“类型”：无法识别“{r['类型']}”，应为 {'、'.join(str(label) for _, label in Kind.choices)}")
        flags = {}
        for col in UNIT_OPTIONAL:
            value = parse_bool(r.get(col, ""))
            if value is None:
                problems.append(f"第{row}行“{col}”：应填“是”或“否”，而不是“{r.get(col)}”")
            flags[col] = bool(value)
        if parent_code and parent_code not in existing and parent_code not in seen:
            problems.append(f"第{row}行“上级单位编码”：找不到单位 {parent_code}（上级单位须已存在或在本文件中排在前面）")
        if code in existing:
            current = existing[code]
            current_parent = current.parent.code if current.parent else ""
            if current_parent != parent_code:
                problems.append(f"第{row}行“上级单位编码”：单位 {code} 已挂在 {current_parent or '（根）'} 下，导入不能移动单位，请在后台调整")
        parsed.append((code, name, short, parent_code, level, kind, flags))
    if problems:
        raise ImportFailed(problems)
    result = ImportResult()
    with transaction.atomic():
        for code, name, short, parent_code, level, kind, flags in parsed:
            values = {
                "name": name,
                "short_name": short,
                "level": level,
                "kind": kind,
                "is_rule_of_law_office": flags["依法治区办"],
                "is_reconsideration_body": flags["行政复议机构"],
            }
            if code in existing:
                unit = existing[code]
                if all(getattr(unit, k) == v for k, v in values.items()):
                    result.unchanged += 1
                else:
                    Unit.objects.filter(pk=unit.pk).update(**values)
                    bump(RECORDS)  # an update sends no post_save: the cached figures show unit names
                    result.updated += 1
            else:
                parent = existing.get(parent_code) if parent_code else None
                existing[code] = unit_create(code=code, parent=parent, **values)  # type: ignore[arg-type]
                result.created += 1
            if progress:
                progress(1)
    return result


def users_import(*, data: bytes, filename: str, actor: Actor | None = None, progress: Callable[[int], None] | None = None) -> ImportResult:
    _require_admin(actor)
    table = read_table(data, filename, required=USER_COLUMNS)
    problems: list[str] = []
    units = {u.code: u for u in Unit.objects.all()}
    user_model = get_user_model()
    users = {u.username: u for u in user_model.objects.all()}
    parsed = []
    for row, r in table.rows:
        username, name, code, role_label = str(r["用户名"]), str(r["姓名"]), str(r["单位编码"]), str(r["角色"])
        if not username or not username.replace("_", "").replace(".", "").isalnum() or not username.isascii():
            problems.append(f"第{row}行“用户名”：“{username}”无效，只能使用字母、数字、下划线和点")
        if not name:
            problems.append(f"第{row}行“姓名”：不能为空")
        if code not in units:
            problems.append(f"第{row}行“单位编码”：找不到单位 {code}")
        role = ROLES.get(role_label)
        if role is None:
            problems.append(f"第{row}行“角色”：无法识别“{role_label}”，应为 {'、'.join(ROLES)}")
        password = str(r.get("初始密码", "") or "")
        if password and len(password) < 8:
            problems.append(f"第{row}行“初始密码”：至少8位")
        parsed.append((username, name, code, role, password))
    if problems:
        raise ImportFailed(problems)
    result = ImportResult()
    with transaction.atomic():
        for username, name, code, role, password in parsed:
            user = users.get(username)
            is_new, renamed = user is None, False
            if user is None:
                user = user_model(username=username, first_name=name, password=make_password(password or None))
                user.save()
                users[username] = user
            elif user.first_name != name:
                user.first_name = name
                user.save(update_fields=["first_name"])
                renamed = True
            _, granted = Membership.objects.get_or_create(user=user, unit=units[code], role=role)
            if is_new:
                result.created += 1
            elif renamed or granted:
                result.updated += 1
            else:
                result.unchanged += 1
            if progress:
                progress(1)
    return result


# Importers of directories by name, for `fazhi import NAME FILE`; apps add theirs in ready().
Importer = Callable[..., ImportResult]
IMPORTERS: dict[str, Importer] = {"units": units_import, "users": users_import}
