from django.apps import AppConfig


class LitigationConfig(AppConfig):
    name = "fazhi.registers.litigation"
    label = "litigation"
    verbose_name = "行政应诉"

    def ready(self) -> None:
        from fazhi.registers.framework.registry import register_add
        from fazhi.registers.litigation.hooks import LitigationHooks
        from fazhi.registers.litigation.models import LitigationCase

        register_add(
            "litigation",
            LitigationCase,
            hooks=LitigationHooks(),
            list_columns=("plaintiff_name", "defendant_name", "instance", "outcome"),
        )
