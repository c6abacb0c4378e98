"""The strict loader: every error names the file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from fazhi.core.errors import DefinitionError
from fazhi.registers.framework.definition import load_definition

GOOD = (Path(settings.FAZHI_DEFINITIONS_DIR) / "registers" / "reconsideration.yaml").read_text(encoding="utf-8")


MODEL_FIELDS = {f.name for f in __import__("fazhi.registers.reconsideration.models", fromlist=["x"]).ReconsiderationCase._meta.get_fields()}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "reconsideration.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_the_shipped_definition_loads() -> None:
    d = load_definition(Path(settings.FAZHI_DEFINITIONS_DIR) / "registers" / "reconsideration.yaml")
    assert d.initial == "received"
    assert "decide" in d.transitions and d.transitions["extend"].max_times == 1
    assert {o.code for o in d.outcomes.values() if o.corrects} >= {"varied", "set_aside", "declared_illegal", "declared_void", "ordered_to_perform"}


def test_an_unknown_key_is_an_error_with_file_and_line(tmp_path: Path) -> None:
    text = GOOD.replace("    label: 受理\n", "    label: 受理\n    lable: 错别字\n")
    path = write(tmp_path, text)
    with pytest.raises(DefinitionError, match=rf"{path}:{line_of(text, 'lable')}: .*未知的键 'lable'"):
        load_definition(path)


def test_a_duplicate_key_is_an_error_with_file_and_line(tmp_path: Path) -> None:
    text = GOOD.replace("  accepted: {label: 已受理}\n", "  accepted: {label: 已受理}\n  accepted: {label: 又受理}\n")
    path = write(tmp_path, text)
    with pytest.raises(DefinitionError, match=rf"{path}:{line_of(text, '又受理')}: 重复的键 'accepted'"):
        load_definition(path)


def test_an_unknown_state_is_an_error(tmp_path: Path) -> None:
    text = GOOD.replace("    to: decided\n", "    to: decidd\n")
    path = write(tmp_path, text)
    with pytest.raises(DefinitionError, match=r"未知状态 'decidd'"):
        load_definition(path)


def test_an_unreachable_state_is_an_error(tmp_path: Path) -> None:
    text = GOOD.replace("  closed: {label: 已结案, terminal: true}\n", "  closed: {label: 已结案, terminal: true}\n  limbo: {label: 悬空, terminal: true}\n")
    path = write(tmp_path, text)
    with pytest.raises(DefinitionError, match=rf"{path}:{line_of(text, 'limbo')}: 状态 'limbo' 从初始状态不可达"):
        load_definition(path)


def test_an_unknown_role_and_an_unknown_field_are_errors(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="未知角色 'judge'"):
        load_definition(write(tmp_path, GOOD.replace("    roles: [head]\n", "    roles: [judge]\n", 1)))
    with pytest.raises(DefinitionError, match="不存在的字段 'accepted_at'"):
        load_definition(write(tmp_path, GOOD.replace("fields: [accepted_on, procedure]", "fields: [accepted_at, procedure]")), model_fields=MODEL_FIELDS)
