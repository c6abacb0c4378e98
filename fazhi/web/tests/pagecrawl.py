"""Render every page of the demo as each of its people and read it as they do.

Each persona starts from the pages of the navigation (the home page, or the portal for a citizen)
and follows the links it is shown, as a user clicking through would, so that every page is reached
with arguments from the demo's data (a matter of each register in the persona's units, a report,
a scheme, a lead, a document…). Every URL pattern of the project must be reached by some persona
or be listed in ``NOT_CRAWLED`` with the reason: a new page is never skipped silently.
Used by ``fazhi/core/tests/test_demo.py`` (the demo takes minutes to build: it is built once)."""

from __future__ import annotations

import re
import time
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from fazhi.web.pagecheck import page_problems

PERSONAS = ["clerk", "reviewer", "head", "office", "evaluator", "checker", "leader", "admin", "jc_md_d02_clerk1", None]  # None: a citizen, no login

# where each persona starts; the rest is reached by the links on the pages
STAFF_START = ["/"]
PORTAL_START = [
    "/gongkai/",
    "/gongkai/chaxun/",
    "/gongkai/guifan/",
    "/gongkai/juece/",
    "/gongkai/rizhi/",
    "/gongkai/yanzheng/",
    "/gongkai/baogao/",
    "/gongshi/zhifa/",
    "/gongshi/quanze/",
    "/gongshi/choucha/",
    "/login/",
]

DOWNLOAD = "a file download, not a page (xlsx, docx, pdf, json, text)"
POST_ONLY = "takes a POST only (a step, an upload or an import; its form is on the page that links to it)"
NOT_CRAWLED: dict[str, str] = {
    "logout": "logs the persona out (POST)",
    "ledger_export": DOWNLOAD,
    "ledger_template": DOWNLOAD,
    "portal_document": POST_ONLY,
    "portal_checkpoint_file": DOWNLOAD,
    "portal_verifier_key": DOWNLOAD,
    "documents_today_pdf": DOWNLOAD,
    "document_docx": DOWNLOAD,
    "document_pdf": DOWNLOAD,
    "normative_portal_export": DOWNLOAD,
    "normative_portal_snapshot": DOWNLOAD,
    "advisers_import": POST_ONLY,
    "saved_filter_save": POST_ONLY + " (保存当前筛选 on a register list)",
    "saved_filter_delete": POST_ONLY + " (the × of a saved filter)",
    "matter_batch": POST_ONLY + " (批量办理 on a register list)",
    "report_merge": POST_ONLY + " (合并各单位稿件 on a report)",
    "publicity_duty_import": POST_ONLY + "; a GET only leads back to the lists",
    "advisers_export": DOWNLOAD,
    "advisers_template": DOWNLOAD,
    "contract_review_document_upload": POST_ONLY,
    "contract_review_document": DOWNLOAD,
    "draw_file": DOWNLOAD,
    "evidence_upload": POST_ONLY,
    "evidence_download": DOWNLOAD,
    "law_study_import": POST_ONLY,
    "law_study_export": DOWNLOAD,
    "law_study_template": DOWNLOAD,
    "publicity_table_export": DOWNLOAD,
    "review_notice_report": POST_ONLY,
    "indicator_trace_xlsx": DOWNLOAD,
    "evaluation_compute": POST_ONLY,
    "evaluation_publish": POST_ONLY,
    "evaluation_evidence": DOWNLOAD,
    "supervision_scan": POST_ONLY,
    "supervision_new": POST_ONLY,
    "supervision_step": POST_ONLY,
    "report_new": POST_ONLY,
    "report_contribute": POST_ONLY,
    "report_generate": POST_ONLY,
    "report_docx": DOWNLOAD,
    "report_pdf": DOWNLOAD,
    "report_step": POST_ONLY,
    "report_manual": POST_ONLY,
    "org_import_template": DOWNLOAD,
    "login_code": "the second step of a login: only after the password of an account with two-step verification",
    "admin_login_redirect": "the admin's login address, redirected to the staff login",
    "account_otp_enrol": POST_ONLY + " (启用两步验证 on the account page)",
    "account_otp_disable": POST_ONLY + " (停用两步验证 on the account page)",
    "account_otp_reset": POST_ONLY + " (重置 on an administrator's account page)",
}
# Django's admin (namespace "admin"): the administrator's back office, Django's own pages in Django's
# translation (which leaves a few screen-reader captions in English, "Model name", "Add link"); not crawled.
ADMIN_NAMESPACE = "admin"
# The REST API (namespace "api"): JSON for other systems with a token, not pages for a person; its
# own tests read every operation (fazhi/api/tests: the permission matrix, schemathesis, the docs page).
API_NAMESPACE = "api"

# how many addresses of one page (one name and its non-numeric arguments, e.g. the detail page of
# one register) a persona reads: a few show the page with different data without reading thousands
PER_PAGE = 3
# pages whose text does not change with the reader (an indicator's trace: ~150 of them, each a
# definition): read once in the whole crawl, by the first persona that reaches them
ONCE = {"indicator_trace", "report_cell"}


def url_pattern_names() -> set[str]:
    """Every named URL pattern of the project outside the admin."""

    def walk(patterns: list[Any], namespace: str) -> Iterator[str]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and namespace not in (ADMIN_NAMESPACE, API_NAMESPACE):
                assert p.name, f"URL pattern without a name: {p.pattern}"
                yield p.name

    return set(walk(get_resolver().url_patterns, ""))


@dataclass
class CrawlResult:
    problems: dict[str, list[str]] = field(default_factory=dict)  # "persona GET url" -> problems
    server_errors: list[str] = field(default_factory=list)
    reached: set[str] = field(default_factory=set)
    by_page: Counter[str] = field(default_factory=Counter)  # url name -> addresses read
    by_persona: dict[str, tuple[int, float]] = field(default_factory=dict)  # pages, seconds
    pages: int = 0
    seconds: float = 0.0

    def unreached(self) -> set[str]:
        return url_pattern_names() - self.reached - set(NOT_CRAWLED)


_HREF = re.compile(r"""<a\b[^>]*\bhref=["']([^"'#]+)""", re.I)


def _links(html: str) -> list[str]:
    out = []
    for href in _HREF.findall(html):
        href = href.replace("&amp;", "&")
        if href.startswith("/") and not href.startswith(("//", "/static/")):
            out.append(href)
    return out


def reports_prepare(year: int) -> None:
    """The demo writes no annual report: the office drafts the two of ``year`` and takes the 法治政府
    report through review, signature and publication, each step by its role (the services')."""
    from fazhi.core.models import Membership, Role
    from fazhi.reports import services

    users = get_user_model().objects
    office, checker, leader = (users.get(username=u) for u in ("office", "checker", "leader"))
    unit = Membership.objects.get(user=office, role=Role.RULE_OF_LAW_OFFICE).unit
    report = services.report_create(unit=unit, kind="fzzf", year=year, actor=office)
    services.version_generate(report=report, actor=office)
    for action, actor in [("submit", office), ("approve", checker), ("clear", checker)]:
        report = services.report_step(report=report, action=action, actor=actor)
    report = services.report_sign(report=report, actor=leader)
    services.report_step(report=report, action="publish", actor=office)
    services.version_generate(report=services.report_create(unit=unit, kind="gkndbg", year=year, actor=office), actor=office)


def data_start(username: str) -> list[str]:
    """Pages no link of the navigation leads to within a few clicks: the documents the persona's
    units issued (their print view, service record and 送达回证)."""
    from fazhi.core.models import Membership
    from fazhi.documents.models import IssuedDocument

    units = Membership.objects.filter(user__username=username).values_list("unit", flat=True)
    docs = IssuedDocument.objects.filter(unit__in=units).order_by("-pk")[:2]
    return [f"/wenshu/{d.pk}/{page}/" for d in docs for page in ("dayin", "songda", "huizheng")]


def crawl(*, personas: list[str | None] = PERSONAS, allow: set[str] | None = None) -> CrawlResult:
    result = CrawlResult()
    started = time.monotonic()
    users = get_user_model().objects
    once: set[tuple[str, ...]] = set()
    for username in personas:
        client = Client(raise_request_exception=False)
        if username is not None:
            client.force_login(users.get(username=username))
        who = username or "citizen"
        pages, persona_started = result.pages, time.monotonic()
        queue = deque(STAFF_START + data_start(username) if username else PORTAL_START)
        seen: set[str] = set(queue)
        per_page: dict[tuple[str, ...], int] = {}
        while queue:
            url = queue.popleft()
            response = client.get(url)
            result.pages += 1
            if response.status_code >= 500:
                result.server_errors.append(f"{who} GET {url}: {response.status_code}")
                continue
            if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
                continue
            name = resolve(urlsplit(url).path).url_name or ""
            result.reached.add(name)
            result.by_page[name] += 1
            html = response.content.decode()
            problems = page_problems(html, allow=allow) if allow is not None else page_problems(html)
            if problems:
                result.problems[f"{who} GET {url}"] = problems
            for link in _links(html):
                if link in seen:
                    continue
                try:
                    match = resolve(urlsplit(link).path)
                except Resolver404:
                    continue
                if match.namespace in (ADMIN_NAMESPACE, API_NAMESPACE):
                    continue
                if match.url_name in NOT_CRAWLED:
                    continue
                key = (match.url_name or "", *(str(v) for v in match.kwargs.values() if not isinstance(v, int)))
                if per_page.get(key, 0) >= PER_PAGE or key in once:
                    continue
                if match.url_name in ONCE:
                    once.add(key)
                per_page[key] = per_page.get(key, 0) + 1
                seen.add(link)
                queue.append(link)
        result.by_persona[who] = (result.pages - pages, time.monotonic() - persona_started)
    result.seconds = time.monotonic() - started
    return result
