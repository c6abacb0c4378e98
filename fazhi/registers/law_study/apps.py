from django.apps import AppConfig


class LawStudyConfig(AppConfig):
    name = "fazhi.registers.law_study"
    label = "law_study"
    verbose_name = "学法和述法"

    def ready(self) -> None:
        from fazhi.audit.services import leaf_source_register
        from fazhi.core.importers import IMPORTERS
        from fazhi.registers.law_study.importers import IMPORTS
        from fazhi.registers.law_study.services import event_reencode

        leaf_source_register("law_study", event_reencode)
        for kind, spec in IMPORTS.items():
            IMPORTERS[kind] = spec.run

        from fazhi.audit.services import projection_check_register
        from fazhi.registers.law_study.services import records_check_all, records_count

        projection_check_register("law_study", records_check_all, records_count)
