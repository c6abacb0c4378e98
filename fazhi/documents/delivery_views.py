"""The service record of one issued document (/wenshu/<id>/songda/): its services, each with the
deemed date and the remedy period running from it, and the form the issuing unit's staff record
a service with."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from fazhi.core.errors import FazhiError
from fazhi.core.http import failure_message, form_errors_message
from fazhi.core.selectors import user_has_role
from fazhi.documents import delivery
from fazhi.documents.models import DeliveryMethod, IssuedDocument

_DATE = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"})
_TEXT = forms.TextInput(attrs={"class": "form-control form-control-sm"})


class DeliveryForm(forms.Form):
    method = forms.ChoiceField(label="送达方式", choices=DeliveryMethod.choices, widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    on = forms.DateField(label="送达日期", required=False, widget=_DATE, help_text="邮寄送达填回执上的签收日期；电子送达填到达受送达人系统的日期")
    received_by = forms.CharField(label="签收人", required=False, max_length=100, widget=_TEXT)
    tracking_number = forms.CharField(label="邮件单号", required=False, max_length=60, widget=_TEXT)
    consent = forms.BooleanField(label="受送达人已同意电子送达（已签订送达地址确认书）", required=False)
    announced_on = forms.DateField(label="公告日期", required=False, widget=_DATE)


def document_visible(user: Any, doc: IssuedDocument) -> bool:
    """A document is seen by whoever may see its matter or workflow record (one rule: views.record_visible)."""
    from fazhi.documents.views import record_visible

    return record_visible(user, doc.register, doc.object_id)


@login_required
def delivery_page(request: HttpRequest, pk: int) -> HttpResponse:
    doc = IssuedDocument.objects.select_related("unit", "replaces").filter(pk=pk).first()
    if doc is None or not document_visible(request.user, doc):
        raise Http404("文书不存在或您无权查看")
    may_record = user_has_role(request.user, doc.unit, delivery.staff_roles(doc))
    form = DeliveryForm(request.POST or None)
    if request.method == "POST":
        if not may_record:
            messages.error(request, f"您在{doc.unit.name}没有登记文书送达的权限")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                delivery.delivery_record(
                    doc,
                    data["method"],
                    data["on"],
                    received_by=data["received_by"],
                    tracking_number=data["tracking_number"],
                    consent=data["consent"],
                    announced_on=data["announced_on"],
                    actor=request.user,
                )
                messages.success(request, "送达已登记")
                return redirect("document_delivery", pk=doc.pk)
            except FazhiError as exc:
                messages.error(request, failure_message(exc))
        else:
            messages.error(request, form_errors_message(form))
    rows = [(d, delivery.remedy_due(d)) for d in delivery.deliveries_of(doc)]
    later = IssuedDocument.objects.filter(replaces=doc).order_by("id").first()
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "documents/delivery.html",
        {"doc": doc, "rows": rows, "form": form, "may_record": may_record, "later": later, "recorded": bool(rows)},
        status=status,
    )
