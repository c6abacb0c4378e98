from django.apps import AppConfig


class LegalAidConfig(AppConfig):
    name = "fazhi.registers.legal_aid"
    label = "legal_aid"
    verbose_name = "法律援助"

    def ready(self) -> None:
        from fazhi.registers.framework.registry import register_add
        from fazhi.registers.legal_aid.hooks import LegalAidHooks
        from fazhi.registers.legal_aid.models import LegalAidCase

        register_add("legal_aid", LegalAidCase, hooks=LegalAidHooks(), list_columns=("applicant_name", "category", "aid_form", "outcome"))
