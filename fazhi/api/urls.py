"""The REST API: ``/api/v1/…``, its OpenAPI 3 schema at ``/api/schema/`` and a docs page at
``/api/docs/`` (Swagger UI served from this site; no inline script)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from fazhi.api.models import ApiClient
from fazhi.api.problems import CONTENT_TYPE, ApiProblem, from_validation_errors, problem
from fazhi.api.public import indicators_router, published_router
from fazhi.api.registers import registers_router
from fazhi.api.schemas import Problem
from fazhi.api.services import client_for_token, rate_take


class TokenAuth(HttpBearer):
    """``Authorization: Bearer fz_…``: the client's system account acts; one request counted per minute."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        client = client_for_token(token)
        if client is None:
            return None
        wait = rate_take(client)
        if wait:
            raise ApiProblem(429, f"请求过于频繁：此接口账号每分钟最多 {client.per_minute} 次，请 {wait} 秒后再试", headers={"Retry-After": str(wait)})
        request.user = client.user
        return client


class FazhiApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        """Errors are documented as what they are: problem+json."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for item in schema.get("paths", {}).values():
            for op in item.values():
                for status, response in op.get("responses", {}).items():
                    if int(status) >= 400 and "content" in response:
                        response["content"] = {CONTENT_TYPE: response["content"]["application/json"]}
        return schema


ERRORS: dict[int, Any] = {code: Problem for code in (400, 401, 403, 404, 409, 422, 429)}

api = FazhiApi(
    title="法治政府建设管理平台接口",
    version="1",
    description=(
        "供省级平台、12345 热线、一网通办等系统调用。以接口账号的令牌认证（Authorization: Bearer …）；"
        "接口账号只能访问其所在单位及下级单位、被授权的台账，只读账号不能写入。所有写入经与网页相同的办理规则，"
        "记入办理经过和审计日志。错误以 application/problem+json 返回，说明为中文。"
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url="/docs/",
)


@api.exception_handler(ApiProblem)
def _problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    return problem(exc.status, exc.detail, exc.errors, exc.headers)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(401, "请在 Authorization 头中提供有效的接口令牌（Bearer）", headers={"WWW-Authenticate": "Bearer"})


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    p = from_validation_errors(list(exc.errors), {})
    return problem(p.status, p.detail, p.errors)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(404, "没有这个接口地址或记录")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(exc.status_code, "请求无效" if exc.status_code < 500 else "服务暂时不可用")


api.add_router("/v1/registers", registers_router(ERRORS))
api.add_router("/v1/indicators", indicators_router(ERRORS))
api.add_router("/v1/published", published_router(ERRORS))
