"""The legal scenarios of definitions/scenarios, and the runner's own behaviour and errors."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from fazhi.registers.framework.registry import REGISTRY
from fazhi.registers.framework.scenarios import ScenarioError, scenario_run, scenarios_load

ROOT = Path(settings.BASE_DIR)
SCENARIOS_DIR = Path(settings.FAZHI_DEFINITIONS_DIR) / "scenarios"
PROJECT = scenarios_load([SCENARIOS_DIR])


@pytest.mark.django_db
@pytest.mark.parametrize("scenario", PROJECT, ids=[f"{s.register}:{s.line}" for s in PROJECT])
def test_project_scenario(scenario: Any) -> None:
    outcome = scenario_run(scenario)
    assert outcome.passed, f"{scenario.name}（{scenario.where}）: " + "；".join(outcome.differences)


def test_the_project_scenarios_cover_every_register_and_cite_their_article() -> None:
    assert len(PROJECT) >= 60
    assert {s.register for s in PROJECT} >= set(REGISTRY)
    for s in PROJECT:
        # an article of a named law, or (where no national rule exists, e.g. 政协提案 answers) the region's own rule
        assert ("《" in s.reference and ("第" in s.reference or "号" in s.reference)) or s.reference.startswith("本地区"), s.where


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return path


CASE = "{received_on: 2025-09-01, applicant_name: 张三, applicant_type: natural_person, respondent_name: 某局, disputed_act: 某决定, channel: in_person}"


def _one(body: str, register: str = "reconsideration", create: str = CASE) -> str:
    return f"""
- name: t
  reference: 《行政复议法》第三十条
  register: {register}
  steps:
    - create: {create}
      as: clerk
{body}
"""


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (_one("", register="nonsense"), 4, "未知的台账"),
        (_one("    - fly: {}\n      as: clerk"), 8, "没有步骤"),
        (_one("    - accept: {accepted_on: 2025-09-02, colour: red}\n      as: clerk"), 8, "不接受字段 'colour'"),
        (_one("    - accept: {accepted_on: 2025-09-02, procedure: ordinary}\n      as: janitor"), 9, "未知角色"),
        (_one("    - accept: {accepted_on: 2025-09-02, procedure: 特快程序}\n      as: clerk"), 8, "无法识别“特快程序”"),
        (_one("    - accept: {accepted_on: 2025-09-02, procedure: ordinary}"), 8, "缺少 as"),
        (_one("  expect:\n    due: {reconsideration.nothing: 2025-01-01}"), 9, "未知的时限规则"),
        (_one("  expect:\n    kept: {reconsideration.decision: maybe}"), 9, "met、late 或 open"),
        (_one("  expect:\n    state: flying"), 9, "没有状态"),
        (_one("  colour: red"), 8, "不认识的键"),
        (_one("", create="{received_on: 2025-13-45}"), 6, "不是有效日期"),
    ],
)
def test_errors_in_a_scenario_file_name_the_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as exc:
        scenarios_load([path])
    assert f"{path}:{line}:" in str(exc.value)
    assert words in str(exc.value)


def test_a_missing_path_and_a_missing_reference_are_errors(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="不存在"):
        scenarios_load([tmp_path / "nowhere.yaml"])
    path = _write(tmp_path, _one("").replace("  reference: 《行政复议法》第三十条\n", ""))
    with pytest.raises(ScenarioError, match="缺少 reference"):
        scenarios_load([path])


@pytest.mark.django_db
def test_differences_are_reported_and_a_refused_step_writes_nothing(tmp_path: Path) -> None:
    from fazhi.audit.models import AuditLeaf
    from fazhi.registers.framework.models import MatterEvent

    text = _one(
        """    - accept: {accepted_on: 2025-09-05, procedure: ordinary}
      as: reviewer
    - decide: {decided_on: 2025-09-04, outcome: upheld}
      as: head
      refused: true
    - decide: {decided_on: 2025-09-30, outcome: upheld}
      as: clerk
      refused: true
      message: 完全不同的理由
    - hear_views: {views_heard_on: 2025-09-10}
      as: clerk
      refused: true
  expect:
    state: decided
    due: {reconsideration.decision: 2025-11-05}
    kept: {reconsideration.decision: met}
    fields: {procedure: 简易程序}"""
    )
    [sc] = scenarios_load([_write(tmp_path, text)])
    before = MatterEvent.objects.count(), AuditLeaf.objects.count()
    outcome = scenario_run(sc)
    assert (MatterEvent.objects.count(), AuditLeaf.objects.count()) == before  # rolled back
    assert not outcome.passed
    text_out = "\n".join(outcome.differences)
    assert "拒绝理由应包含“完全不同的理由”" in text_out
    assert "第5步 hear_views" in text_out and "依法应当拒绝，但系统接受了" in text_out
    assert "状态：应为“已作出决定”，实际为“已受理”" in text_out
    assert "应为 2025-11-05，实际为 2025-11-04" in text_out
    assert "应为按期，实际为未结束" in text_out
    assert "字段 procedure" in text_out
    assert len(outcome.differences) == 6
    assert "被拒绝的步骤仍写入了记录" not in text_out


@pytest.mark.django_db
def test_an_unexpected_refusal_stops_the_scenario(tmp_path: Path) -> None:
    text = _one("    - decide: {decided_on: 2025-09-30, outcome: upheld}\n      as: head\n  expect:\n    state: decided")
    [sc] = scenarios_load([_write(tmp_path, text)])
    outcome = scenario_run(sc)
    assert len(outcome.differences) == 1
    assert "第2步 decide" in outcome.differences[0] and "被拒绝" in outcome.differences[0] and "不能执行" in outcome.differences[0]


@pytest.mark.django_db
def test_today_is_the_day_the_run_pretends_it_is(tmp_path: Path) -> None:
    text = _one("    - amend: {applicant_phone: '13800000000', reason: 补录}\n      as: clerk").replace("  steps:", "  today: 2025-10-15\n  steps:")
    [sc] = scenarios_load([_write(tmp_path, text)])
    from fazhi.registers.framework import scenarios as mod

    seen: list[dt.date] = []
    original = mod.matter_amend

    def spy(**kwargs: Any) -> Any:
        event = original(**kwargs)
        seen.append(event.event_date)
        return event

    mod.matter_amend = spy  # type: ignore[assignment]
    try:
        assert scenario_run(sc).passed
    finally:
        mod.matter_amend = original  # type: ignore[assignment]
    assert seen == [dt.date(2025, 10, 15)]


def _command(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "FAZHI_TEST_DB"}
    return subprocess.run([sys.executable, "-m", "fazhi", "scenario", "run", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_the_command_runs_on_a_throwaway_database_and_fails_on_a_difference(tmp_path: Path) -> None:
    good = _one("  expect:\n    due: {reconsideration.acceptance: 2025-09-08}")
    bad = _one("  expect:\n    due: {reconsideration.acceptance: 2025-09-09}").replace("name: t", "name: wrong")
    (tmp_path / "a.yaml").write_text(good, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(bad, encoding="utf-8")
    run = _command(str(tmp_path))
    assert run.returncode == 1, run.stderr
    assert "PASS t" in run.stdout and "FAIL wrong" in run.stdout
    assert "应为 2025-09-09，实际为 2025-09-08" in run.stdout
    assert "1 passed, 1 failed" in run.stdout
    as_json = _command(str(tmp_path / "a.yaml"), "--json")
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == [{"name": "t", "passed": True, "differences": []}]
    broken = _command(str(tmp_path / "nowhere.yaml"))
    assert broken.returncode != 0 and "不存在" in broken.stderr


@pytest.mark.django_db
def test_a_crash_of_the_code_under_test_fails_the_scenario_not_the_run(tmp_path: Path) -> None:
    [sc] = scenarios_load([_write(tmp_path, _one(""))])
    from fazhi.registers.framework import scenarios as mod

    original = mod.matter_create

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("boom")

    mod.matter_create = broken  # type: ignore[assignment]
    try:
        outcome = scenario_run(sc)
    finally:
        mod.matter_create = original  # type: ignore[assignment]
    assert outcome.differences == ["运行出错：RuntimeError：boom"]


@pytest.mark.django_db
def test_a_matter_from_before_the_law_of_its_clock_runs_no_clock(tmp_path: Path) -> None:
    # 人大代表建议: the three-month answer period exists from the 2010 amendment of the 代表法;
    # a proposal handed over in 2005 is recorded, with no clock rather than a crash
    create = '{received_on: 2005-03-01, kind: npc, session: 第五次会议, proposal_number: "1", title: 某建议, proposer_name: 某代表}'
    text = _one("  expect:\n    state: 办理中\n    due: {proposals.npc_answer: null}", register="proposals", create=create)
    [sc] = scenarios_load([_write(tmp_path, text)])
    outcome = scenario_run(sc)
    assert outcome.differences == [], outcome.differences


@pytest.mark.django_db
def test_facts_a_register_derives_are_checked_by_name(tmp_path: Path) -> None:
    text = _one("  expect:\n    facts: {以罚代刑线索: 无}")
    [sc] = scenarios_load([_write(tmp_path, text)])
    assert scenario_run(sc).differences == ["行政复议没有可核对的事实“以罚代刑线索”（可用：无）"]
