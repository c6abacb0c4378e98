from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "fazhi.supervision"
    label = "supervision"
    verbose_name = "法治督察"

    def ready(self) -> None:
        from django.urls import reverse

        from fazhi.registers.framework.waiting import WorkflowTodo, workflow_todo_register
        from fazhi.registers.framework.workflow import workflow_add, workflow_visibility_set
        from fazhi.supervision.selectors import leads_visible_to

        workflow_add("lead")
        workflow_visibility_set("lead", lambda user, pk: leads_visible_to(user).filter(pk=pk).exists())
        # the to-do list derives every waiting step of a lead from its definition
        workflow_todo_register(
            "lead",
            WorkflowTodo(
                link=lambda lead: reverse("supervision_lead", args=[lead.pk]),
                list_url="supervision_leads",
                deadlines=lambda lead: [(lead.due_on, "整改期限")] if lead.due_on else [],
                order_by=("due_on", "raised_on", "pk"),
                shown_unit="unit",  # the supervised unit, not the organiser
            ),
        )
