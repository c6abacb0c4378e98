from django.apps import AppConfig


class LawConfig(AppConfig):
    name = "fazhi.law"
    label = "law"
    verbose_name = "法定期限"

    def ready(self) -> None:
        from fazhi.audit.services import leaf_source_register
        from fazhi.law.services import schedule_reencode

        leaf_source_register("holiday_schedule", schedule_reencode)
