from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "fazhi.registers.enforcement"
    label = "enforcement"
    verbose_name = "行政执法"

    def ready(self) -> None:
        from fazhi.core.importers import IMPORTERS
        from fazhi.registers.enforcement.evidence import EVENT
        from fazhi.registers.enforcement.hooks import EnforcementHooks
        from fazhi.registers.enforcement.importers import officers_import, powers_import
        from fazhi.registers.enforcement.models import EnforcementCase
        from fazhi.registers.enforcement.views import case_panel, term_in_words
        from fazhi.registers.framework.registry import register_add

        register_add(
            "enforcement",
            EnforcementCase,
            hooks=EnforcementHooks(),
            list_columns=("kind", "party_name", "outcome", "published_on"),
            event_labels={EVENT: "登记证据（调查取证）"},
            detail_template="enforcement/_case_panel.html",
            detail_context=case_panel,
            display_values={"term": term_in_words},
        )
        from fazhi.core.todo import todo_section_register
        from fazhi.registers.enforcement.selectors import certificates_expiring

        todo_section_register("certificates", "执法证到期提醒", "enforcement/_todo_certificates.html", certificates_expiring, order=30)
        IMPORTERS["powers"] = powers_import
        IMPORTERS["officers"] = officers_import
