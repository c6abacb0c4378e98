"""System accounts of the REST API: a system around the platform (a province's platform, a 12345
hotline, 一网通办) holds a token. The token's user is an ordinary account that cannot log in on the
site; its memberships (units and roles) are the client's unit scope and the steps it may take,
checked by the same services as a clerk's. The client narrows them further: the registers it may
reach and whether it may write. Only a digest of the token is stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiClient(models.Model):
    name = models.CharField("接口账号名称", max_length=60, unique=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_client", verbose_name="对应的系统账号")
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField("令牌开头", max_length=12, editable=False)
    registers = models.JSONField("可访问的台账", default=list, blank=True, help_text="为空表示全部台账")
    can_write = models.BooleanField("可写入（登记、办理、更正）", default=False)
    per_minute = models.PositiveIntegerField("每分钟请求上限", default=600)
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "接口账号"
        verbose_name_plural = "接口账号"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiRate(models.Model):
    """Requests of one client in one minute (the rate limit): one row, incremented in place."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    minute = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "minute"], name="api_rate_once")]
