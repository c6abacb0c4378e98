"""The server's own error pages, in Chinese, for the errors no view answers itself.

A write that finds the database held by another one past its wait (SQLite's single writer during a
large ledger import, a lock time-out or a deadlock on PostgreSQL) is not a fault of the page: the
transaction was rolled back whole, nothing of the request was written, and the same request a little
later succeeds. It is answered 503 with a page saying so (and Retry-After), not the 500 page.
Both pages are rendered without a request context: they read nothing from the database.
"""

from __future__ import annotations

import sys

from django.db.utils import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

BUSY_RETRY_SECONDS = 30
BUSY_MESSAGE = "系统正在集中写入数据（例如导入一份台账），本次操作未能保存，也没有留下任何改动。请稍后（约半分钟）再提交一次。"
ERROR_MESSAGE = "系统出现内部错误，本次操作没有完成。请稍后重试；如果问题一再出现，请联系系统管理员。"

# what the drivers say when a write waited for another past its limit (sqlite3; PostgreSQL's
# lock_timeout and deadlock detection): the transaction was rolled back, a retry can succeed
_BUSY = ("database is locked", "database table is locked", "lock timeout", "deadlock detected")


def database_busy(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError) and any(s in str(exc) for s in _BUSY)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: Django calls it while handling the exception, so ``sys.exc_info`` names it."""
    busy = database_busy(sys.exc_info()[1])
    status, message = (503, BUSY_MESSAGE) if busy else (500, ERROR_MESSAGE)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=status)
    else:
        title = "系统繁忙" if busy else "系统错误"
        response = HttpResponse(render_to_string("web/errors/error.html", {"title": title, "message": message}), status=status)
    if busy:
        response["Retry-After"] = str(BUSY_RETRY_SECONDS)
    return response


CSRF_MESSAGE = "页面已过期，或者无法确认这次提交来自本平台的页面，因此没有保存。请刷新页面后重新提交；如果问题一再出现，请重新登录。"


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a form posted without a valid token (an expired page, or a forged
    request from another site) is refused in Chinese; Django's reason stays out of the page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": CSRF_MESSAGE}, status=403)
    return HttpResponse(render_to_string("web/errors/error.html", {"title": "提交未被接受", "message": CSRF_MESSAGE}), status=403)
