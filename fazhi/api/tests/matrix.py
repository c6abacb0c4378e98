"""The API's permission matrix over the demo: every operation of the OpenAPI schema, for system
accounts of different units, roles and scopes, against a record inside and a record outside their
reach. Nothing of another unit may be visible or writable: a detail or a step outside answers 404
(or 403 where the token itself is refused) without the record's case number, a list holds only
records of the account's units, a creation in another unit writes nothing, an indicator of another
unit is refused, a trace lists only records of the account's units. Run inside a transaction that
is rolled back (the writes that are allowed go through the services and change the demo)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.test import Client

from fazhi.api.services import api_client_create
from fazhi.api.urls import api
from fazhi.core.models import Role, Unit
from fazhi.indicators.catalogue import catalogue
from fazhi.registers.framework.models import MatterEvent
from fazhi.registers.framework.registry import REGISTRY

WRITE_ROLES = [Role.CLERK, Role.REVIEWER, Role.HEAD]


@dataclass
class Account:
    label: str
    token: str
    unit: Unit
    write: bool
    registers: list[str] = field(default_factory=list)

    def reaches(self, unit_path: str) -> bool:
        return unit_path.startswith(self.unit.path)

    def allowed(self, register: str) -> bool:
        return not self.registers or register in self.registers


@dataclass
class MatrixResult:
    operations: int = 0
    pairs: int = 0
    requests: int = 0
    leaks: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)


class _Rollback(Exception):
    pass


def _accounts(district_code: str, department_code: str, other_code: str, which: int) -> list[Account]:
    district, department, other = (Unit.objects.get(code=c) for c in (district_code, department_code, other_code))
    out = []
    for label, unit, roles, write, registers in [
        ("部门（可写）", department, WRITE_ROLES, True, []),
        ("全区（只读，依法治区办）", district, [Role.RULE_OF_LAW_OFFICE, Role.CLERK], False, []),
        ("另一区（可写）", other, WRITE_ROLES, True, []),
        ("全区（只读，仅信息公开）", district, [Role.CLERK], False, ["disclosure"]),
    ][:which]:
        _client, token = api_client_create(name=f"矩阵-{label}", units=[unit], roles=roles, registers=registers, can_write=write, per_minute=10**6)
        out.append(Account(label, token, unit, write, registers))
    return out


def _body(schema: dict[str, Any], ref: str, matter: Any, unit: Unit) -> dict[str, Any]:
    """A body valid by the schema: the record's own values where it has them, plausible ones elsewhere."""
    model = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    body: dict[str, Any] = {}
    for name in model.get("required", []):
        prop = model["properties"][name]
        current = getattr(matter, f"{name}_id", None) if matter is not None and hasattr(matter, f"{name}_id") else getattr(matter, name, None)
        if name == "unit":
            body[name] = unit.pk
        elif "enum" in prop:
            body[name] = current if current in prop["enum"] else prop["enum"][0]
        elif prop.get("format") == "date":
            body[name] = (current if isinstance(current, dt.date) else dt.date.today()).isoformat()
        elif prop.get("type") == "integer":
            body[name] = current if isinstance(current, int) and current > 0 else 1
        elif prop.get("type") == "boolean":
            body[name] = bool(current)
        elif prop.get("type") == "string":
            body[name] = str(current)[: prop.get("maxLength", 50)] if current not in (None, "") else "接口矩阵测试"
        else:
            body[name] = "1"
    return body


def api_matrix(district_code: str = "JC-MD", department_code: str = "JC-MD-D02", other_code: str = "JC-GH", accounts: int = 4) -> MatrixResult:
    """``accounts``: how many of the four kinds of account to try (the demo tries the first three
    over every register's records; the small organisation all four)."""
    result = MatrixResult()
    try:
        with transaction.atomic():
            _run(result, _accounts(district_code, department_code, other_code, accounts))
            raise _Rollback
    except _Rollback:
        pass
    return result


def _run(result: MatrixResult, accounts: list[Account]) -> None:
    schema = api.get_openapi_schema()
    ops = [(method, path, op) for path, item in schema["paths"].items() for method, op in item.items()]
    result.operations = len(ops)
    http = Client()
    all_units = list(Unit.objects.order_by("path"))

    def send(account: Account, method: str, path: str, body: Any = None, **params: Any) -> Any:
        result.requests += 1
        headers = {"HTTP_AUTHORIZATION": f"Bearer {account.token}"}
        if method == "get":
            r = http.get(path, params, **headers)
        else:
            r = http.post(path, json.dumps(body or {}, ensure_ascii=False), content_type="application/json", **headers)
        if r.status_code >= 500:
            result.server_errors.append(f"{account.label} {method.upper()} {path}: {r.status_code}")
        return r

    def leak(account: Account, what: str) -> None:
        result.leaks.append(f"{account.label}: {what}")

    for account in accounts:
        inside_unit = account.unit
        outside_unit = next(u for u in all_units if not account.reaches(u.path))
        targets: dict[str, tuple[Any, Any]] = {}
        for reg in REGISTRY.values():
            qs = reg.model.objects.select_related("unit").order_by("pk")
            targets[reg.name] = (
                qs.filter(unit__path__startswith=account.unit.path).first(),
                qs.exclude(unit__path__startswith=account.unit.path).first(),
            )
        for method, path, op in ops:
            parts = path.split("/")
            if path.startswith("/api/v1/registers/") and len(parts) > 5:
                _register_op(result, account, method, path, op, parts[4], targets[parts[4]], inside_unit, outside_unit, schema, send, leak)
            elif path == "/api/v1/registers/":
                result.pairs += 1
                codes = {r["code"] for r in send(account, "get", path).json()}
                if account.registers and codes != set(account.registers):
                    leak(account, f"台账列表含未授权的台账 {codes - set(account.registers)}")
            elif path == "/api/v1/indicators/":
                result.pairs += 2
                r = send(account, "get", path, unit=outside_unit.pk)
                if r.status_code not in (404, 422) or "values" in r.json():  # 422: the unit is not among the choices
                    leak(account, f"读取了{outside_unit.name}的指标")
                send(account, "get", path, unit=inside_unit.pk)
            elif path == "/api/v1/indicators/{code}/trace":
                for code in _one_indicator_per_register():
                    result.pairs += 2
                    url = path.replace("{code}", code)
                    r = send(account, "get", url, unit=outside_unit.pk, year=dt.date.today().year)
                    if r.status_code not in (404, 422) or "roles" in r.json():
                        leak(account, f"追溯了{outside_unit.name}的指标 {code}")
                    r = send(account, "get", url, unit=inside_unit.pk, year=dt.date.today().year, limit=500)
                    if r.status_code == 200:
                        _trace_in_scope(account, code, r.json(), leak)
            else:  # published documents: public
                result.pairs += 1
                target = path.replace("{pk}", "1")
                if send(account, method, target).status_code not in (200, 404):
                    leak(account, f"{path} 未按公开内容返回")


def _one_indicator_per_register() -> list[str]:
    seen: dict[str, str] = {}
    for code, ind in catalogue().items():
        if ind.type in ("count", "share", "on_time") and not ind.table:
            seen.setdefault(ind.register, code)
    return list(seen.values())


def _trace_in_scope(account: Account, code: str, body: dict[str, Any], leak: Any) -> None:
    ind = catalogue()[code]
    model = REGISTRY[ind.register].model
    for role in body["roles"]:
        ids = [row["id"] for row in role["rows"]]
        outside = model.objects.filter(pk__in=ids).exclude(unit__path__startswith=account.unit.path).count()
        if outside:
            leak(account, f"指标 {code} 的追溯列出了 {outside} 件其他单位的记录")


def _register_op(
    result: MatrixResult,
    account: Account,
    method: str,
    path: str,
    op: dict[str, Any],
    register: str,
    target: tuple[Any, Any],
    inside_unit: Unit,
    outside_unit: Unit,
    schema: dict[str, Any],
    send: Any,
    leak: Any,
) -> None:
    inside, outside = target
    allowed = account.allowed(register)
    ref = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
    if path.endswith("/matters") and method == "get":
        result.pairs += 1
        r = send(account, "get", path, limit=200)
        if not allowed:
            if r.status_code != 403:
                leak(account, f"读取了未授权的{register}台账")
            return
        model = REGISTRY[register].model
        ids = [m["id"] for m in r.json()["results"]]
        stray = model.objects.filter(pk__in=ids).exclude(unit__path__startswith=account.unit.path).count()
        if stray:
            leak(account, f"{register} 列表含 {stray} 件其他单位的记录")
        if r.json()["count"] != model.objects.filter(unit__path__startswith=account.unit.path).count():
            leak(account, f"{register} 列表总数与本单位记录数不符")
        return
    if path.endswith("/matters") and method == "post":
        model = REGISTRY[register].model
        for unit, is_inside in ((outside_unit, False), (inside_unit, True)):
            result.pairs += 1
            before = model.objects.filter(unit=unit).count()
            r = send(account, "post", path, _body(schema, ref, None, unit))
            created = model.objects.filter(unit=unit).count() - before
            if (not is_inside or not account.write or not allowed) and (created or r.status_code < 400):
                leak(account, f"在{unit.name}登记了{register}（{r.status_code}）")
        return
    if path.endswith("/") and "{pk}" not in path:  # the register's description
        result.pairs += 1
        if send(account, "get", path).status_code != (200 if allowed else 403):
            leak(account, f"{register} 台账说明的权限不符")
        return
    for matter, is_inside in ((outside, False), (inside, True)):
        if matter is None:
            continue
        result.pairs += 1
        url = path.replace("{pk}", str(matter.pk))
        events = MatterEvent.objects.filter(register=register, object_id=matter.pk).count()
        r = send(account, method, url, _body(schema, ref, matter, matter.unit) if method == "post" else None)
        text = r.content.decode()
        wrote = MatterEvent.objects.filter(register=register, object_id=matter.pk).count() != events
        if not is_inside:
            if r.status_code not in (403, 404) or matter.case_number in text or wrote:
                leak(account, f"{method.upper()} {url} 触及其他单位的案件（{r.status_code}）")
        elif not allowed and r.status_code != 403:
            leak(account, f"{method.upper()} {url} 未授权的台账未被拒绝（{r.status_code}）")
        elif method == "post" and not account.write and (r.status_code != 403 or wrote):
            leak(account, f"只读账号写入了 {url}（{r.status_code}）")
