from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "fazhi.documents"
    label = "documents"
    verbose_name = "文书"

    def ready(self) -> None:
        from fazhi.audit.services import leaf_source_register, projection_check_register
        from fazhi.documents import delivery, services
        from fazhi.documents.views import matter_documents_panel
        from fazhi.registers.framework.registry import REGISTRY, matter_panel_add
        from fazhi.registers.framework.services import step_observer_add
        from fazhi.registers.framework.workflow import workflow_observer_add

        leaf_source_register(services.LEAF, services.document_reencode)
        leaf_source_register(services.RENDITION_LEAF, services.rendition_reencode)
        leaf_source_register(delivery.LEAF, delivery.delivery_reencode)
        projection_check_register("documents", services.files_check, services.files_count)
        step_observer_add(services.documents_at_step)
        workflow_observer_add(services.documents_at_workflow_step)
        # the 文书 panel on every register's matter page (the registers' apps come before this one)
        for name in REGISTRY:
            matter_panel_add(name, "documents/_matter_panel.html", matter_documents_panel)
