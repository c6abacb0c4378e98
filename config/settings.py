"""Django settings for Fazhi.

One module, strict environment helpers (healthchecks style). SQLite is the embedded default;
``DATABASE_URL`` (e.g. ``postgres://user:pass@127.0.0.1:5432/fazhi``) selects PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"{name} must be a boolean, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return default if raw is None else int(raw)


# The demo on loopback (scripts/run sets it). Without it a server refuses to start with the
# published keys below or a wildcard host (fazhi/core/deploy.py, checked in config/wsgi.py).
FAZHI_DEMO = env_bool("FAZHI_DEMO", False)
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h for h in env_str("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
# Behind the TLS proxy of deploy/nginx (FAZHI_HTTPS=1): HTTPS only, secure cookies, HSTS.
FAZHI_HTTPS = env_bool("FAZHI_HTTPS", False)
if FAZHI_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("FAZHI_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
CSRF_TRUSTED_ORIGINS = [o for o in env_str("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts only from this site's files, never inline (every
# page's behaviour lives in static files: web/fazhi.js, indicators/dashboard.js…); styles may be
# inline attributes (layout only); no plug-ins, no framing, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
# a form posted without a valid token is refused with a Chinese page (fazhi/web/errors.py)
CSRF_FAILURE_VIEW = "fazhi.web.errors.csrf_failure"
SECURE_REFERRER_POLICY = "same-origin"
# Sessions end when the browser closes, after FAZHI_SESSION_IDLE_MINUTES without a request
# (fazhi/web/middleware.py) and after a working day at most.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = env_int("FAZHI_SESSION_MAX_HOURS", 12) * 3600
FAZHI_SESSION_IDLE_MINUTES = env_int("FAZHI_SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_HTTPONLY = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "fazhi.core",
    "fazhi.audit",
    "fazhi.law",
    "fazhi.registers.framework",
    "fazhi.registers.reconsideration",
    "fazhi.registers.litigation",
    "fazhi.registers.disclosure",
    "fazhi.registers.mediation",
    "fazhi.registers.legal_aid",
    "fazhi.registers.proposals",
    "fazhi.registers.enforcement",
    "fazhi.registers.criminal_transfer",
    "fazhi.registers.major_decisions",
    "fazhi.registers.normative_docs",
    "fazhi.registers.oversight_suggestions",
    "fazhi.registers.state_compensation",
    "fazhi.registers.contract_review",
    "fazhi.registers.legal_publicity",
    "fazhi.registers.law_study",
    "fazhi.inspections",
    "fazhi.casefile_review",
    "fazhi.indicators",
    "fazhi.documents",
    "fazhi.evaluation",
    "fazhi.supervision",
    "fazhi.reports",
    "fazhi.reader",
    "fazhi.api",
    "fazhi.web",
    "fazhi.ops",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # static files from the collected folder, compressed and cached forever by their hashed names
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fazhi.web.middleware.SessionIdleMiddleware",
    "fazhi.web.middleware.SecondFactorMiddleware",
    "fazhi.web.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fazhi.web.context.navigation",
            ],
        },
    },
]

# Django's form templates, with select boxes written in a loop (fazhi/web/formrender.py)
FORM_RENDERER = "fazhi.web.formrender.FormRenderer"

_default_sqlite = f"sqlite:///{BASE_DIR / 'var' / 'fazhi.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_sqlite), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions make SQLite writers queue instead of failing with
    # "database is locked" half-way through a transaction; tests use a file so that
    # several connections (threads) can share it.
    # Write-ahead logging: readers are not blocked while a write commits, and a commit costs one
    # sync of the log instead of the rollback journal's several (measured on the demo machine:
    # 17 ms -> 5 ms a commit; every list and matter page commits its personal-data access record).
    # synchronous stays FULL (SQLite's default): a committed transaction survives a power cut.
    # The mode is kept in the database file; the online backup (fazhi backup) copies it as usual.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 30, "init_command": "PRAGMA journal_mode=WAL"}
    # FAZHI_TEST_DB lets two test runs on one machine keep apart.
    DATABASES["default"]["TEST"] = {"NAME": env_str("FAZHI_TEST_DB", str(BASE_DIR / "var" / "test.sqlite3"))}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "fazhi.core.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes): five wrong passwords for one account from one client lock that
# pair for FAZHI_LOGIN_COOLOFF_MINUTES (a lock per pair: nobody can lock a colleague out from
# elsewhere); attempts and lock-outs are listed in the admin (访问尝试 / 访问失败).
AUTHENTICATION_BACKENDS = ["fazhi.core.auth.LoginLockoutBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("FAZHI_LOGIN_FAILURES", 5)
AXES_COOLOFF_TIME = env_int("FAZHI_LOGIN_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "fazhi.core.throttle.client_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_VERBOSE = False
# Second factor (django-otp, TOTP): optional for everyone; the roles listed here (comma-separated
# role names, e.g. "admin,rule_of_law_office") must enrol before they can use the site. A user with a
# confirmed device gives a 6-digit code after the password (fazhi/web/twofactor.py); a wrong code
# counts toward the lock-out above like a wrong password.
FAZHI_OTP_REQUIRED_ROLES = [r.strip() for r in env_str("FAZHI_OTP_REQUIRED_ROLES", "").split(",") if r.strip()]
OTP_TOTP_ISSUER = env_str("FAZHI_OTP_ISSUER", "法治政府建设管理平台")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret or its QR code
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
# The only language: the locale middleware must not switch a browser that asks for English to
# Django's English messages ("This field is required.").
LANGUAGES = [("zh-hans", "简体中文")]
FORMAT_MODULE_PATH = ["config.formats"]  # ISO dates in forms (config/formats/zh_Hans/formats.py)
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("FAZHI_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Front-end packages come from the npm registry (package.json, installed by scripts/run) and
# are served locally: no CDN at run time.
STATICFILES_DIRS = [
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]

# 督察: a matter still open this many days past its due date becomes a supervision lead.
FAZHI_SUPERVISION_OVERDUE_DAYS = env_int("FAZHI_SUPERVISION_OVERDUE_DAYS", 30)

# Year-over-year changes: beyond this many per cent either way, or against a previous value below
# this count, the dashboard and the reports show both values with a note instead of the bare change
# (a previous year with a handful of records makes "+5934.5%").
FAZHI_YOY_MAX_CHANGE = env_int("FAZHI_YOY_MAX_CHANGE", 100)
FAZHI_YOY_MIN_PREVIOUS = env_int("FAZHI_YOY_MIN_PREVIOUS", 10)

# Upload limit for spreadsheet imports (a 50 MB file gets a clear message, not a crash).
FAZHI_MAX_UPLOAD_BYTES = env_int("FAZHI_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# Untrusted files are parsed in a child process with these limits (fazhi/core/sandbox.py), and a
# table may have at most so many rows and columns and so long a cell (Excel's own cell limit).
FAZHI_PARSE_MEMORY_MB = env_int("FAZHI_PARSE_MEMORY_MB", 1024)
FAZHI_PARSE_SECONDS = env_int("FAZHI_PARSE_SECONDS", 60)
# Scanned PDF pages one upload to the report reader may read by OCR (seconds of CPU a page; the
# production server ends a request after 300 s). The command line `fazhi reader` reads any number.
FAZHI_READER_WEB_OCR_PAGES = env_int("FAZHI_READER_WEB_OCR_PAGES", 20)
FAZHI_TABLE_MAX_ROWS = env_int("FAZHI_TABLE_MAX_ROWS", 200_000)
# Rows one ledger import through the web page may bring: the import's final write is one
# transaction (all or nothing) that others' steps wait for, ~4 ms a row on SQLite
# (bench/results/ledger_import.txt). The command line `fazhi import` takes any size.
FAZHI_LEDGER_WEB_ROWS = env_int("FAZHI_LEDGER_WEB_ROWS", 3000)
FAZHI_TABLE_MAX_COLUMNS = env_int("FAZHI_TABLE_MAX_COLUMNS", 200)
FAZHI_TABLE_MAX_CELL = 32_767
DATA_UPLOAD_MAX_MEMORY_SIZE = FAZHI_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

FAZHI_DEFINITIONS_DIR = BASE_DIR / "definitions"
# Evidence files of enforcement cases, stored by SHA-256 (content-addressed, never overwritten).
FAZHI_EVIDENCE_DIR = Path(env_str("FAZHI_EVIDENCE_DIR", str(BASE_DIR / "var" / "evidence")))

# Key of the digests that stand for personal data inside audit leaves. It must never change once
# leaves exist (verification recomputes the digests); keep it apart from SECRET_KEY in production.
FAZHI_AUDIT_KEY = env_str("FAZHI_AUDIT_KEY", "dev-only-audit-key-change-me-in-production")

# Checkpoints of the log are signed (Ed25519) with a key kept OUTSIDE the database, written to a
# witness directory an operator copies elsewhere, and published on the portal: `fazhi audit verify
# --against FILE` then proves that the log still extends what was signed. `fazhi audit keygen`
# creates the key; FAZHI_LOG_ORIGIN names the log in the checkpoint (e.g. the site's host name).
FAZHI_LOG_ORIGIN = env_str("FAZHI_LOG_ORIGIN", "fazhi.local/log")
FAZHI_CHECKPOINT_KEY_FILE = Path(env_str("FAZHI_CHECKPOINT_KEY_FILE", str(BASE_DIR / "var" / "keys" / "checkpoint-ed25519.pem")))
# Personal data at rest (fields a register declares personal_data) is encrypted with the keys of
# this file, kept OUTSIDE the database and its backups: `fazhi keys init` creates it, `fazhi keys
# rotate` adds a key and re-encrypts (fazhi/core/fieldcrypt.py). Without it the published
# development keys apply, which a server others can reach refuses (fazhi/core/deploy.py).
FAZHI_FIELD_KEYS_FILE = Path(env_str("FAZHI_FIELD_KEYS_FILE", str(BASE_DIR / "var" / "keys" / "field-keys.json")))
FAZHI_WITNESS_DIR = Path(env_str("FAZHI_WITNESS_DIR", str(BASE_DIR / "var" / "witness")))

# Documents (文书): template folders searched in order (a region's own folder first overrides a
# template of the same register and name without touching code); the portal address printed on
# every document with its verification code and QR code.
FAZHI_DOCUMENT_TEMPLATE_DIRS = [Path(p) for p in env_str("FAZHI_DOCUMENT_TEMPLATE_DIRS", "").split(":") if p] + [FAZHI_DEFINITIONS_DIR / "documents"]
FAZHI_PUBLIC_URL = env_str("FAZHI_PUBLIC_URL", "http://127.0.0.1:8000")
# Notifications: e-mail through Django's mail framework to this SMTP server; text messages through
# an adapter (the file backend writes them under var/sms/ for development).
EMAIL_HOST = env_str("FAZHI_SMTP_HOST", "127.0.0.1")
EMAIL_PORT = env_int("FAZHI_SMTP_PORT", 25)
EMAIL_HOST_USER = env_str("FAZHI_SMTP_USER", "")
EMAIL_HOST_PASSWORD = env_str("FAZHI_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_str("FAZHI_SMTP_TLS", "") == "1"
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("FAZHI_MAIL_FROM", "noreply@fazhi.local")
FAZHI_SMS_BACKEND = env_str("FAZHI_SMS_BACKEND", "fazhi.documents.notify.FileSMSBackend")
FAZHI_SMS_DIR = Path(env_str("FAZHI_SMS_DIR", str(BASE_DIR / "var" / "sms")))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Public portal (政府信息公开 requests without login): flood limits and the challenge's lifetime.
# Counted per client address and per network (/24, /48), never overall: one address range cannot
# lock every citizen out (fazhi/core/throttle.py); the proxy's rate limit protects the server.
FAZHI_PORTAL_PER_CLIENT_PER_HOUR = env_int("FAZHI_PORTAL_PER_CLIENT_PER_HOUR", 5)
FAZHI_PORTAL_PER_NETWORK_PER_HOUR = env_int("FAZHI_PORTAL_PER_NETWORK_PER_HOUR", 30)
# The proxies whose X-Forwarded-For is believed (the nginx in front, deploy/nginx): comma-separated
# addresses. Without it the client is REMOTE_ADDR, which behind a proxy is the proxy itself.
FAZHI_TRUSTED_PROXIES = [a.strip() for a in env_str("FAZHI_TRUSTED_PROXIES", "").split(",") if a.strip()]
FAZHI_PORTAL_CHALLENGE_MAX_AGE = 1800
