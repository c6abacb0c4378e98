"""Staff UI: thin views over the framework's services and selectors."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods

from fazhi.audit.models import AuditLeaf, Checkpoint
from fazhi.audit.services import tree_root
from fazhi.core.access import common_unit, personal_access_record
from fazhi.core.errors import FazhiError, ImportFailed, ValidationFailed
from fazhi.core.http import upload_bytes, xlsx_response
from fazhi.core.importers import UNIT_COLUMNS, UNIT_OPTIONAL, USER_COLUMNS, USER_OPTIONAL, units_import, users_import
from fazhi.core.models import AccessKind
from fazhi.core.pagecache import RECORDS, TODO, cached
from fazhi.core.selectors import user_holds_role, user_is_admin, user_memberships, user_units_with_role
from fazhi.core.todo import todo_sections
from fazhi.law.clocks import clock_rules
from fazhi.law.workdays import current_calendar
from fazhi.registers.framework import selectors, todo
from fazhi.registers.framework.clocks import matter_clocks
from fazhi.registers.framework.definition import Transition
from fazhi.registers.framework.forms import form_fit, transition_form_class
from fazhi.registers.framework.ledger import STAFF_ROLES, ledger_columns, ledger_export, ledger_import, ledger_template
from fazhi.registers.framework.listing import SORTS, ListFilter, filters_in_words, list_access_record, list_filter, matter_access_record, matters_filtered
from fazhi.registers.framework.models import GeneratedBatch, Matter, SavedFilter
from fazhi.registers.framework.registry import EXTRA_PANELS, REGISTRY, Register, model_field
from fazhi.registers.framework.services import matter_amend, matter_create, matter_transition, matters_transition_batch
from fazhi.registers.framework.waiting import workflow_waiting

PAGE_SIZE = 50


def _register(name: str) -> Register:
    reg = REGISTRY.get(name)
    if reg is None:
        raise Http404("没有这个台账")
    return reg


def _matter(request: HttpRequest, reg: Register, pk: int) -> Matter:
    matter = selectors.matter_get_for(request.user, reg, pk)
    if matter is None:
        raise Http404("案件不存在或您无权查看")
    return matter


def _apply_errors(form: forms.Form, exc: FazhiError) -> None:
    if isinstance(exc, ValidationFailed):
        for field, msgs in exc.errors.items():
            for msg in msgs:
                form.add_error(field if field in form.fields else None, msg)
    else:
        form.add_error(None, exc.message)


TODO_TABS = (("", "全部计时中"), ("overdue", "已逾期"), ("due_today", "今日到期"), ("due_soon", "3日内到期"))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The to-do list: the open matters of every register the user may see (counted and paged in
    SQL), every workflow step waiting for the user, and the apps' other sections."""
    today = timezone.localdate()
    status = request.GET.get("status", "")
    status = status if status in todo.STATUSES else ""
    register = request.GET.get("register", "")
    register = register if register in REGISTRY else ""
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    counts, selected, rows_html = _todo_registers(request.user, today, status, register, page)
    pages = max((selected + todo.TODO_PAGE_SIZE - 1) // todo.TODO_PAGE_SIZE, 1)
    page = min(page, pages)
    tab_counts = {"": counts.total, "overdue": counts.overdue, "due_today": counts.due_today, "due_soon": counts.due_soon}

    def query(**changes: Any) -> str:
        params = {"status": status, "register": register, "page": str(page)} | changes
        return "?" + "&".join(f"{k}={v}" for k, v in params.items() if v and not (k == "page" and v == "1"))

    return render(
        request,
        "web/home.html",
        {
            "more_html": mark_safe(_todo_more(request.user, today)),
            "rows_html": mark_safe(rows_html),
            "today": today,
            "counts": counts,
            "status": status,
            "register": register,
            "tabs": [(key, label, query(status=key, page="1"), tab_counts[key]) for key, label in TODO_TABS],
            "register_choices": [(r.name, r.definition.label, counts.by_register[r.name]) for r in REGISTRY.values() if r.name in counts.by_register],
            "selected": selected,
            "page": page,
            "pages": pages,
            "page_links": [(n, query(page=str(n))) for n in _page_numbers(page, pages)],
            "units": user_memberships(request.user),
        },
    )


def _todo_registers(user: Any, today: dt.date, status: str, register: str, page: int) -> tuple[todo.TodoCounts, int, str]:
    """The register part of the to-do list: the counters, the selected tab's size and its page's
    rows, rendered. They depend on the user's units and roles (what they see, the steps offered),
    the day and the tab, and on the matters: cached per (units and roles, day, tab, page) until the
    next write of a matter (fazhi/core/pagecache.py). The page number is clamped to the pages the
    selection has (computed again after a write: a stale count never picks the page)."""
    memberships = tuple(sorted((m.unit_id, m.unit.path, m.role) for m in user_memberships(user)))

    def compute() -> tuple[todo.TodoCounts, int, str]:
        counts = todo.todo_counts(user, today)
        selected = todo.todo_count(user, today, status=status, register=register) if (status or register) else counts.total
        shown = min(page, max((selected + todo.TODO_PAGE_SIZE - 1) // todo.TODO_PAGE_SIZE, 1))
        rows = todo.todo_page(user, today, status=status, register=register, page=shown)
        return counts, selected, render_to_string("web/_todo_rows.html", {"rows": rows})

    return cached(RECORDS, ("todo", memberships, today, status, register, page), compute)


def _todo_more(user: Any, today: dt.date) -> str:
    """The to-do list beyond the registers, rendered: every workflow step waiting for the user and
    the apps' sections. Their checks are the user's (roles over units, the administrator's
    fallback), so the part is cached per user (and their units, roles and flags) and day, until
    the next write of a matter (RECORDS) or of what the workflows and sections read (TODO:
    fazhi/web/apps.py)."""
    memberships = tuple(sorted((m.unit_id, m.unit.path, m.role) for m in user_memberships(user)))
    who = (user.pk, user.is_active, user.is_superuser, user.is_staff, memberships)

    def compute() -> str:
        context = {"waiting": workflow_waiting(user, today), "sections": todo_sections(user, today), "today": today}
        return render_to_string("web/_todo_more.html", context)

    return cached((RECORDS, TODO), ("todo-more", who, today), compute)


def _page_numbers(page: int, pages: int) -> list[int]:
    """Page numbers shown (the to-do list, the register lists): the first, the last and two either side of the current one."""
    return sorted({1, pages, *range(max(page - 2, 1), min(page + 2, pages) + 1)})


# The list's own parameters, not part of a filter a user saves.
PAGING = ("after", "page")


def _search_hint(reg: Register) -> str:
    return "、".join(["案号", *(str(model_field(reg.model, n).verbose_name) for n in reg.definition.search)])


def _filtered(request: HttpRequest, reg: Register) -> tuple[ListFilter, QuerySet[Matter]]:
    """The list filter and the matters it selects, within what the user may see."""
    f = list_filter(request.GET or None, request.user, reg)
    for name, field in f.fields.items():
        field.widget.attrs.setdefault("class", "form-check-input" if name == "overdue" else "form-control form-control-sm")
    hint = _search_hint(reg)
    f.fields["q"].widget.attrs.update({"placeholder": hint, "title": f"可检索：{hint}"})
    f.fields["q"].help_text = f"可检索：{hint}"
    return f, matters_filtered(f, request.user, reg)


def _query(request: HttpRequest, **changes: str | None) -> str:
    """The current query string without the paging, with ``changes`` applied (None removes)."""
    params = request.GET.copy()
    for key in PAGING:
        params.pop(key, None)
    for key, value in changes.items():
        params.pop(key, None)
        if value:
            params[key] = value
    return params.urlencode()


def _sort_links(request: HttpRequest, current: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the link that sorts by it (toggling the direction) and its aria-sort."""
    out = {}
    for key in SORTS:
        if current == key:
            out[key] = {"query": _query(request, sort=f"-{key}"), "aria": "ascending", "mark": "▲"}
        elif current == f"-{key}":
            out[key] = {"query": _query(request, sort=key), "aria": "descending", "mark": "▼"}
        else:
            out[key] = {"query": _query(request, sort=key), "aria": "none", "mark": ""}
    return out


def _batch_steps(request: HttpRequest, reg: Register) -> list[Transition]:
    """The batchable steps of the register the user holds a role for in some unit."""
    return [t for t in reg.definition.batch_transitions() if user_holds_role(request.user, t.roles)]


# The columns of a register's list (_list_rows_html) and the unit's path its access record needs.
LIST_COLUMNS = ("case_number", "carried_in", "received_on", "state", "due_on", "unit__name", "unit__path")


@login_required
def matter_list(request: HttpRequest, register: str) -> HttpResponse:
    reg = _register(register)
    f, qs = _filtered(request, reg)
    today = timezone.localdate()
    d = f.cleaned_data if f.is_valid() else {}
    sort = d.get("sort") or ""
    total = qs.count()
    party = reg.definition.party
    # only the columns the rows show (and the unit the access log names): the fields a list does not
    # show (most of them, the personal ones encrypted) are neither read nor decrypted
    qs = qs.only(*LIST_COLUMNS, *([party] if party else []))
    next_query = prev_query = None
    page_links: list[tuple[int, str]] = []
    page_no = 1
    if sort:
        # A chosen order: numbered pages (OFFSET), measured in bench/results/search.txt.
        column = F(SORTS[sort.lstrip("-")])
        order = [column.desc(nulls_last=True) if sort.startswith("-") else column.asc(nulls_last=True), "-pk" if sort.startswith("-") else "pk"]
        last = max(1, -(-total // PAGE_SIZE))
        page_no = min(d.get("page") or 1, last)
        page = list(qs.order_by(*order)[(page_no - 1) * PAGE_SIZE : page_no * PAGE_SIZE])
        page_links = [(n, _query(request, page=str(n))) for n in _page_numbers(page_no, last)] if last > 1 else []
        if page_no < last:
            next_query = _query(request, page=str(page_no + 1))
        if page_no > 1:
            prev_query = _query(request, page=str(page_no - 1))
    else:
        # The default order: keyset pagination, fast at any depth on large tables (no OFFSET).
        if d.get("after"):
            qs = qs.filter(pk__lt=d["after"])
        page = list(qs.order_by("-pk")[: PAGE_SIZE + 1])
        has_next = len(page) > PAGE_SIZE
        page = page[:PAGE_SIZE]
        if has_next:
            params = request.GET.copy()
            params["after"] = str(page[-1].pk)
            next_query = params.urlencode()
    list_access_record(request.user, reg, f, page)
    open_states, states = reg.definition.open_states(), reg.definition.states
    # (matter, due status, party, state in words): the labels looked up here, not by a template loop over every state per row
    rows = [
        (
            m,
            selectors.due_status(m.due_on, today) if m.state in open_states else "",
            getattr(m, party) if party else "",
            states[m.state].label if m.state in states else "",
        )
        for m in page
    ]
    can_create = user_holds_role(request.user, reg.definition.create.roles)
    filter_query = _query(request)
    batch_steps = _batch_steps(request, reg)
    return render(
        request,
        "web/matter_list.html",
        {
            "reg": reg,
            "filter": f,
            "rows": rows,
            "rows_html": _list_rows_html(reg, rows, pick=bool(batch_steps), party=bool(party)),
            "total": total,
            "next_query": next_query,
            "prev_query": prev_query,
            "page_links": page_links,
            "page_no": page_no,
            "sort": sort,
            "sort_links": _sort_links(request, sort),
            "party_label": model_field(reg.model, party).verbose_name if party else "",
            "can_create": can_create,
            "can_import": user_holds_role(request.user, STAFF_ROLES),
            "first_page": not request.GET.get("after") and page_no == 1,
            "export_query": filter_query,
            "filter_query": filter_query,
            "saved_filters": SavedFilter.objects.filter(user_id=request.user.pk or 0, register=reg.name),
            "batch_steps": batch_steps,
            "today": today,
            "received_label": model_field(reg.model, "received_on").verbose_name,
        },
    )


STATUS_BADGES = {
    "overdue": '<span class="badge text-bg-danger">已逾期</span>',
    "due_today": '<span class="badge text-bg-warning">今日到期</span>',
    "due_soon": '<span class="badge text-bg-info">即将到期</span>',
    "running": '<span class="badge text-bg-light border">计时中</span>',
}  # web/_status.html


def _shown(value: Any) -> str:
    """``{{ value }}``: localized, escaped unless safe; nothing for None (a template would print "None",
    English on a clerk's page: a matter with no party recorded)."""
    if value is None:
        return ""
    return str(conditional_escape(value if isinstance(value, str) else str(localize(value))))


def _day(value: dt.date | None) -> str:
    """``{{ value|date:"Y-m-d" }}`` of a date field."""
    return value.isoformat() if value is not None else ""


def _list_rows_html(reg: Register, rows: list[tuple[Matter, str, Any, str]], *, pick: bool, party: bool) -> SafeString:
    """The rows of a register's list, written here as the template loop over 50 rows wrote them
    (byte for byte on the demo's lists when this was written: empty, searched, sorted, with and
    without the batch boxes; fazhi/web/tests/test_lists.py and test_views.py read them)."""
    if not rows:
        return mark_safe('<tr><td colspan="8" class="text-muted">没有符合条件的案件。</td></tr>\n')
    head, _, tail = reverse("matter_detail", args=[reg.name, 999999999]).partition("999999999")
    out = []
    for m, status, who, state in rows:
        number = _shown(m.case_number)
        box = f'<td><input class="form-check-input" type="checkbox" name="ids" value="{m.pk}" id="pick-{m.pk}" aria-label="选择 {number}"></td>' if pick else ""
        carried = ' <span class="badge text-bg-secondary">上年结转</span>' if m.carried_in else ""
        who_td = f'<td class="party">{_shown(who)}</td>' if party else ""
        out.append(
            f'\n<tr>\n  {box}\n  <td class="text-nowrap"><a href="{head}{m.pk}{tail}">{number}</a>{carried}</td>\n  {who_td}\n'
            f'  <td>{_shown(m.unit.name)}</td>\n  <td class="text-nowrap">{_day(m.received_on)}</td>\n  <td>{_shown(state)}</td>\n'
            f'  <td class="text-nowrap">{_day(m.due_on)}</td>\n  <td>{STATUS_BADGES.get(status, "")}\n</td>\n</tr>\n'
        )
    return mark_safe("".join(out))  # every value escaped above


class SavedFilterForm(forms.Form):
    name = forms.CharField(label="筛选名称", max_length=60, widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))
    query = forms.CharField(max_length=1000, required=False, widget=forms.HiddenInput)


@login_required
@require_http_methods(["POST"])
def saved_filter_save(request: HttpRequest, register: str) -> HttpResponse:
    """Save the current filter under a name (the same name again replaces it)."""
    reg = _register(register)
    form = SavedFilterForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写筛选名称（不超过 60 字）")
        return redirect(f"{reverse('matter_list', args=[reg.name])}?{request.POST.get('query', '')}")
    params = QueryDict(form.cleaned_data["query"], mutable=True)
    for key in PAGING:
        params.pop(key, None)
    query = params.urlencode()
    SavedFilter.objects.update_or_create(user_id=request.user.pk or 0, register=reg.name, name=form.cleaned_data["name"].strip(), defaults={"query": query})
    messages.success(request, f"已保存筛选“{form.cleaned_data['name'].strip()}”")
    return redirect(f"{reverse('matter_list', args=[reg.name])}?{query}")


@login_required
@require_http_methods(["POST"])
def saved_filter_delete(request: HttpRequest, register: str, pk: int) -> HttpResponse:
    reg = _register(register)
    saved = get_object_or_404(SavedFilter, pk=pk, user_id=request.user.pk or 0, register=reg.name)
    saved.delete()
    messages.success(request, f"已删除筛选“{saved.name}”")
    return redirect("matter_list", reg.name)


class BatchForm(forms.Form):
    transition = forms.ChoiceField(label="批量办理的步骤", error_messages={"required": "请选择步骤", "invalid_choice": "该步骤不能批量办理或您无权办理"})
    day = forms.DateField(
        label="办理日期", widget=forms.DateInput(attrs={"type": "date"}), error_messages={"required": "请填写办理日期", "invalid": "请填写有效的日期"}
    )
    ids = forms.TypedMultipleChoiceField(coerce=int, error_messages={"required": "请至少勾选一件案件", "invalid_choice": "所选案件无效"})
    query = forms.CharField(required=False, widget=forms.HiddenInput)

    BATCH_LIMIT = 200


@login_required
@require_http_methods(["POST"])
def matter_batch(request: HttpRequest, register: str) -> HttpResponse:
    """One batchable step for the ticked matters, all or nothing (批量办理)."""
    reg = _register(register)
    steps = {t.name: t for t in _batch_steps(request, reg)}
    form = BatchForm(request.POST)
    transition_field = form.fields["transition"]
    assert isinstance(transition_field, forms.ChoiceField)
    transition_field.choices = [(t.name, t.label) for t in steps.values()]
    ids_field = form.fields["ids"]
    assert isinstance(ids_field, forms.ChoiceField)
    ids_field.choices = [(v, v) for v in request.POST.getlist("ids") if v.isdigit()]
    back = f"{reverse('matter_list', args=[reg.name])}?{request.POST.get('query', '')}"
    if not form.is_valid():
        labels = {"transition": "步骤", "day": "办理日期", "ids": "案件"}
        for field, errs in form.errors.items():
            messages.error(request, f"批量办理未执行：{labels.get(field, '')}{'：' if field in labels else ''}{'；'.join(str(e) for e in errs)}")
        return redirect(back)
    ids = sorted(set(form.cleaned_data["ids"]))
    if len(ids) > BatchForm.BATCH_LIMIT:
        messages.error(request, f"批量办理未执行：一次最多办理 {BatchForm.BATCH_LIMIT} 件，您选择了 {len(ids)} 件")
        return redirect(back)
    matters = list(selectors.matters_visible_to(request.user, reg).select_related("unit").filter(pk__in=ids).order_by("pk"))
    if len(matters) != len(ids):
        raise Http404("部分案件不存在或您无权查看")
    t = steps[form.cleaned_data["transition"]]
    try:
        matters_transition_batch(matters=matters, transition=t.name, actor=request.user, day=form.cleaned_data["day"], note="批量办理")
    except FazhiError as exc:
        messages.error(request, f"批量办理未执行：{exc.message}")
    else:
        messages.success(request, f"已对 {len(matters)} 件案件办理“{t.label}”：{'、'.join(m.case_number for m in matters)}")
    return redirect(back)


EXPORT_LIMIT = 100_000


@login_required
def ledger_export_view(request: HttpRequest, register: str) -> HttpResponse:
    """The filtered list as a ledger in the import layout; ``publish=1`` masks personal data."""
    reg = _register(register)
    f, qs = _filtered(request, reg)
    if request.GET and not f.is_valid():
        raise Http404("筛选条件无效")
    matters = list(qs.order_by("received_on", "pk")[: EXPORT_LIMIT + 1])
    if len(matters) > EXPORT_LIMIT:
        messages.error(request, f"符合条件的案件超过 {EXPORT_LIMIT} 件，请缩小筛选范围（如按单位或日期）后分批导出")
        return redirect(f"{request.path.removesuffix('export.xlsx')}?{request.GET.urlencode()}")
    publish = request.GET.get("publish") == "1"
    if not publish and reg.definition.personal_data and matters:
        personal_access_record(
            user=request.user,
            kind=AccessKind.EXPORT,
            register=reg.name,
            unit=common_unit(m.unit for m in matters),
            rows=len(matters),
            filters=filters_in_words(reg, f),
        )
    suffix = "（公开版）" if publish else ""
    return xlsx_response(ledger_export(reg, matters, publish=publish), f"{reg.definition.label}台账{suffix}-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def ledger_template_view(request: HttpRequest, register: str) -> HttpResponse:
    reg = _register(register)
    return xlsx_response(ledger_template(reg), f"{reg.definition.label}台账导入模板.xlsx")


class LedgerImportForm(forms.Form):
    file = forms.FileField(label="台账文件（Excel 或 CSV）", widget=forms.ClearableFileInput(attrs={"class": "form-control"}))


@login_required
@require_http_methods(["GET", "POST"])
def ledger_import_view(request: HttpRequest, register: str) -> HttpResponse:
    reg = _register(register)
    if not (user_holds_role(request.user, STAFF_ROLES) or user_is_admin(request.user)):
        raise Http404("您没有可导入台账的单位")
    form = LedgerImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = ledger_import(reg=reg, data=upload_bytes(upload), filename=upload.name, actor=request.user, max_rows=settings.FAZHI_LEDGER_WEB_ROWS)
        except ImportFailed as exc:
            problems = exc.problems
        except FazhiError as exc:
            problems = [exc.message]
        else:
            messages.success(request, f"导入完成：{result.summary()}")
            return redirect("matter_list", register=reg.name)
    return render(request, "web/ledger_import.html", {"reg": reg, "form": form, "problems": problems, "columns": ledger_columns(reg)})


def deadlines_in_words(deadlines: dict[str, str]) -> str:
    """Whether each stopped deadline was kept, as a clerk reads it: 作出复议决定（普通程序）：按期."""
    rules = clock_rules()
    words = {"met": "按期", "late": "超期"}
    return "；".join(f"{rules[r].label if r in rules else r}：{words.get(v, v)}" for r, v in sorted(deadlines.items()))


def _display_fields(reg: Register, matter: Matter) -> list[tuple[str, Any]]:
    out = []
    for f in reg.model._meta.fields:
        if f.name in ("id", "created_at", "updated_at", "sequence", "calendar_version", "due_rule"):
            continue
        value = getattr(matter, f.name)
        if value in (None, ""):
            continue
        if f.name in reg.display_values:
            value = reg.display_values[f.name](matter, value)
            if not value:
                continue
        elif f.name == reg.definition.outcome_field:
            o = reg.definition.outcomes.get(value)
            value = o.in_words if o else value
        elif f.name == "state":
            value = reg.definition.states[value].label
        elif f.name == "deadlines":
            if not value:
                continue  # no deadline has stopped yet
            value = deadlines_in_words(value)
        elif f.choices:
            value = getattr(matter, f"get_{f.name}_display")()
        elif isinstance(value, bool):
            value = "是" if value else "否"
        out.append((str(f.verbose_name), value))
    return out


@login_required
def matter_detail(request: HttpRequest, register: str, pk: int) -> HttpResponse:
    reg = _register(register)
    matter = _matter(request, reg, pk)
    today = timezone.localdate()
    history = _matter_history(reg, matter, today)
    matter_access_record(request.user, reg, matter)
    return render(
        request,
        "web/matter_detail.html",
        {
            "reg": reg,
            "matter": matter,
            "fields": _display_fields(reg, matter),
            "timeline_html": mark_safe(history.timeline_html),
            "clocks_html": mark_safe(history.clocks_html),
            "status": selectors.due_status(matter.due_on, today),
            "actions": selectors.transitions_available(request.user, matter, done=history.done),
            "can_amend": bool(set(reg.definition.amend_roles) & _roles(request, matter)),
            "panel": reg.detail_context(request, matter) if reg.detail_context else None,
            "extra_panels": [(template, context(request, matter)) for template, context in EXTRA_PANELS.get(reg.name, [])],
        },
    )


@dataclass(frozen=True)
class MatterHistory:
    timeline_html: str  # web/_matter_timeline.html: the events, their audit leaves (or the generated batch)
    clocks_html: str  # web/_matter_clocks.html: the clocks running now
    done: dict[str, int]  # how many times each step was taken (the steps offered depend on it)


def _matter_history(reg: Register, matter: Matter, today: dt.date) -> MatterHistory:
    """What a matter's page shows of its history, the same for everyone who may see the matter (the
    caller has checked that the user may): computed from the matter, its events and audit leaves,
    the actors' names, the calendar and the day, so cached per (register, matter, day, calendar)
    until the next write of a matter or an event (RECORDS) or of a user (TODO; fazhi/core/pagecache.py)."""
    running = reg.definition.states[matter.state].open
    cal = current_calendar() if running else None

    def compute() -> MatterHistory:
        events = list(selectors.matter_events(matter))
        labels = {t.name: t.label for t in reg.definition.transitions.values()} | {"register": "登记", "amend": "更正"} | reg.event_labels
        leaves = dict(AuditLeaf.objects.filter(source="matter_event", source_id__in=[e.pk for e in events]).values_list("source_id", "index"))
        generated = None if events else GeneratedBatch.objects.filter(register=reg.name, first_id__lte=matter.pk, last_id__gte=matter.pk).first()
        timeline = {
            "reg": reg,
            "timeline": [(e, labels.get(e.transition, e.transition), leaves.get(e.pk)) for e in events],
            "generated": generated,
            "generated_leaf": AuditLeaf.objects.filter(source="generated_batch", source_id=generated.pk).values_list("index", flat=True).first()
            if generated
            else None,
        }
        clocks = matter_clocks(matter, events, cal=cal) if cal is not None else []
        clock_labels = {rule_id: rule.label for rule_id, rule in clock_rules().items()}
        return MatterHistory(
            timeline_html=render_to_string("web/_matter_timeline.html", timeline),
            clocks_html=render_to_string("web/_matter_clocks.html", {"clocks": clocks, "clock_labels": clock_labels}),
            done=dict(Counter(e.transition for e in events)),
        )

    return cached((RECORDS, TODO), ("matter-history", reg.name, matter.pk, today, cal.version if cal is not None else ""), compute)


def _roles(request: HttpRequest, matter: Matter) -> set[str]:
    from fazhi.core.selectors import user_roles_for_unit

    return user_roles_for_unit(request.user, matter.unit)


@login_required
@require_http_methods(["GET", "POST"])
def matter_new(request: HttpRequest, register: str) -> HttpResponse:
    reg = _register(register)
    t = reg.definition.create
    units = user_units_with_role(request.user, t.roles)
    if not units.exists():
        raise Http404("您没有登记此类案件的权限")
    form_class = transition_form_class(reg, t)
    unit_field = forms.ModelChoiceField(label="办理单位", queryset=units, widget=forms.Select(attrs={"class": "form-select"}))
    form_class = type("NewForm", (form_class,), {"handling_unit": unit_field})
    today = timezone.localdate()
    initial: dict[str, Any] = {"received_on": today}
    mine = list(units[:2])
    if len(mine) == 1:
        unit_field.empty_label = None
        initial["handling_unit"] = mine[0].pk
    prefill = getattr(reg.hooks, "prefill", None)
    if prefill is not None and request.method == "GET":
        # a step elsewhere that starts this one (a 以罚代刑 flag starts its 移送) fills in what it knows
        initial |= prefill(request.user, request.GET)
    form = form_fit(form_class(request.POST or None, initial=initial), reg, t, user=request.user, units=list(units), day=today)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "handling_unit"}
        try:
            matter = matter_create(register=reg.name, unit=form.cleaned_data["handling_unit"], actor=request.user, data=data)
        except FazhiError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"已登记，案号 {matter.case_number}")
            return redirect("matter_detail", register=reg.name, pk=matter.pk)
    return render(request, "web/matter_form.html", {"reg": reg, "form": form, "title": f"{t.label}", "matter": None})


def _form_data(form: forms.Form) -> dict[str, Any]:
    return dict(form.cleaned_data)


@login_required
@require_http_methods(["GET", "POST"])
def matter_do(request: HttpRequest, register: str, pk: int, transition: str) -> HttpResponse:
    reg = _register(register)
    matter = _matter(request, reg, pk)
    t: Transition | None = reg.definition.transitions.get(transition)
    if t is None:
        raise Http404("没有这个步骤")
    today = timezone.localdate()
    form = transition_form_class(reg, t)(request.POST or None, initial={t.date_field: today} if t.date_field else {})
    form = form_fit(form, reg, t, user=request.user, units=[matter.unit], day=today, matter=matter)
    if t not in selectors.transitions_available(request.user, matter):
        messages.error(request, f"您现在不能对该案件执行“{t.label}”")
        return redirect("matter_detail", register=reg.name, pk=matter.pk)
    if request.method == "POST" and form.is_valid():
        try:
            matter_transition(matter=matter, transition=t.name, actor=request.user, data=_form_data(form), note=request.POST.get("note", ""))
        except FazhiError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"已{t.label}")
            return redirect("matter_detail", register=reg.name, pk=matter.pk)
    return render(request, "web/matter_form.html", {"reg": reg, "form": form, "title": t.label, "matter": matter, "with_note": True})


@login_required
@require_http_methods(["GET", "POST"])
def matter_amend_view(request: HttpRequest, register: str, pk: int) -> HttpResponse:
    reg = _register(register)
    matter = _matter(request, reg, pk)
    if not set(reg.definition.amend_roles) & _roles(request, matter):
        messages.error(request, "您没有更正该案件登记信息的权限")
        return redirect("matter_detail", register=reg.name, pk=matter.pk)
    t = Transition(name="amend", label="更正", sources=(), target="", roles=reg.definition.amend_roles, fields=(), optional=reg.definition.amendable)
    form_class = transition_form_class(reg, t)
    # a foreign key's initial value is its id (attname); a text field named "…unit" is text
    initial = {n: getattr(matter, model_field(reg.model, n).attname) for n in reg.definition.amendable}
    form = form_fit(form_class(request.POST or None, initial=initial), reg, t, user=request.user, units=[matter.unit], day=timezone.localdate(), matter=matter)
    if request.method == "POST" and form.is_valid():
        try:
            matter_amend(matter=matter, actor=request.user, changes=_form_data(form), reason=request.POST.get("note", ""))
        except FazhiError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "更正已记录")
            return redirect("matter_detail", register=reg.name, pk=matter.pk)
    return render(
        request, "web/matter_form.html", {"reg": reg, "form": form, "title": "更正登记信息", "matter": matter, "with_note": True, "note_required": True}
    )


@login_required
def audit_page(request: HttpRequest) -> HttpResponse:
    size, root = tree_root()
    return render(
        request, "web/audit.html", {"size": size, "root": root.hex(), "checkpoints": Checkpoint.objects.order_by("-size")[:20], "today": dt.date.today()}
    )


class OrgImportForm(forms.Form):
    kind = forms.ChoiceField(label="导入内容", choices=[("units", "单位树"), ("users", "人员与角色")], widget=forms.Select(attrs={"class": "form-select"}))
    file = forms.FileField(label="文件（Excel 或 CSV）", widget=forms.ClearableFileInput(attrs={"class": "form-control"}))


@login_required
@require_http_methods(["GET", "POST"])
def org_import(request: HttpRequest) -> HttpResponse:
    if not user_is_admin(request.user):
        raise Http404("仅系统管理员可用")
    form = OrgImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        importer = units_import if form.cleaned_data["kind"] == "units" else users_import
        try:
            result = importer(data=upload_bytes(upload), filename=upload.name, actor=request.user)
        except ImportFailed as exc:
            problems = exc.problems
        except FazhiError as exc:
            problems = [exc.message]
        else:
            messages.success(request, f"导入完成：{result.summary()}")
            return redirect("org_import")
    return render(request, "web/org_import.html", {"form": form, "problems": problems})


@login_required
def org_import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if not user_is_admin(request.user):
        raise Http404("仅系统管理员可用")
    columns = {"units": UNIT_COLUMNS + UNIT_OPTIONAL, "users": USER_COLUMNS + USER_OPTIONAL}.get(kind)
    if columns is None:
        raise Http404("没有这个模板")
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(columns)
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return response
