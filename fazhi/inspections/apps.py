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

        from django.urls import reverse

        from fazhi.registers.framework.waiting import WorkflowTodo, workflow_todo_register

        workflow_todo_register(
            "inspection_plan",
            WorkflowTodo(
                link=lambda p: reverse("inspection_plan", args=[p.pk]),
                list_url="inspection_plans",
                deadlines=lambda p: [(p.ends_on, "检查期结束")] if p.ends_on else [],
                order_by=("ends_on", "pk"),
            ),
        )
