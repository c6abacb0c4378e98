"""Back office for holiday schedules: add a year's notice (or correct one) as a new revision."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from fazhi.law.models import HolidaySchedule
from fazhi.law.services import schedule_import
from fazhi.law.workdays import Schedule, schedule_check

_RANGE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:~|至|到|--|—)\s*(\d{4}-\d{1,2}-\d{1,2}))?\s+(\S.*)$")


def _day(text: str, line: int, field: str) -> dt.date:
    try:
        y, m, d = (int(x) for x in text.split("-"))
        return dt.date(y, m, d)
    except ValueError:
        raise forms.ValidationError(f"{field}第{line}行：{text} 不是有效日期") from None


class ScheduleForm(forms.ModelForm):
    holidays_text = forms.CharField(
        label="放假日期",
        widget=forms.Textarea(attrs={"rows": 8, "cols": 60}),
        help_text="每行一个假期：起始日 至 结束日 名称，如“2027-01-01 至 2027-01-03 元旦”；单日写“2027-04-05 清明节”",
    )
    makeup_text = forms.CharField(
        label="调休上班日", required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), help_text="每行一个日期（须为周六或周日）"
    )

    class Meta:
        model = HolidaySchedule
        fields = ["year", "notice", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year = data.get("year")
        if not year:
            return data
        holidays: dict[dt.date, str] = {}
        for n, line in enumerate((data.get("holidays_text") or "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            m = _RANGE.match(line)
            if not m:
                raise forms.ValidationError(f"放假日期第{n}行：“{line}”应为“起始日 至 结束日 名称”")
            first = _day(m.group(1), n, "放假日期")
            last = _day(m.group(2), n, "放假日期") if m.group(2) else first
            if last < first or (last - first).days > 15:
                raise forms.ValidationError(f"放假日期第{n}行：区间 {first}–{last} 无效")
            day = first
            while day <= last:
                holidays[day] = m.group(3).strip()
                day += dt.timedelta(days=1)
        makeup = frozenset(_day(t.strip(), n, "调休上班日") for n, t in enumerate((data.get("makeup_text") or "").splitlines(), start=1) if t.strip())
        schedule = Schedule(year=int(year), holidays=holidays, makeup_workdays=makeup, source="admin", notice=data.get("notice") or "")
        problems = schedule_check(schedule, f"{year} 年安排")
        if problems:
            raise forms.ValidationError(problems)
        self.schedule = schedule
        return data


@admin.register(HolidaySchedule)
class HolidayScheduleAdmin(admin.ModelAdmin):
    """Revisions are never edited or deleted: a correction is a new revision of the year."""

    list_display = ["year", "revision", "notice", "holiday_days", "makeup_days", "created_by", "created_at"]
    list_filter = ["year"]
    form = ScheduleForm

    @admin.display(description="放假天数")
    def holiday_days(self, obj: HolidaySchedule) -> int:
        return len(obj.holidays)

    @admin.display(description="调休上班天数")
    def makeup_days(self, obj: HolidaySchedule) -> int:
        return len(obj.makeup_workdays)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:  # type: ignore[override]
        if obj is None:
            return ["year", "notice", "holidays_text", "makeup_text", "note"]
        return ["year", "revision", "notice", "holidays", "makeup_workdays", "source_name", "note", "created_by", "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:  # type: ignore[override]
        return self.get_fields(request, obj) if obj is not None else []

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: HolidaySchedule, form: Any, change: bool) -> None:
        # The service numbers the revision, writes the audit leaf and refuses a no-op; the
        # admin's own log entry then points at the row it created (or the year's current one).
        row, _ = schedule_import(form.schedule, actor=request.user, source_name="后台录入", note=form.cleaned_data.get("note") or "")
        if row is None:
            row = HolidaySchedule.objects.filter(year=form.schedule.year).order_by("-revision").first() or obj
            self.message_user(request, f"{form.schedule.year} 年的安排与现行日历一致，未新建版次", messages.INFO)
        else:
            self.message_user(request, "请运行 fazhi clock recompute 重新计算未办结事项的期限。", messages.WARNING)
        obj.pk = row.pk
        obj.__dict__.update({k: v for k, v in row.__dict__.items() if not k.startswith("_")})
