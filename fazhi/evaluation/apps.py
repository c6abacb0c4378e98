from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "fazhi.evaluation"
    label = "evaluation"
    verbose_name = "法治政府建设考核"

    def ready(self) -> None:
        from fazhi.evaluation.selectors import schemes_visible_to
        from fazhi.registers.framework.workflow import workflow_add, workflow_visibility_set

        workflow_add("evaluation")
        workflow_visibility_set("evaluation", lambda user, pk: any(s.pk == pk for s in schemes_visible_to(user)))

        from django.urls import reverse

        from fazhi.registers.framework.waiting import WorkflowTodo, workflow_todo_register

        workflow_todo_register(
            "evaluation",
            WorkflowTodo(link=lambda s: reverse("evaluation_scheme", args=[s.pk]), list_url="evaluation_schemes", order_by=("-year", "pk")),
        )
