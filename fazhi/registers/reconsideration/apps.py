from django.apps import AppConfig


class ReconsiderationConfig(AppConfig):
    name = "fazhi.registers.reconsideration"
    label = "reconsideration"
    verbose_name = "行政复议"

    def ready(self) -> None:
        from fazhi.registers.framework.registry import register_add
        from fazhi.registers.reconsideration.hooks import ReconsiderationHooks
        from fazhi.registers.reconsideration.models import ReconsiderationCase

        register_add(
            "reconsideration",
            ReconsiderationCase,
            hooks=ReconsiderationHooks(),
            list_columns=("applicant_name", "respondent_name", "procedure", "outcome"),
        )
