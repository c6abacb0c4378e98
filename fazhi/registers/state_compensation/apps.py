from django.apps import AppConfig


class StateCompensationConfig(AppConfig):
    name = "fazhi.registers.state_compensation"
    label = "state_compensation"
    verbose_name = "国家赔偿"

    def ready(self) -> None:
        from fazhi.registers.framework.registry import matter_panel_add, register_add
        from fazhi.registers.state_compensation.hooks import StateCompensationHooks
        from fazhi.registers.state_compensation.models import Application
        from fazhi.registers.state_compensation.panels import applications_panel, links_panel

        register_add(
            "state_compensation",
            Application,
            hooks=StateCompensationHooks(),
            list_columns=("applicant_name", "infringing_act", "outcome", "amount"),
            detail_template="state_compensation/_links_panel.html",
            detail_context=links_panel,
        )
        # a lawsuit after a 国家赔偿 decision or its absence (国家赔偿法 art.14), and a 复议 against a
        # decision (行政复议法 art.11(6)), show the application on their own pages
        for register in ("litigation", "reconsideration"):
            matter_panel_add(register, "state_compensation/_applications_panel.html", applications_panel)
