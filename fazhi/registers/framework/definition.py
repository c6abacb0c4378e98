"""Register definitions: ``definitions/registers/<name>.yaml`` loaded into typed objects.

A definition declares a register's lifecycle (states, transitions, the roles that may take
each, the fields each requires), its outcome vocabulary, its case-number template and the
transitions that start, pause, resume, extend, restart or stop its clocks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

from fazhi.core.errors import DefinitionError
from fazhi.core.models import Role
from fazhi.core.strictyaml import LineDict, check_keys, load_strict

CREATE = "register"  # the pseudo-transition that creates a matter
SAME = "same"  # `to: same`: a step that records something (a hearing, a meeting) and keeps the state


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    fields: tuple[str, ...]  # required
    optional: tuple[str, ...] = ()
    date_field: str | None = None  # the field holding the legal date of this step
    max_times: int | None = None
    clock_event: str | None = None  # e.g. correction_requested, suspended, extended
    style: str = "primary"
    # Workflows only: the field naming the unit whose roles are checked (default: the workflow's
    # own unit field), and whether an administrator may take the step without the role.
    unit_field: str = ""
    admin: bool = False
    # One step for many matters from the list (批量办理): the step asks for nothing but its date.
    batch: bool = False


@dataclass(frozen=True)
class Outcome:
    code: str
    label: str
    article: str
    corrects: bool = False
    group: str = ""

    @property
    def in_words(self) -> str:
        """The outcome with its article, as a page shows it: 不予公开（第十四条）; no empty brackets."""
        return f"{self.label}（{self.article}）" if self.article else self.label


@dataclass(frozen=True)
class ClockUse:
    """How one clock rule is driven by this register's transitions."""

    rule: str
    start: tuple[str, ...]
    stop: tuple[str, ...]
    pause: tuple[str, ...] = ()
    resume: tuple[str, ...] = ()
    restart: tuple[str, ...] = ()
    extend: tuple[str, ...] = ()
    variant_field: str | None = None
    variants: dict[str, str] = field(default_factory=dict)  # value -> rule, or "none" for no clock
    # A clock whose expiry is itself a legal fact (复议 art.30: not rejected in time = accepted):
    # it never becomes overdue; ``on_expiry`` says what the expiry means.
    on_expiry: str = ""
    # This clock also starts, as if by one of ``start``, on the expiry of that (earlier) clock:
    # one whose expiry is a legal fact, or a deadline left unmet (国家赔偿法 art.14 para.1: no
    # decision within the two months opens the applicant's three months to sue).
    start_on_expiry_of: str = ""
    # Steps that end the clock without a verdict on whether it was kept (e.g. a decision on a
    # case recorded before the step that stops the clock existed).
    cancel: tuple[str, ...] = ()
    # Older procedures: a matter received before the date runs on the wiring given there
    # (the keys it names replace this clock's own), e.g. 行政复议法 1999 for cases received
    # before 2024-01-01.
    regimes: tuple[tuple[dt.date, ClockUse], ...] = ()
    # A pause that ends by itself: step -> the rule whose period, counted from the step, bounds
    # it (政府信息公开条例 art.32: the third party has 15 working days to answer).
    pause_limit: dict[str, str] = field(default_factory=dict)
    # A pause that counts only when taken within a rule's period from the clock's start: a later
    # one, and the restart or resume that ends it, leave the clock alone (条例 art.30: the 补正
    # notice within 7 working days of receipt).
    pause_within: dict[str, str] = field(default_factory=dict)
    # A step that sets the due date to one the agency chose: step -> the field holding it
    # (条例 art.35 延迟答复).
    set_due: dict[str, str] = field(default_factory=dict)
    # A step whose document states the due date itself, earlier or later than the rule's period:
    # step -> the field holding it (the reply date a 检察建议书 or 司法建议书 names). The clock's
    # own start step may carry it.
    fix_due: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LedgerStep:
    """One step a spreadsheet ledger row may imply, taken when its columns are filled.

    ``when`` narrows the choice between steps sharing columns (e.g. 调解结案 and 作出决定 both
    fill 决定日期): field -> accepted values, where "*" is any non-empty value and "" empty.
    """

    transition: str
    when: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class State:
    name: str
    label: str
    terminal: bool = False
    open: bool = True  # counts as pending (未办结)


@dataclass(frozen=True)
class RegisterDefinition:
    name: str
    label: str
    source: str
    case_number_template: str
    states: dict[str, State]
    initial: str
    create: Transition
    transitions: dict[str, Transition]
    outcomes: dict[str, Outcome]
    outcome_field: str | None
    amendable: tuple[str, ...]
    amend_roles: tuple[str, ...]
    clocks: tuple[ClockUse, ...]
    personal_data: tuple[str, ...] = ()
    # Fields a member of the public may submit without login (the portal), or None.
    public_create: Transition | None = None
    # The order in which an imported ledger row's filled columns are replayed as steps.
    ledger: tuple[LedgerStep, ...] = ()
    # Text fields a clerk searches by (besides the case number), and the party (当事人/申请人)
    # field shown as the list's party column.
    search: tuple[str, ...] = ()
    party: str = ""

    def batch_transitions(self) -> list[Transition]:
        return [t for t in self.transitions.values() if t.batch]

    def transitions_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions.values() if state in t.sources]

    def open_states(self) -> list[str]:
        return [s.name for s in self.states.values() if s.open]


def _str_list(value: object, filename: str, line: int, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DefinitionError(f"{filename}:{line}: {what} 应为字符串列表")
    return tuple(value)


_TRANSITION_KEYS = {"label", "from", "to", "roles", "fields", "optional", "date_field", "max_times", "clock_event", "style", "batch"}
_CLOCK_EVENTS = {"correction_requested", "correction_received", "extended", "suspended", "resumed", "consultation_sent", "consultation_answered"}


def _transition(name: str, raw: LineDict, filename: str, *, create: bool = False, extra_keys: frozenset[str] = frozenset()) -> Transition:
    allowed = ({"roles", "fields", "optional", "label", "date_field"} if create else _TRANSITION_KEYS) | extra_keys
    required = {"roles", "fields"} if create else {"label", "from", "to", "roles", "fields"}
    check_keys(raw, allowed=allowed, required=required, filename=filename, where=f"transition {name}")
    roles = _str_list(raw.get("roles"), filename, raw.line_of("roles"), "roles")
    for role in roles:
        if role not in Role.values:
            raise DefinitionError(f"{filename}:{raw.line_of('roles')}: 未知角色 {role!r}")
    clock_event = raw.get("clock_event")
    if clock_event is not None and clock_event not in _CLOCK_EVENTS:
        raise DefinitionError(f"{filename}:{raw.line_of('clock_event')}: 未知的时限事件 {clock_event!r}")
    max_times = raw.get("max_times")
    if max_times is not None and (not isinstance(max_times, int) or max_times < 1):
        raise DefinitionError(f"{filename}:{raw.line_of('max_times')}: max_times 应为正整数")
    fields = _str_list(raw.get("fields"), filename, raw.line_of("fields"), "fields")
    batch = raw.get("batch", False)
    if not isinstance(batch, bool):
        raise DefinitionError(f"{filename}:{raw.line_of('batch')}: batch 应为 true 或 false")
    if batch and (set(fields) - {raw.get("date_field")}):
        # a batch form asks for one date for all the matters, nothing else
        raise DefinitionError(f"{filename}:{raw.line_of('batch')}: 批量办理的步骤除 date_field 外不能有必填字段（{', '.join(fields)}）")
    return Transition(
        name=name,
        label=str(raw.get("label", "登记")),
        sources=_str_list(raw.get("from"), filename, raw.line_of("from"), "from") if not create else (),
        target=str(raw.get("to", "")),
        roles=roles,
        fields=fields,
        optional=_str_list(raw.get("optional"), filename, raw.line_of("optional"), "optional"),
        date_field=raw.get("date_field"),
        max_times=max_times,
        clock_event=clock_event,
        style=str(raw.get("style", "primary")),
        unit_field=str(raw.get("unit", "") or ""),
        admin=bool(raw.get("admin", False)),
        batch=batch,
    )


_STEP_MAPS = ("pause_limit", "pause_within", "set_due", "fix_due")


def _step_maps(c: LineDict, rule: str, filename: str, names: set[str]) -> dict[str, dict[str, str]]:
    """A clock's step -> value mappings (pause_limit, pause_within: the pausing step -> a clock
    rule; set_due: a step -> the field holding the due date it sets)."""
    out: dict[str, dict[str, str]] = {}
    pauses = set(_str_list(c.get("pause"), filename, c.line_of("pause"), "pause"))
    for key in _STEP_MAPS:
        if key not in c:
            continue
        raw = c[key]
        if not isinstance(raw, LineDict) or not all(isinstance(v, str) and v for v in raw.values()):
            raise DefinitionError(f"{filename}:{c.line_of(key)}: clock {rule} 的 {key} 应为“步骤: 值”映射")
        for tname in raw:
            due_map = key in ("set_due", "fix_due")
            if tname not in names or (not due_map and tname not in pauses):
                need = "未知的" if due_map else "不在 pause 中的"
                raise DefinitionError(f"{filename}:{raw.line_of(tname)}: clock {rule} 的 {key} 引用了{need} transition {tname!r}")
        out[key] = {str(k): str(v) for k, v in raw.items()}
    return out


def lifecycle_load(
    top: LineDict, filename: str, *, extra_keys: frozenset[str] = frozenset()
) -> tuple[dict[str, State], str, Transition, dict[str, Transition]]:
    """The lifecycle a register or a workflow declares: states, the initial state, the creating
    step and the transitions, checked (known states and roles, every state reachable, every
    non-terminal state left by some transition). ``extra_keys``: transition keys the caller allows
    beyond the registers' own (a workflow's ``unit`` and ``admin``)."""
    states: dict[str, State] = {}
    states_raw = top["states"]
    if not isinstance(states_raw, LineDict) or not states_raw:
        raise DefinitionError(f"{filename}:{top.line_of('states')}: states 应为非空映射")
    for sname, sraw in states_raw.items():
        s = check_keys(sraw, allowed={"label", "terminal", "open"}, required={"label"}, filename=filename, where=f"state {sname}")
        states[sname] = State(
            name=sname, label=str(s["label"]), terminal=bool(s.get("terminal", False)), open=bool(s.get("open", not s.get("terminal", False)))
        )

    initial = str(top["initial"])
    if initial not in states:
        raise DefinitionError(f"{filename}:{top.line_of('initial')}: 初始状态 {initial!r} 未在 states 中声明")

    create = _transition(CREATE, top["create"], filename, create=True, extra_keys=extra_keys)
    transitions: dict[str, Transition] = {}
    traw_all = top["transitions"]
    if not isinstance(traw_all, LineDict):
        raise DefinitionError(f"{filename}:{top.line_of('transitions')}: transitions 应为映射")
    for tname, traw in traw_all.items():
        if tname in (CREATE, "amend"):
            raise DefinitionError(f"{filename}:{traw_all.line_of(tname)}: {tname!r} 是保留名称")
        t = _transition(tname, traw, filename, extra_keys=extra_keys)
        line = traw_all.line_of(tname)
        for st in (*t.sources, *([] if t.target == SAME else [t.target])):
            if st not in states:
                raise DefinitionError(f"{filename}:{line}: transition {tname} 引用了未知状态 {st!r}")
        transitions[tname] = t

    # Every state must be reachable from the initial state.
    reachable, frontier = {initial}, [initial]
    while frontier:
        current = frontier.pop()
        for t in transitions.values():
            target = current if t.target == SAME else t.target
            if current in t.sources and target not in reachable:
                reachable.add(target)
                frontier.append(target)
    for sname in states:
        if sname not in reachable:
            raise DefinitionError(f"{filename}:{states_raw.line_of(sname)}: 状态 {sname!r} 从初始状态不可达")
    for sname, state in states.items():
        if not state.terminal and not any(sname in t.sources for t in transitions.values()):
            raise DefinitionError(f"{filename}:{states_raw.line_of(sname)}: 非终止状态 {sname!r} 没有出口")

    return states, initial, create, transitions


def load_definition(path: Path, model_fields: set[str] | None = None, text_fields: set[str] | None = None) -> RegisterDefinition:
    """Load and validate one register definition; every error names the file and line.
    ``text_fields``: the model's text fields, the only ones ``search`` and ``party`` may name."""
    filename = str(path)
    raw = load_strict(path)
    top = check_keys(
        raw,
        allowed={"register", "label", "case_number", "states", "initial", "create", "transitions", "outcomes", "amend", "clocks", "personal_data"}
        | {"public_create", "ledger", "search", "party"},
        required={"register", "label", "case_number", "states", "initial", "create", "transitions"},
        filename=filename,
        where="定义",
    )
    name = str(top["register"])
    if path.stem != name:
        raise DefinitionError(f"{filename}:{top.line_of('register')}: register 名 {name!r} 应与文件名 {path.stem!r} 一致")

    cn = check_keys(top["case_number"], allowed={"template"}, required={"template"}, filename=filename, where="case_number")
    template = str(cn["template"])
    if "{seq}" not in template:
        raise DefinitionError(f"{filename}:{cn.line_of('template')}: 案号模板必须包含 {{seq}}")

    states, initial, create, transitions = lifecycle_load(top, filename)
    public_create = None
    if "public_create" in top:
        pc = check_keys(top["public_create"], allowed={"fields", "optional"}, required={"fields"}, filename=filename, where="public_create")
        public_create = Transition(
            name=CREATE,
            label="网上申请",
            sources=(),
            target="",
            roles=(),
            fields=_str_list(pc.get("fields"), filename, pc.line_of("fields"), "fields"),
            optional=_str_list(pc.get("optional"), filename, pc.line_of("optional"), "optional"),
        )

    outcomes: dict[str, Outcome] = {}
    outcome_field = None
    if "outcomes" in top:
        oc = check_keys(top["outcomes"], allowed={"field", "values"}, required={"field", "values"}, filename=filename, where="outcomes")
        outcome_field = str(oc["field"])
        for code, oraw in oc["values"].items():
            o = check_keys(oraw, allowed={"label", "article", "corrects", "group"}, required={"label", "article"}, filename=filename, where=f"outcome {code}")
            outcomes[code] = Outcome(
                code=code, label=str(o["label"]), article=str(o["article"]), corrects=bool(o.get("corrects", False)), group=str(o.get("group", ""))
            )

    amendable: tuple[str, ...] = ()
    amend_roles: tuple[str, ...] = ()
    if "amend" in top:
        am = check_keys(top["amend"], allowed={"fields", "roles"}, required={"fields", "roles"}, filename=filename, where="amend")
        amendable = _str_list(am["fields"], filename, am.line_of("fields"), "fields")
        amend_roles = _str_list(am["roles"], filename, am.line_of("roles"), "roles")

    clocks: list[ClockUse] = []
    names = {CREATE, *transitions}
    wiring_keys = ("start", "stop", "pause", "resume", "restart", "extend", "cancel")

    def wiring(c: LineDict, rule: str) -> dict[str, tuple[str, ...]]:
        lists = {}
        for key in wiring_keys:
            if key not in c:
                continue
            lists[key] = _str_list(c.get(key), filename, c.line_of(key), key)
            for tname in lists[key]:
                if tname not in names:
                    raise DefinitionError(f"{filename}:{c.line_of(key)}: clock {rule} 引用了未知的 transition {tname!r}")
        return lists

    def chained_to(c: LineDict) -> str:
        chained = str(c.get("start_on_expiry_of", "") or "")
        if chained and not any(u.rule == chained for u in clocks):
            raise DefinitionError(f"{filename}:{c.line_of('start_on_expiry_of')}: start_on_expiry_of 应引用前面声明的时限 {chained!r}")
        return chained

    for craw in top.get("clocks") or []:
        c = check_keys(
            craw,
            allowed={"rule", *wiring_keys, "variant_field", "variants", "on_expiry", "start_on_expiry_of", "regimes", *_STEP_MAPS},
            required={"rule", "start", "stop"},
            filename=filename,
            where="clock",
        )
        rule = str(c["rule"])
        maps = _step_maps(c, rule, filename, names)
        use = ClockUse(
            rule=rule,
            variant_field=c.get("variant_field"),
            variants=dict(c.get("variants") or {}),
            on_expiry=str(c.get("on_expiry", "") or ""),
            start_on_expiry_of=chained_to(c),
            **wiring(c, rule),  # type: ignore[arg-type]
            pause_limit=maps.get("pause_limit", {}),
            pause_within=maps.get("pause_within", {}),
            set_due=maps.get("set_due", {}),
            fix_due=maps.get("fix_due", {}),
        )
        regimes = []
        for rraw in c.get("regimes") or []:
            r = check_keys(
                rraw,
                allowed={"received_before", *wiring_keys, "on_expiry", "start_on_expiry_of"},
                required={"received_before"},
                filename=filename,
                where=f"clock {rule} regime",
            )
            if not isinstance(r["received_before"], dt.date):
                raise DefinitionError(f"{filename}:{r.line_of('received_before')}: received_before 应为日期 YYYY-MM-DD")
            overrides: dict[str, object] = dict(wiring(r, rule))
            for key in ("on_expiry", "start_on_expiry_of"):
                if key in r:
                    overrides[key] = chained_to(r) if key == "start_on_expiry_of" else str(r.get(key) or "")
            regimes.append((r["received_before"], replace(use, **overrides)))  # type: ignore[arg-type]
        clocks.append(replace(use, regimes=tuple(sorted(regimes, key=lambda x: x[0]))))

    ledger: list[LedgerStep] = []
    ledger_raw = top.get("ledger")
    if ledger_raw is None:
        ledger = [LedgerStep(name) for name in transitions]
    else:
        if not isinstance(ledger_raw, list):
            raise DefinitionError(f"{filename}:{top.line_of('ledger')}: ledger 应为步骤列表")
        for item in ledger_raw:
            if isinstance(item, str):
                step_name, when_raw = item, {}
            elif isinstance(item, LineDict) and len(item) == 1:
                step_name = next(iter(item))
                spec = check_keys(item[step_name], allowed={"when"}, required={"when"}, filename=filename, where=f"ledger {step_name}")
                when_raw = spec["when"]
            else:
                raise DefinitionError(f"{filename}:{top.line_of('ledger')}: ledger 的每一项应为步骤名，或“步骤名: {{when: {{字段: [值]}}}}”")
            if step_name not in transitions:
                raise DefinitionError(f"{filename}:{top.line_of('ledger')}: ledger 引用了未知的 transition {step_name!r}")
            when = {str(k): _str_list(v, filename, top.line_of("ledger"), f"ledger {step_name} when") for k, v in dict(when_raw).items()}
            ledger.append(LedgerStep(step_name, when))

    search = _str_list(top.get("search"), filename, top.line_of("search"), "search")
    if len(set(search)) != len(search):
        raise DefinitionError(f"{filename}:{top.line_of('search')}: search 中有重复的字段")
    party = top.get("party", "")
    if not isinstance(party, str):
        raise DefinitionError(f"{filename}:{top.line_of('party')}: party 应为一个字段名")
    if text_fields is not None:
        declared: tuple[tuple[str, tuple[str, ...]], ...] = (("search", search), ("party", (party,) if party else ()))
        for key, declared_names in declared:
            for fname in declared_names:
                if fname not in text_fields:
                    raise DefinitionError(f"{filename}:{top.line_of(key)}: {key} 引用了模型中不存在的文本字段 {fname!r}")

    if model_fields is not None:
        all_fields = [("create", f) for f in (*create.fields, *create.optional)]
        for t in transitions.values():
            all_fields += [(t.name, f) for f in (*t.fields, *t.optional)]
            if t.date_field:
                all_fields.append((t.name, t.date_field))
        all_fields += [("amend", f) for f in amendable]
        if public_create is not None:
            all_fields += [("public_create", f) for f in (*public_create.fields, *public_create.optional)]
        all_fields += [("personal_data", f) for f in _str_list(top.get("personal_data"), filename, top.line_of("personal_data"), "personal_data")]
        if outcome_field:
            all_fields.append(("outcomes", outcome_field))
        all_fields += [("ledger", f) for step in ledger for f in step.when]
        all_fields += [("clocks set_due", f) for u in clocks for f in u.set_due.values()]
        all_fields += [("clocks fix_due", f) for u in clocks for f in u.fix_due.values()]
        for where, fname in all_fields:
            if fname not in model_fields:
                raise DefinitionError(f"{filename}: {where} 引用了模型中不存在的字段 {fname!r}")

    return RegisterDefinition(
        name=name,
        label=str(top["label"]),
        source=filename,
        case_number_template=template,
        states=states,
        initial=initial,
        create=create,
        public_create=public_create,
        transitions=transitions,
        outcomes=outcomes,
        outcome_field=outcome_field,
        amendable=amendable,
        amend_roles=amend_roles,
        clocks=tuple(clocks),
        personal_data=_str_list(top.get("personal_data"), filename, top.line_of("personal_data"), "personal_data"),
        ledger=tuple(ledger),
        search=search,
        party=party,
    )
