"""Django forms built from a register's declaration (one form per transition)."""

from __future__ import annotations

from django import forms
from django.db import models

from fazhi.registers.framework.definition import Transition
from fazhi.registers.framework.registry import Register, model_field


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
