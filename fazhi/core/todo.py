"""The sections of a user's to-do list (待办) other than the register clocks.

Each app that asks something of a user registers a section in its ``ready()``: a title, the
template that shows its items (given ``items`` and ``today``), and a function of (user, today)
returning the items. The home page lists the sections that have items, in ``order``, without
importing the apps (as the audit log's leaf sources and the registers' write observers work).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TodoSection:
    key: str
    title: str
    template: str
    items: Callable[[Any, dt.date], Sequence[Any]]
    order: int = 100


TODO_SECTIONS: dict[str, TodoSection] = {}


def todo_section_register(key: str, title: str, template: str, items: Callable[[Any, dt.date], Sequence[Any]], *, order: int = 100) -> None:
    TODO_SECTIONS[key] = TodoSection(key, title, template, items, order)


def todo_sections(user: Any, today: dt.date) -> list[tuple[TodoSection, Sequence[Any]]]:
    """(section, its items) for the sections with something for this user, in order."""
    out = []
    for section in sorted(TODO_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        items = section.items(user, today)
        if items:
            out.append((section, items))
    return out
