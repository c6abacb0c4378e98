"""A strict YAML loader for files under ``definitions/``.

Duplicate keys are errors; every mapping remembers the line of each key so that validation
errors name the file and line (OpenFisca style: a definition that does not load is a bug).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from fazhi.core.errors import DefinitionError


class LineDict(dict[str, Any]):
    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _Loader(yaml.SafeLoader):
    filename = "<string>"


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in out:
            raise DefinitionError(f"{loader.filename}:{key_node.start_mark.line + 1}: 重复的键 {key!r}")
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        raise DefinitionError(f"{loader.filename}:{node.start_mark.line + 1}: {node.value!r} 不是有效日期") from None


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)  # type: ignore[arg-type]
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)  # type: ignore[arg-type]


def load_strict(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return loads_strict(text, str(path))


def loads_strict(text: str, filename: str) -> Any:
    loader = _Loader(text)
    loader.filename = filename
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise DefinitionError(f"{filename}:{line}: YAML 语法错误：{exc.problem}") from exc
    finally:
        loader.dispose()


def check_keys(mapping: Any, *, allowed: set[str], required: set[str], filename: str, where: str) -> LineDict:
    """Refuse unknown and missing keys, naming the file and line."""
    if not isinstance(mapping, LineDict):
        raise DefinitionError(f"{filename}: {where} 应为映射（键: 值）")
    for key in mapping:
        if key not in allowed:
            raise DefinitionError(f"{filename}:{mapping.line_of(key)}: {where} 中有未知的键 {key!r}（允许：{', '.join(sorted(allowed))}）")
    for key in sorted(required):
        if key not in mapping:
            raise DefinitionError(f"{filename}:{mapping.line}: {where} 缺少必需的键 {key!r}")
    return mapping
