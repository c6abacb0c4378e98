"""View helpers every app's pages share (a leaf module: Django and core only, so an app's views
never import the web package above them)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.http import HttpResponse

from fazhi.core.errors import FazhiError, ImportFailed, ValidationFailed

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def form_errors_message(form: forms.Form) -> str:
    """A form's field errors as one Chinese message naming each field."""
    return "；".join(f"{form.fields[k].label}：{'、'.join(str(m) for m in v)}" for k, v in form.errors.items() if k in form.fields)


def failure_message(exc: FazhiError) -> str:
    """A refused service call as one message (a validation failure lists every field's errors)."""
    if isinstance(exc, ValidationFailed):
        return "；".join(m for ms in exc.errors.values() for m in ms)
    return exc.message


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def upload_bytes(upload: Any) -> bytes:
    """An uploaded file's content, refused before reading when it is over the import size limit."""
    if upload.size > settings.FAZHI_MAX_UPLOAD_BYTES:
        raise ImportFailed([f"文件过大（{upload.size / 1048576:.1f} MB），上限为 {settings.FAZHI_MAX_UPLOAD_BYTES / 1048576:.0f} MB；请分批导入"])
    data: bytes = upload.read()
    return data
