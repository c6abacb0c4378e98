"""Settings that refuse to be unsafe: checked when a server starts (``config/wsgi.py``), outside
the demo (``FAZHI_DEMO=1``, which ``scripts/run`` sets for the demo district on loopback)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# the published defaults of config/settings.py: a server that runs with them runs with keys anyone has
DEMO_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789"
DEMO_AUDIT_KEY = "dev-only-audit-key-change-me-in-production"
MIN_SECRET_KEY = 50
MIN_AUDIT_KEY = 32


def settings_problems() -> list[str]:
    """What makes these settings unsafe for a server others can reach, in Chinese."""
    problems = []
    if settings.SECRET_KEY == DEMO_SECRET_KEY or len(settings.SECRET_KEY) < MIN_SECRET_KEY or len(set(settings.SECRET_KEY)) < 5:
        problems.append(f"SECRET_KEY 未设置、为公开的默认值或过短（至少 {MIN_SECRET_KEY} 个字符）")
    if settings.FAZHI_AUDIT_KEY == DEMO_AUDIT_KEY or len(settings.FAZHI_AUDIT_KEY) < MIN_AUDIT_KEY:
        problems.append(f"FAZHI_AUDIT_KEY 未设置、为公开的默认值或过短（至少 {MIN_AUDIT_KEY} 个字符；一经使用不得更换）")
    if settings.FAZHI_AUDIT_KEY == settings.SECRET_KEY:
        problems.append("FAZHI_AUDIT_KEY 不得与 SECRET_KEY 相同")
    if not settings.ALLOWED_HOSTS or any(h.strip() in ("*", ".") for h in settings.ALLOWED_HOSTS):
        problems.append("ALLOWED_HOSTS 应列出本站的域名，不能为空或通配符 *")
    if settings.DEBUG:
        problems.append("DEBUG 不得在生产环境开启")
    problems += otp_settings_problems() + field_keys_problems()
    return problems


def field_keys_problems() -> list[str]:
    """Personal data at rest needs its own key file, not the published development keys."""
    from fazhi.core.fieldcrypt import DEV_KEY_ID, FieldKeyError, keyring, keys_path

    try:
        ring = keyring()
    except FieldKeyError as exc:
        return [str(exc)]
    if ring.is_development:
        return [f"个人信息加密密钥文件 {keys_path()} 不存在（用 fazhi keys init 创建，与数据库分开保存；或设置 FAZHI_FIELD_KEYS_FILE）"]
    if DEV_KEY_ID in ring.keys:
        return ["个人信息加密密钥文件仍含公开的开发密钥：请运行 fazhi keys rotate，再 fazhi keys retire dev"]
    return []


def otp_settings_problems() -> list[str]:
    """FAZHI_OTP_REQUIRED_ROLES names roles that exist (a typo would silently require nobody)."""
    from fazhi.core.models import Role

    unknown = [r for r in settings.FAZHI_OTP_REQUIRED_ROLES if r not in Role.values]
    if not unknown:
        return []
    return [f"FAZHI_OTP_REQUIRED_ROLES 中有不存在的角色：{'、'.join(unknown)}（可用：{'、'.join(Role.values)}）"]


def settings_refuse_unsafe() -> None:
    if getattr(settings, "FAZHI_DEMO", False):
        return
    problems = settings_problems()
    if problems:
        raise ImproperlyConfigured(
            "法治平台拒绝以不安全的配置启动：\n  - "
            + "\n  - ".join(problems)
            + "\n请在环境变量中设置（见 deploy/fazhi.env.example）；仅在本机演示时可设置 FAZHI_DEMO=1。"
        )
