from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "fazhi.inspections"
    label = "inspections"
    verbose_name = "双随机、一公开"

    def ready(self) -> None:
        from fazhi.audit.services import leaf_source_register
        from fazhi.inspections.services import draw_leaf_source

        leaf_source_register("inspection_draw", draw_leaf_source)

        from fazhi.registers.framework.workflow import workflow_add

        workflow_add("inspection_plan")
