from django.apps import AppConfig


class MajorDecisionsConfig(AppConfig):
    name = "fazhi.registers.major_decisions"
    label = "major_decisions"
    verbose_name = "重大行政决策"

    def ready(self) -> None:
        from fazhi.audit.services import leaf_source_register
        from fazhi.registers.framework.registry import register_add
        from fazhi.registers.major_decisions.hooks import MajorDecisionHooks, procedures_panel
        from fazhi.registers.major_decisions.models import MajorDecision
        from fazhi.registers.major_decisions.services import catalogue_event_reencode

        register_add(
            "major_decisions",
            MajorDecision,
            hooks=MajorDecisionHooks(),
            list_columns=("title", "deciding_body", "decided_on", "published_on"),
            detail_template="major_decisions/_panel.html",
            detail_context=procedures_panel,
        )
        leaf_source_register("decision_catalogue", catalogue_event_reencode)
