from django.apps import AppConfig


class StateCompensationConfig(AppConfig):
    name = "fazhi.registers.state_compensation"
    label = "state_compensation"
    verbose_name = "国家赔偿"

    def ready(self) -> None:
        from fazhi.registers.framework.registry import register_add
        from fazhi.registers.state_compensation.hooks import StateCompensationHooks
        from fazhi.registers.state_compensation.models import Application
        from fazhi.registers.state_compensation.panels import links_panel

        register_add(
            "state_compensation",
            Application,
            hooks=StateCompensationHooks(),
            list_columns=("applicant_name", "infringing_act", "outcome", "amount"),
            detail_template="state_compensation/_links_panel.html",
            detail_context=links_panel,
        )
