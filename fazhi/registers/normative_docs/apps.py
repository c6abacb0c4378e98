from django.apps import AppConfig


class NormativeDocsConfig(AppConfig):
    name = "fazhi.registers.normative_docs"
    label = "normative_docs"
    verbose_name = "规范性文件"

    def ready(self) -> None:
        from fazhi.audit.services import leaf_source_register
        from fazhi.registers.framework.registry import register_add
        from fazhi.registers.normative_docs.catalogue import snapshot_reencode
        from fazhi.registers.normative_docs.hooks import NormativeDocHooks, reviews_panel
        from fazhi.registers.normative_docs.models import NormativeDocument

        register_add(
            "normative_docs",
            NormativeDocument,
            hooks=NormativeDocHooks(),
            list_columns=("title", "issuing_body", "doc_number", "published_on", "valid_until"),
            detail_template="normative_docs/_reviews_panel.html",
            detail_context=reviews_panel,
        )
        leaf_source_register("normative_catalogue", snapshot_reencode)
