from django.apps import AppConfig


class OversightSuggestionsConfig(AppConfig):
    name = "fazhi.registers.oversight_suggestions"
    label = "oversight_suggestions"
    verbose_name = "检察建议和司法建议"

    def ready(self) -> None:
        from fazhi.registers.framework.registry import register_add
        from fazhi.registers.oversight_suggestions.hooks import SuggestionHooks
        from fazhi.registers.oversight_suggestions.models import OversightSuggestion

        register_add("oversight_suggestions", OversightSuggestion, hooks=SuggestionHooks(), list_columns=("subject", "kind", "issuer", "outcome"))
