"""Django forms built from a register's declaration (one form per transition), and what fits
in them for the user in front of them.

``transition_form_class`` builds the form from the declaration alone. ``form_fit`` then narrows it
to the units the step concerns: a choice of officers, powers, committees or mediators lists only
those of those units (the services refuse the others anyway: the form must not show a clerk
another unit's people), a field with one possible choice comes preselected, a choice too long for
a drop-down becomes a box for its case number, and the reviewer's own name is filled in
(``USER_NAME_FIELDS``). The register's hooks may fill in more (``initial(matter, transition,
user)``) or narrow a field their own way (``choices(field, units, day)``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.db import models

from fazhi.registers.framework.definition import Transition
from fazhi.registers.framework.registry import Register, model_field

# a field the user fills in with their own name (the 审核人员 of a 法制审核 or 合法性审核)
USER_NAME_FIELDS = ("reviewer_name",)
# beyond this many choices a drop-down is useless (and lists too much): the box takes a case number
CHOICES_MAX = 200


def transition_form_class(reg: Register, t: Transition) -> type[forms.Form]:
    fields: dict[str, forms.Field] = {}
    for name in (*t.fields, *t.optional):
        mf = model_field(reg.model, name)
        if name == reg.definition.outcome_field:
            ff: forms.Field = forms.ChoiceField(
                label=mf.verbose_name, choices=[("", "---------")] + [(o.code, o.in_words) for o in reg.definition.outcomes.values()]
            )
        else:
            made = mf.formfield()
            assert made is not None
            ff = made
            if isinstance(mf, models.DateField):
                ff.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        ff.required = name in t.fields and not isinstance(mf, models.BooleanField)
        css = "form-check-input" if isinstance(mf, models.BooleanField) else ("form-select" if isinstance(ff.widget, forms.Select) else "form-control")
        ff.widget.attrs["class"] = css
        if isinstance(ff.widget, forms.Textarea):
            ff.widget.attrs["rows"] = 3
        fields[name] = ff
    return type(f"{reg.name}_{t.name}_form", (forms.Form,), fields)


def choices_fitting(reg: Register, name: str, field: forms.ModelChoiceField, units: Sequence[Any], day: dt.date) -> models.QuerySet[Any]:
    """The choices of a model field for a step concerning ``units``: the register's own rule if
    its hooks have one; else, for a model that belongs to a unit and names the lookup to it in
    ``form_unit`` (officers, powers, committees, mediators), those of these units still in use."""
    own = getattr(reg.hooks, "choices", None)
    if own is not None:
        qs = own(name, units, day)
        if qs is not None:
            return qs  # type: ignore[no-any-return]
    qs = field.queryset
    assert qs is not None
    path = getattr(qs.model, "form_unit", None)
    if path is None:
        return qs  # a reference across units (the document under review, a linked case): the hooks check it
    qs = qs.filter(**{f"{path}__in": list(units)})
    if any(f.name == "active" for f in qs.model._meta.get_fields()):
        qs = qs.filter(active=True)
    return qs


def form_fit(
    form: forms.Form, reg: Register, t: Transition, *, user: Any, units: Sequence[Any], day: dt.date, matter: Any = None, widgets: bool = True
) -> forms.Form:
    """Narrow a built form to what fits this step for this user (see the module's docstring).
    ``widgets=False`` (the REST API): the choices only, a reference always by its record number."""
    for name, field in form.fields.items():
        if isinstance(field, forms.ModelChoiceField) and name != "handling_unit" and units:
            qs = choices_fitting(reg, name, field, units, day)
            current = getattr(matter, f"{name}_id", None) if matter is not None else None
            if current is not None:
                # what the matter holds stays a valid choice (an officer whose certificate lapsed since)
                qs = qs | qs.model._default_manager.filter(pk=current)
            field.queryset = qs
            if widgets and isinstance(field.widget, forms.Select) and not isinstance(field, forms.ModelMultipleChoiceField):
                _too_many_or_one(form, name, field)
        elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            real = [value for value, _ in list(field.choices) if value not in ("", None)]  # type: ignore[arg-type, misc]
            if len(real) == 1 and field.required and name not in form.initial:
                form.initial[name] = real[0]
    if form.is_bound:
        return form
    own_name = (user.get_full_name() or user.first_name).strip() if user is not None else ""
    filled = {name: own_name for name in USER_NAME_FIELDS if own_name}
    initial = getattr(reg.hooks, "initial", None)
    if initial is not None:
        filled |= initial(matter, t.name, user)
    for name, value in filled.items():
        if name in form.fields and not form.initial.get(name):
            form.initial[name] = value
    return form


def _too_many_or_one(form: forms.Form, name: str, field: forms.ModelChoiceField) -> None:
    qs = field.queryset
    assert qs is not None
    head = list(qs[: CHOICES_MAX + 1])
    if len(head) > CHOICES_MAX and any(f.name == "case_number" for f in qs.model._meta.get_fields()):
        # a box for the case number, looked up within the same choices
        field.to_field_name = "case_number"
        field.widget = forms.TextInput(attrs={"class": "form-control", "placeholder": "请输入案号"})
        field.error_messages["invalid_choice"] = f"本单位没有该案号的{qs.model._meta.verbose_name}"
        pk = form.initial.get(name)
        if pk and not isinstance(pk, str):
            form.initial[name] = qs.filter(pk=getattr(pk, "pk", pk)).values_list("case_number", flat=True).first()
    elif len(head) == 1 and field.required:
        field.empty_label = None
        form.initial.setdefault(name, head[0].pk)
