from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "fazhi.audit"
    label = "audit"
    verbose_name = "全过程记录"

    def ready(self) -> None:
        from fazhi.audit import appendonly  # noqa: F401  (registers the SQLite guard function on each connection)
