"""Matter-level legal scenarios: whole matters replayed through the services, checked against the law.

A scenario file (``definitions/scenarios/<register>.yaml``) is a list of scenarios. Each names the
article it tests, the register, optionally the day the run pretends it is, the steps a user takes
(``create``, a transition, or ``amend`` with a ``reason``; each ``as`` a role, optionally
``refused: true``) and what the law expects at the end (state, the due date of each clock's last
run — running or stopped —, whether each deadline was kept, field values). Values are written as a user types them in the
form or the ledger: choice codes or their Chinese labels, dates, related rows by code or name.

The runner builds a minimal unit tree and one user per role in the matter's unit, runs each
scenario in its own transaction through ``matter_create`` / ``matter_transition`` /
``matter_amend`` (the same services as the web forms and the ledger import), and rolls it back.
Problems of the file itself (unknown register, transition, field, role, rule, a malformed value)
are ``ScenarioError`` naming the file and line; a scenario whose matter does not behave as
expected fails with the differences.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import models, transaction

from fazhi.audit.models import AuditLeaf
from fazhi.core.errors import DefinitionError, FazhiError
from fazhi.core.models import Kind, Level, Role, Unit
from fazhi.core.services import membership_grant, unit_create
from fazhi.core.strictyaml import LineDict, load_strict
from fazhi.law.clocks import clock_rules
from fazhi.registers.framework.clocks import matter_last_dues
from fazhi.registers.framework.definition import CREATE, Transition
from fazhi.registers.framework.ledger import CellError, cell_value
from fazhi.registers.framework.models import Matter, MatterEvent
from fazhi.registers.framework.registry import REGISTRY, Register, model_field
from fazhi.registers.framework.services import matter_amend, matter_create, matter_transition

KEPT_VALUES = {"met", "late", "open"}
SCENARIO_KEYS = {"name", "reference", "register", "today", "steps", "expect"}
STEP_KEYS = {"as", "refused", "message"}
EXPECT_KEYS = {"state", "due", "kept", "fields", "facts"}
AMEND = "amend"
TZ = ZoneInfo("Asia/Shanghai")


class ScenarioError(Exception):
    """The scenario file itself is wrong (names the file and line)."""


@dataclass
class Step:
    action: str  # "register" (create), a transition name, or "amend"
    values: dict[str, Any]
    role: str
    refused: bool
    message: str
    line: int
    reason: str = ""


@dataclass
class Scenario:
    name: str
    reference: str
    register: str
    today: dt.date | None
    steps: list[Step]
    expect: LineDict
    file: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Outcome:
    scenario: Scenario
    differences: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.differences

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.scenario.name, "passed": self.passed, "differences": self.differences}


# ---------------------------------------------------------------- loading


def scenario_files(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml"))
        elif path.is_file():
            files.append(path)
        else:
            raise ScenarioError(f"{path}: 文件或目录不存在")
    return files


def scenarios_load(paths: Iterable[str | Path]) -> list[Scenario]:
    out: list[Scenario] = []
    for path in scenario_files(paths):
        out += _load_file(path)
    return out


def _fail(filename: str, line: int, message: str) -> ScenarioError:
    return ScenarioError(f"{filename}:{line}: {message}")


def _load_file(path: Path) -> list[Scenario]:
    filename = str(path)
    try:
        raw = load_strict(path)
    except DefinitionError as exc:
        raise ScenarioError(str(exc)) from exc
    if not isinstance(raw, list):
        raise _fail(filename, 1, "顶层应为场景列表（每项以 “- name:” 开头）")
    names: set[str] = set()
    scenarios = []
    for item in raw:
        if not isinstance(item, LineDict):
            raise _fail(filename, 1, "每个场景应为映射")
        sc = _scenario(item, filename)
        if sc.name in names:
            raise _fail(filename, item.line, f"场景名称重复：{sc.name}")
        names.add(sc.name)
        scenarios.append(sc)
    return scenarios


def _scenario(item: LineDict, filename: str) -> Scenario:
    unknown = set(item) - SCENARIO_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise _fail(filename, item.line_of(key), f"不认识的键 {key!r}（可用：{'、'.join(sorted(SCENARIO_KEYS))}）")
    for key in ("name", "reference", "register", "steps"):
        if not item.get(key):
            raise _fail(filename, item.line, f"缺少 {key}")
    register = str(item["register"])
    if register not in REGISTRY:
        raise _fail(filename, item.line_of("register"), f"未知的台账 {register!r}（可用：{'、'.join(sorted(REGISTRY))}）")
    reg = REGISTRY[register]
    today = item.get("today")
    if today is not None and not isinstance(today, dt.date):
        raise _fail(filename, item.line_of("today"), "today 应为日期 YYYY-MM-DD")
    if not isinstance(item["steps"], list):
        raise _fail(filename, item.line_of("steps"), "steps 应为步骤列表")
    steps = [_step(reg, s, filename, item.line_of("steps")) for s in item["steps"]]
    if steps[0].action != CREATE:
        raise _fail(filename, steps[0].line, "第一步应为 create（登记）")
    if any(s.action == CREATE for s in steps[1:]):
        raise _fail(filename, next(s.line for s in steps[1:] if s.action == CREATE), "一个场景只登记一个事项")
    expect = item.get("expect") or LineDict()
    if not isinstance(expect, LineDict):
        raise _fail(filename, item.line_of("expect"), "expect 应为映射")
    _check_expect(reg, expect, filename)
    return Scenario(
        name=str(item["name"]),
        reference=str(item["reference"]),
        register=register,
        today=today if isinstance(today, dt.date) else None,
        steps=steps,
        expect=expect,
        file=filename,
        line=item.line,
    )


def _step(reg: Register, raw: Any, filename: str, line: int) -> Step:
    if not isinstance(raw, LineDict):
        raise _fail(filename, line, "每一步应为映射，如 “- accept: {...}” 下一行 “as: reviewer”")
    actions = [k for k in raw if k not in STEP_KEYS]
    if len(actions) != 1:
        raise _fail(filename, raw.line, "每一步应恰有一个步骤名（create、amend 或本台账的步骤）")
    action = actions[0]
    line = raw.line_of(action)
    values = raw[action] if raw[action] is not None else LineDict()
    if not isinstance(values, dict):
        raise _fail(filename, line, f"步骤 {action} 的字段应为映射 {{字段: 值}}")
    role = raw.get("as")
    if role is None:
        raise _fail(filename, line, f"步骤 {action} 缺少 as（办理人的角色）")
    if role not in Role.values:
        raise _fail(filename, raw.line_of("as"), f"未知角色 {role!r}（可用：{'、'.join(Role.values)}）")
    d = reg.definition
    reason = ""
    values = dict(values)
    if action == "create":
        action, t = CREATE, d.create
    elif action == AMEND:
        reason = str(values.pop("reason", "") or "")
        t = Transition(name=AMEND, label="更正", sources=(), target="", roles=d.amend_roles, fields=(), optional=d.amendable)
    elif action in d.transitions:
        t = d.transitions[action]
    else:
        raise _fail(filename, line, f"{d.label}没有步骤 {action!r}（可用：create、amend、{'、'.join(d.transitions)}）")
    allowed = set(t.fields) | set(t.optional)
    for name in values:
        if name not in allowed:
            raise _fail(filename, line, f"步骤 {action} 不接受字段 {name!r}（可用：{'、'.join(sorted(allowed)) or '无'}）")
    refused = raw.get("refused", False)
    if not isinstance(refused, bool):
        raise _fail(filename, raw.line_of("refused"), "refused 应为 true 或 false")
    message = str(raw.get("message", "") or "")
    if message and not refused:
        raise _fail(filename, raw.line_of("message"), "message 只用于 refused: true 的步骤")
    static = {n: _static_value(reg, n, v, filename, line) for n, v in values.items()}
    return Step(action=action, values=static, role=str(role), refused=refused, message=message, line=line, reason=reason)


def _static_value(reg: Register, name: str, raw: Any, filename: str, line: int) -> Any:
    """Choices, dates and booleans are checked when the file loads; related rows when the step runs."""
    f = model_field(reg.model, name)
    if raw is None or isinstance(f, models.ForeignKey):
        return raw
    try:
        return cell_value(reg, name, raw, {})
    except CellError as exc:
        raise _fail(filename, line, f"字段 {name}：{exc}") from exc


def _rule_names() -> set[str]:
    return set(clock_rules())


def _check_expect(reg: Register, expect: LineDict, filename: str) -> None:
    unknown = set(expect) - EXPECT_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise _fail(filename, expect.line_of(key), f"expect 不认识的键 {key!r}（可用：{'、'.join(sorted(EXPECT_KEYS))}）")
    if "state" in expect and _state_code(reg, str(expect["state"])) is None:
        raise _fail(filename, expect.line_of("state"), f"{reg.definition.label}没有状态 {expect['state']!r}")
    rules = _rule_names()
    for key in ("due", "kept"):
        block = expect.get(key)
        if block is None:
            continue
        if not isinstance(block, dict):
            raise _fail(filename, expect.line_of(key), f"expect.{key} 应为映射 {{时限规则: 值}}")
        for rule, value in block.items():
            if rule not in rules:
                raise _fail(filename, expect.line_of(key), f"未知的时限规则 {rule!r}")
            if key == "due" and value is not None and not isinstance(value, dt.date):
                raise _fail(filename, expect.line_of(key), f"{rule} 的期限应为日期或 null")
            if key == "kept" and value not in KEPT_VALUES:
                raise _fail(filename, expect.line_of(key), f"{rule} 应为 met、late 或 open")
    facts = expect.get("facts")
    if facts is not None and not isinstance(facts, dict):
        raise _fail(filename, expect.line_of("facts"), "expect.facts 应为映射 {事实: 值}")
    fields = expect.get("fields")
    if fields is not None:
        if not isinstance(fields, dict):
            raise _fail(filename, expect.line_of("fields"), "expect.fields 应为映射 {字段: 值}")
        for name in fields:
            try:
                model_field(reg.model, name)
            except Exception as exc:
                raise _fail(filename, expect.line_of("fields"), f"{reg.definition.label}没有字段 {name!r}") from exc


def _state_code(reg: Register, text: str) -> str | None:
    for s in reg.definition.states.values():
        if text in (s.name, s.label):
            return s.name
    return None


# ---------------------------------------------------------------- the world a scenario runs in

# The matter's unit per register (every other register: a district department).
HOME_UNIT = {"reconsideration": "SC-D-J-FY", "legal_aid": "SC-D-J-LA", "mediation": "SC-D-S1-SF", "mediation_screening": "SC-D-S1-SF"}
DEFAULT_HOME = "SC-D-SJ"


def world_units() -> dict[str, Unit]:
    """The minimal unit tree (created once per database, inside the caller's transaction)."""
    existing = {u.code: u for u in Unit.objects.filter(code__startswith="SC")}
    if existing:
        return existing
    city = unit_create(name="场景市人民政府", short_name="场景市", code="SC", level=Level.CITY, kind=Kind.GOVERNMENT)
    district = unit_create(name="场景区人民政府", short_name="场景区", code="SC-D", level=Level.DISTRICT, kind=Kind.GOVERNMENT, parent=city)
    justice = unit_create(name="场景区司法局", short_name="场司", code="SC-D-J", level=Level.DISTRICT, kind=Kind.DEPARTMENT, parent=district)
    units = [
        city,
        district,
        justice,
        unit_create(
            name="场景区人民政府行政复议办公室",
            short_name="场复",
            code="SC-D-J-FY",
            level=Level.DISTRICT,
            kind=Kind.SECTION,
            parent=justice,
            is_reconsideration_body=True,
        ),
        unit_create(name="场景区法律援助中心", short_name="场援", code="SC-D-J-LA", level=Level.DISTRICT, kind=Kind.STATION, parent=justice),
        unit_create(name="场景区市场监督管理局", short_name="场监", code="SC-D-SJ", level=Level.DISTRICT, kind=Kind.DEPARTMENT, parent=district),
    ]
    street = unit_create(name="场景街道办事处", short_name="场街", code="SC-D-S1", level=Level.SUBDISTRICT, kind=Kind.GOVERNMENT, parent=district)
    units += [street, unit_create(name="场景街道司法所", short_name="场所", code="SC-D-S1-SF", level=Level.SUBDISTRICT, kind=Kind.STATION, parent=street)]
    return {u.code: u for u in units}


def home_unit(register: str) -> Unit:
    return world_units()[HOME_UNIT.get(register, DEFAULT_HOME)]


def role_user(unit: Unit, role: str) -> Any:
    """The one user of ``role`` in ``unit``."""
    username = f"sc_{unit.code.lower().replace('-', '_')}_{role}"
    user, created = get_user_model().objects.get_or_create(username=username, defaults={"first_name": f"{unit.short_name}{Role(role).label}"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        membership_grant(user=user, unit=unit, role=role)
    return user


def _register_hook(reg: Register, name: str) -> Any:
    """A register's own scenario support in ``<app>/scenario.py``: ``scenario_setup(unit)`` makes
    the rows its forms refer to (officers, power items, committees); ``scenario_facts(matter)``
    states what the register derives from a matter outside its fields (e.g. 以罚代刑 flags)."""
    package = reg.model.__module__.rsplit(".", 1)[0]
    try:
        module = importlib.import_module(f"{package}.scenario")
    except ModuleNotFoundError as exc:
        if exc.name != f"{package}.scenario":
            raise
        return None
    return getattr(module, name, None)


def _register_setup(reg: Register) -> Callable[[Unit], None] | None:
    setup: Callable[[Unit], None] | None = _register_hook(reg, "scenario_setup")
    return setup


# ---------------------------------------------------------------- running


class _Rollback(Exception):
    pass


def scenario_run(sc: Scenario) -> Outcome:
    """Run one scenario in a transaction that is always rolled back."""
    outcome = Outcome(sc)
    try:
        _run_rolled_back(sc, outcome)
    except ScenarioError:
        raise
    except Exception as exc:  # a crash of the code under test fails this scenario, not the run
        outcome.differences.append(f"运行出错：{type(exc).__name__}：{exc}")
    return outcome


def _run_rolled_back(sc: Scenario, outcome: Outcome) -> None:
    try:
        with transaction.atomic():
            if sc.today is not None:
                import time_machine

                noon = dt.datetime.combine(sc.today, dt.time(12), tzinfo=TZ)
                with time_machine.travel(noon, tick=False):
                    _play(sc, outcome)
            else:
                _play(sc, outcome)
            raise _Rollback
    except _Rollback:
        pass


def _counts() -> tuple[int, int]:
    return MatterEvent.objects.count(), AuditLeaf.objects.count()


def _play(sc: Scenario, outcome: Outcome) -> None:
    reg = REGISTRY[sc.register]
    unit = home_unit(sc.register)
    setup = _register_setup(reg)
    if setup is not None:
        setup(unit)
    matter: Matter | None = None
    for i, step in enumerate(sc.steps, 1):
        where = f"第{i}步 {step.action if step.action != CREATE else 'create'}（{sc.file}:{step.line}）"
        actor = role_user(unit, step.role)
        before = _counts()
        try:
            values = {n: _runtime_value(reg, n, v, sc, step) for n, v in step.values.items()}
            with transaction.atomic():
                if step.action == CREATE:
                    matter = matter_create(register=sc.register, unit=unit, actor=actor, data=values)
                else:
                    assert matter is not None
                    if step.action == AMEND:
                        matter_amend(matter=matter, actor=actor, changes=values, reason=step.reason)
                    else:
                        matter_transition(matter=matter, transition=step.action, actor=actor, data=values)
        except FazhiError as exc:
            if not step.refused:
                outcome.differences.append(f"{where}：被拒绝：{exc.message}")
                return
            if step.message and step.message not in exc.message:
                outcome.differences.append(f"{where}：拒绝理由应包含“{step.message}”，实际为：{exc.message}")
            if _counts() != before:
                outcome.differences.append(f"{where}：被拒绝的步骤仍写入了记录")
            continue
        if step.refused:
            outcome.differences.append(f"{where}：依法应当拒绝，但系统接受了")
            if step.action == CREATE:
                return
    if matter is not None:
        _compare(sc, reg, matter, outcome)


def _runtime_value(reg: Register, name: str, value: Any, sc: Scenario, step: Step) -> Any:
    f = model_field(reg.model, name)
    if value is None or not isinstance(f, models.ForeignKey):
        return value
    try:
        return cell_value(reg, name, value, {})
    except CellError as exc:
        raise ScenarioError(f"{sc.file}:{step.line}: 字段 {name}：{exc}") from exc


def _compare(sc: Scenario, reg: Register, matter: Matter, outcome: Outcome) -> None:
    matter.refresh_from_db()
    expect = sc.expect
    diff = outcome.differences
    if "state" in expect:
        want = _state_code(reg, str(expect["state"]))
        if matter.state != want:
            states = reg.definition.states
            diff.append(f"状态：应为“{states[str(want)].label}”，实际为“{states[matter.state].label}”")
    dues = matter_last_dues(matter)
    for rule, want in (expect.get("due") or {}).items():
        got = dues.get(rule)
        if got != want:
            diff.append(f"{_label(rule)}的期限：应为 {_day(want)}，实际为 {_day(got)}")
    for rule, want in (expect.get("kept") or {}).items():
        got = (matter.deadlines or {}).get(rule, "open")
        if got != want:
            diff.append(f"{_label(rule)}：应为{KEPT_LABEL[want]}，实际为{KEPT_LABEL[got]}")
    wanted = expect.get("facts") or {}
    if wanted:
        facts_of = _register_hook(reg, "scenario_facts")
        facts: dict[str, Any] = facts_of(matter) if facts_of else {}
        for name, want in wanted.items():
            if name not in facts:
                diff.append(f"{reg.definition.label}没有可核对的事实“{name}”（可用：{'、'.join(facts) or '无'}）")
            elif str(facts[name]) != str(want):
                diff.append(f"{name}：应为 {want}，实际为 {facts[name]}")
    for name, raw in (expect.get("fields") or {}).items():
        want = _static_value(reg, name, raw, sc.file, expect.line_of("fields"))
        f = model_field(reg.model, name)
        if isinstance(f, models.ForeignKey):
            want = _runtime_value(reg, name, raw, sc, sc.steps[0])
            got = getattr(matter, f.attname)
        else:
            got = getattr(matter, name)
        if _norm(f, got) != _norm(f, want):
            diff.append(f"字段 {name}：应为 {raw}，实际为 {'空' if got in (None, '') else got}")


KEPT_LABEL = {"met": "按期", "late": "超期", "open": "未结束"}


def _label(rule: str) -> str:
    r = clock_rules().get(rule)
    return f"{r.label}（{rule}）" if r else rule


def _day(day: dt.date | None) -> str:
    return day.isoformat() if day else "无（未计时或中止中）"


def _norm(f: Any, value: Any) -> Any:
    if value in (None, ""):
        return None
    return f.to_python(value)


def scenarios_run(scenarios: Iterable[Scenario], progress: Callable[[Outcome], None] | None = None) -> Iterator[Outcome]:
    with transaction.atomic():
        world_units()
    for sc in scenarios:
        outcome = scenario_run(sc)
        if progress:
            progress(outcome)
        yield outcome
