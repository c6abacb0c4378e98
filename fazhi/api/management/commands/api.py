"""fazhi api add|list|rotate|revoke: the system accounts of the REST API (接口账号).

  fazhi api add --name 12345热线 --unit JC-MD-D05 --role clerk [--role reviewer] \\
                [--register disclosure] [--write] [--per-minute 600]
  fazhi api list
  fazhi api rotate --name 12345热线      a new token; the old one stops at once
  fazhi api revoke --name 12345热线

The token is printed once; only its digest is stored."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhi.api.models import ApiClient
from fazhi.api.services import api_client_create, api_client_revoke, api_client_rotate
from fazhi.core.errors import ValidationFailed
from fazhi.core.models import Unit


class Command(BaseCommand):
    help = "接口账号：add 新建（令牌只显示一次）、list 列出、rotate 更换令牌、revoke 停用"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["add", "list", "rotate", "revoke"])
        parser.add_argument("--name", help="接口账号名称，如“12345热线”")
        parser.add_argument("--unit", action="append", default=[], help="单位编码（可多次；含下级单位）")
        parser.add_argument("--role", action="append", default=[], help="角色：clerk、reviewer、head、rule_of_law_office、evaluator（可多次）")
        parser.add_argument("--register", action="append", default=[], help="可访问的台账（可多次；不填为全部）")
        parser.add_argument("--write", action="store_true", help="允许写入（登记、办理、更正）；不填为只读")
        parser.add_argument("--per-minute", type=int, default=600, help="每分钟请求上限")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            for c in ApiClient.objects.prefetch_related("user__memberships__unit"):
                unit_names = "、".join(sorted({m.unit.name for m in c.user.memberships.all()}))
                scope = "全部台账" if not c.registers else "、".join(c.registers)
                self.stdout.write(
                    f"{c.name}\t{'启用' if c.active else '已停用'}\t{'可写' if c.can_write else '只读'}\t{unit_names}\t{scope}\t令牌 {c.token_hint}…"
                )
            return
        if not options["name"]:
            raise CommandError("请用 --name 指定接口账号名称")
        if action == "add":
            units: list[Unit] = []
            for code in options["unit"]:
                unit = Unit.objects.filter(code=code).first()
                if unit is None:
                    raise CommandError(f"没有编码为 {code} 的单位")
                units.append(unit)
            try:
                client, token = api_client_create(
                    name=options["name"],
                    units=units,
                    roles=options["role"],
                    registers=options["register"],
                    can_write=options["write"],
                    per_minute=options["per_minute"],
                )
            except ValidationFailed as exc:
                raise CommandError("；".join(m for msgs in exc.errors.values() for m in msgs)) from exc
            self.stdout.write(f"已新建接口账号“{client.name}”。令牌（只显示这一次，请妥善保存）：\n{token}")
            return
        found = ApiClient.objects.filter(name=options["name"]).first()
        if found is None:
            raise CommandError(f"没有名为“{options['name']}”的接口账号")
        client = found
        if action == "rotate":
            self.stdout.write(f"已更换“{client.name}”的令牌，旧令牌立即失效。新令牌（只显示这一次）：\n{api_client_rotate(client)}")
        else:
            api_client_revoke(client)
            self.stdout.write(f"已停用接口账号“{client.name}”")
