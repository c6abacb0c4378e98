"""The registers known to this installation: name -> model, definition, hooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db.models import CharField, Field, Model, TextField

from fazhi.core.fieldcrypt import EncryptedMixin
from fazhi.registers.framework.definition import RegisterDefinition, load_definition
from fazhi.registers.framework.models import Matter


class RegisterHooks(Protocol):
    """Register-specific checks, written in the register's own app.

    ``validate(matter, transition, data)`` returns field errors for rules the declaration cannot
    express (e.g. a decision date before the acceptance date). A hooks object may also have
    ``derive(matter, transition, data) -> dict``: values that follow from the step by rule,
    written and recorded in the same event; and ``after(matter, transition, event)``: work the
    step causes elsewhere (e.g. a 以罚代刑 flag), in the same transaction; and
    ``after_many([(matter, transition, event), ...])``: the same work for many steps at once, in a
    few queries (a ledger import's final write calls it instead of ``after`` for each step).
    """

    def validate(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, list[str]]: ...


class NoHooks:
    def validate(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
        return {}


@dataclass
class Register:
    name: str
    model: type[Matter]
    definition: RegisterDefinition
    hooks: RegisterHooks = field(default_factory=NoHooks)
    list_columns: tuple[str, ...] = ()
    # labels of events written by the register's own services (e.g. evidence), for the timeline
    event_labels: dict[str, str] = field(default_factory=dict)
    # a template included on the matter page, and what it needs: f(request, matter) -> context
    detail_template: str = ""
    detail_context: Any = None
    # a field holding a code of ours, as the matter page reads it: f(matter, value) -> text ("" hides it)
    display_values: dict[str, Any] = field(default_factory=dict)


REGISTRY: dict[str, Register] = {}


def model_field(model: type[Model], name: str) -> Field[Any, Any]:
    """A concrete field of a register's model (declarations never name reverse relations)."""
    f = model._meta.get_field(name)
    if not isinstance(f, Field):
        raise TypeError(f"{model.__name__}.{name} is not a concrete field")
    return f


def register_add(name: str, model: type[Matter], hooks: RegisterHooks | None = None, list_columns: tuple[str, ...] = (), **extra: Any) -> Register:
    path = Path(settings.FAZHI_DEFINITIONS_DIR) / "registers" / f"{name}.yaml"
    fields = {f.name for f in model._meta.get_fields()}
    text_fields = {f.name for f in model._meta.concrete_fields if isinstance(f, (CharField, TextField))}
    definition = load_definition(path, model_fields=fields, text_fields=text_fields)
    plain = [n for n in definition.personal_data if not isinstance(model._meta.get_field(n), EncryptedMixin)]
    if plain:
        # personal data is stored encrypted (fazhi/core/fieldcrypt.py): a declaration the model does not keep is an error
        raise TypeError(f"{model.__name__}: personal_data {plain} must be EncryptedCharField or EncryptedEmailField")
    model.register_name = name
    reg = Register(name=name, model=model, definition=definition, hooks=hooks or NoHooks(), list_columns=list_columns, **extra)
    REGISTRY[name] = reg
    return reg


def register_get(name: str) -> Register:
    return REGISTRY[name]


def register_of(matter: Matter) -> Register:
    return REGISTRY[type(matter).register_name]


# Panels another app adds to a register's matter page (the 国家赔偿 applications that led to a
# lawsuit or a 复议 case): register name -> [(template, context(request, matter))]. The app that
# provides the panel registers it in its ready(), so the register never imports that app.
EXTRA_PANELS: dict[str, list[tuple[str, Any]]] = {}


def matter_panel_add(register: str, template: str, context: Any) -> None:
    panels = EXTRA_PANELS.setdefault(register, [])
    if (template, context) not in panels:
        panels.append((template, context))
