"""Workflow definitions use the registers' lifecycle grammar and loader: the same checks, errors
that name the file and line, and fields checked against the model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from fazhi.core.errors import DefinitionError, PermissionDenied, TransitionNotAllowed
from fazhi.registers.framework.workflow import WORKFLOWS, workflow_add, workflow_check, workflow_load

GOOD = (Path(settings.FAZHI_DEFINITIONS_DIR) / "workflows" / "report.yaml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str, name: str = "report") -> Path:
    (tmp_path / "workflows").mkdir(exist_ok=True)
    path = tmp_path / "workflows" / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_the_shipped_definitions_load_and_are_registered() -> None:
    for path in (Path(settings.FAZHI_DEFINITIONS_DIR) / "workflows").glob("*.yaml"):
        d = workflow_load(path)
        assert d.name in WORKFLOWS and WORKFLOWS[d.name].definition == d


def test_an_unknown_state_names_file_and_line(tmp_path: Path) -> None:
    text = GOOD.replace("    to: secrecy\n", "    to: secret\n")
    path = write(tmp_path, text)
    with pytest.raises(DefinitionError, match=rf"{path}:{line_of(text, '  approve:')}: .*未知状态 'secret'"):
        workflow_load(path)


def test_an_unreachable_state_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace("    from: [signed]\n    to: published\n", "    from: [signed]\n    to: signed\n")
    with pytest.raises(DefinitionError, match="状态 'published' 从初始状态不可达"):
        workflow_load(write(tmp_path, text))


def test_a_workflow_key_a_register_does_not_allow_is_refused_there(tmp_path: Path) -> None:
    text = GOOD.replace("    admin: true\n", "    admni: true\n", 1)
    with pytest.raises(DefinitionError, match="未知的键 'admni'"):
        workflow_load(write(tmp_path, text))


def test_a_recorded_field_the_model_lacks_is_refused(tmp_path: Path, settings: Any) -> None:
    settings.FAZHI_DEFINITIONS_DIR = tmp_path
    write(tmp_path, GOOD.replace("recorded: [unit, kind,", "recorded: [unit, knid,"))
    before = dict(WORKFLOWS)
    try:
        with pytest.raises(DefinitionError, match="不存在的字段 'knid'"):
            workflow_add("report")
    finally:
        WORKFLOWS.clear()
        WORKFLOWS.update(before)


@pytest.mark.django_db
def test_the_check_refuses_a_wrong_state_and_a_wrong_role(org: Any) -> None:
    from fazhi.reports.models import Report

    report = Report(unit=org.district, kind="fzzf", year=2025, state="draft")
    assert workflow_check("report", report, "submit", org.dave).name == "submit"
    with pytest.raises(TransitionNotAllowed, match="年度报告当前状态为“起草中”，不能向社会公开"):
        workflow_check("report", report, "publish", org.dave)
    with pytest.raises(PermissionDenied, match="您在东湖区人民政府没有提交审核的权限"):
        workflow_check("report", report, "submit", org.erin)
    with pytest.raises(PermissionDenied):
        workflow_check("report", report, "submit", None)
