from django.apps import AppConfig


class NormativeDocsConfig(AppConfig):
    name = "fazhi.registers.normative_docs"
    label = "normative_docs"
    verbose_name = "规范性文件"

    def ready(self) -> None:
        from fazhi.registers.framework.registry import register_add
        from fazhi.registers.normative_docs.hooks import NormativeDocHooks
        from fazhi.registers.normative_docs.models import NormativeDocument

        register_add(
            "normative_docs",
            NormativeDocument,
            hooks=NormativeDocHooks(),
            list_columns=("title", "issuing_body", "doc_number", "published_on", "valid_until"),
        )
