from django.apps import AppConfig


class LitigationConfig(AppConfig):
    name = "fazhi.registers.litigation"
    label = "litigation"
    verbose_name = "行政应诉"

    def ready(self) -> None:
        from fazhi.registers.framework.registry import register_add
        from fazhi.registers.litigation.hooks import LitigationHooks
        from fazhi.registers.litigation.models import LitigationCase
        from fazhi.registers.state_compensation.panels import applications_panel

        register_add(
            "litigation",
            LitigationCase,
            hooks=LitigationHooks(),
            list_columns=("plaintiff_name", "defendant_name", "instance", "outcome"),
            # a lawsuit after a 国家赔偿 decision or its absence (国家赔偿法 art.14) shows the application
            detail_template="state_compensation/_applications_panel.html",
            detail_context=applications_panel,
        )
