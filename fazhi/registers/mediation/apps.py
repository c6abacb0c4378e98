from django.apps import AppConfig


class MediationConfig(AppConfig):
    name = "fazhi.registers.mediation"
    label = "mediation"
    verbose_name = "人民调解"

    def ready(self) -> None:
        from fazhi.registers.framework.registry import register_add
        from fazhi.registers.mediation.hooks import MediationHooks, ScreeningHooks
        from fazhi.registers.mediation.models import MediationCase, Screening

        register_add("mediation", MediationCase, hooks=MediationHooks(), list_columns=("party_a_name", "dispute_type", "committee", "outcome"))
        register_add("mediation_screening", Screening, hooks=ScreeningHooks(), list_columns=("committee", "disputes_found", "disputes_resolved"))
