"""Errors of the REST API as problem+json (RFC 9457), with the same Chinese messages as the site.

``errors`` maps a field (its key in the request) to Chinese messages that name the field, like the
site's forms do; ``title`` says what kind of problem it is, ``detail`` what went wrong."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

from fazhi.core.errors import FazhiError, PermissionDenied, TransitionNotAllowed, ValidationFailed

CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: "请求无效",
    401: "未认证",
    403: "无权操作",
    404: "不存在或无权查看",
    409: "当前状态不允许此操作",
    422: "数据未通过校验",
    429: "请求过于频繁",
}


class ApiProblem(Exception):
    """Raised inside an endpoint: answered as problem+json with this status."""

    def __init__(self, status: int, detail: str, errors: dict[str, list[str]] | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.errors, self.headers = status, detail, errors or {}, headers or {}


def problem(status: int, detail: str, errors: dict[str, list[str]] | None = None, headers: dict[str, str] | None = None) -> HttpResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": TITLES.get(status, "请求未完成"), "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=CONTENT_TYPE)
    for key, value in headers.items() if headers else ():
        response[key] = value
    return response


def from_fazhi_error(exc: FazhiError, labels: dict[str, str] | None = None) -> ApiProblem:
    """A service's refusal as the API's problem: the same message, the right status."""
    if isinstance(exc, ValidationFailed):
        errors = {k: list(v) for k, v in exc.errors.items()}
        return ApiProblem(422, "；".join(m for msgs in errors.values() for m in msgs), errors)
    if isinstance(exc, PermissionDenied):
        return ApiProblem(403, exc.message)
    if isinstance(exc, TransitionNotAllowed):
        return ApiProblem(409, exc.message)
    return ApiProblem(422, exc.message)


# pydantic's error types in the words of the site's forms
_PYDANTIC = {
    "missing": "为必填项",
    "extra_forbidden": "不是可提交的字段",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期（YYYY-MM-DD），不含时刻",
    "date_type": "应为日期（YYYY-MM-DD）",
    "string_type": "应为文字",
    "string_too_long": "过长",
    "string_too_short": "不能为空",
    "literal_error": "不是可选的值",
    "enum": "不是可选的值",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "json_invalid": "不是有效的 JSON",
    "greater_than_equal": "过小",
    "less_than_equal": "过大",
    "greater_than": "过小",
    "less_than": "过大",
}


def from_validation_errors(errors: list[dict[str, Any]], labels: dict[str, str]) -> ApiProblem:
    """ninja's (pydantic's) errors, named by field and said in Chinese."""
    out: dict[str, list[str]] = {}
    for e in errors:
        loc = [str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path", "payload")]
        key = ".".join(loc) or "__all__"
        name = loc[-1] if loc else ""
        label = labels.get(name, name)
        ctx = e.get("ctx") or {}
        words = _PYDANTIC.get(str(e.get("type", "")), "取值无效")
        if e.get("type") == "string_too_long" and "max_length" in ctx:
            words = f"不能超过 {ctx['max_length']} 字"
        elif e.get("type") in ("literal_error", "enum") and "expected" in ctx:
            words = f"不是可选的值，可选：{ctx['expected']}"
        elif e.get("type") in ("greater_than_equal", "less_than_equal") and ("ge" in ctx or "le" in ctx):
            words = f"不能小于 {ctx['ge']}" if "ge" in ctx else f"不能大于 {ctx['le']}"
        out.setdefault(key, []).append(f"“{label}”{words}" if label else f"请求{words}")
    return ApiProblem(422 if out else 400, "；".join(m for msgs in out.values() for m in msgs) or "请求无效", out)
