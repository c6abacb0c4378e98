"""The access log of personal data, as the rule-of-law office reads it: who saw whose data, when."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from fazhi.core.access import access_log_readable, access_log_visible_to
from fazhi.core.models import AccessKind
from fazhi.registers.framework.registry import REGISTRY

PAGE_SIZE = 50


class AccessLogFilter(forms.Form):
    who = forms.CharField(label="人员", required=False, max_length=50, help_text="用户名或姓名")
    start = forms.DateField(label="日期自", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
            raise forms.ValidationError("起始日期晚于截止日期")
        return data


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    if not access_log_readable(request.user):
        raise Http404("仅依法治区（市）办和系统管理员可查看")
    f = AccessLogFilter(request.GET or None)
    for field in f.fields.values():
        field.widget.attrs.setdefault("class", "form-control form-control-sm")
    qs = access_log_visible_to(request.user)
    params: dict[str, str] = {}
    if f.is_valid():
        d = f.cleaned_data
        if d["who"]:
            qs = qs.filter(Q(username__icontains=d["who"]) | Q(user__first_name__icontains=d["who"]))
            params["who"] = d["who"]
        if d["start"]:
            qs = qs.filter(at__gte=_day_start(d["start"]))
            params["start"] = d["start"].isoformat()
        if d["end"]:
            qs = qs.filter(at__lt=_day_start(d["end"] + dt.timedelta(days=1)))
            params["end"] = d["end"].isoformat()
    page = Paginator(qs.order_by("-at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for a in page.object_list:
        reg = REGISTRY.get(a.register)
        label = reg.definition.label if reg else a.register
        if a.kind == AccessKind.VIEW:
            what = f"{label}：{a.case_number}"
            url = reverse("matter_detail", args=[a.register, a.object_id]) if reg and a.object_id else None
        else:
            what = f"{label}：{a.rows or 0} 件"
            url = None
        person = a.user.get_full_name() or a.username if a.user else a.username
        rows.append(
            {"at": a.at, "person": person, "username": a.username, "kind": a.get_kind_display(), "what": what, "url": url, "unit": a.unit, "filters": a.filters}
        )
    return render(request, "web/access_log.html", {"filter": f, "page": page, "rows": rows, "query": urlencode(params)})
