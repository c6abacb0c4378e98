from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "fazhi.registers.disclosure"
    label = "disclosure"
    verbose_name = "政府信息公开"

    def ready(self) -> None:
        from fazhi.registers.disclosure.hooks import DisclosureHooks
        from fazhi.registers.disclosure.models import DisclosureRequest
        from fazhi.registers.framework.registry import register_add

        register_add("disclosure", DisclosureRequest, hooks=DisclosureHooks(), list_columns=("applicant_name", "applicant_type", "channel", "outcome"))
