from django.apps import AppConfig


class ReconsiderationConfig(AppConfig):
    name = "fazhi.registers.reconsideration"
    label = "reconsideration"
    verbose_name = "行政复议"

    def ready(self) -> None:
        from fazhi.registers.framework.registry import register_add
        from fazhi.registers.reconsideration.hooks import ReconsiderationHooks
        from fazhi.registers.reconsideration.models import ReconsiderationCase
        from fazhi.registers.state_compensation.panels import applications_panel

        register_add(
            "reconsideration",
            ReconsiderationCase,
            hooks=ReconsiderationHooks(),
            list_columns=("applicant_name", "respondent_name", "procedure", "outcome"),
            # a 复议 against a 国家赔偿 decision (行政复议法 art.11(6)) shows the application
            detail_template="state_compensation/_applications_panel.html",
            detail_context=applications_panel,
        )
