from django.apps import AppConfig


class LegalPublicityConfig(AppConfig):
    name = "fazhi.registers.legal_publicity"
    label = "legal_publicity"
    verbose_name = "普法"

    def ready(self) -> None:
        from fazhi.audit.services import leaf_source_register
        from fazhi.core.importers import IMPORTERS
        from fazhi.registers.framework.registry import register_add
        from fazhi.registers.legal_publicity.hooks import PublicityHooks
        from fazhi.registers.legal_publicity.importers import duties_import, liaisons_import, villages_import
        from fazhi.registers.legal_publicity.models import PublicityActivity
        from fazhi.registers.legal_publicity.services import SOURCE, change_reencode

        register_add("legal_publicity", PublicityActivity, hooks=PublicityHooks(), list_columns=("title", "kind", "participants", "duty_item"))
        IMPORTERS["publicity_duties"] = duties_import
        IMPORTERS["legal_liaisons"] = liaisons_import
        IMPORTERS["model_villages"] = villages_import
        leaf_source_register(SOURCE, change_reencode)

        from fazhi.audit.services import projection_check_register
        from fazhi.registers.legal_publicity.services import records_check_all, records_count

        projection_check_register("legal_publicity", records_check_all, records_count)
