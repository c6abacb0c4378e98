from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "fazhi.reports"
    label = "reports"
    verbose_name = "年度报告"

    def ready(self) -> None:
        from fazhi.registers.framework.workflow import workflow_add

        workflow_add("report")

        from fazhi.registers.framework.workflow import workflow_visibility_set
        from fazhi.reports.selectors import reports_visible_to

        workflow_visibility_set("report", lambda user, pk: reports_visible_to(user).filter(pk=pk).exists())

        from django.urls import reverse

        from fazhi.core.todo import todo_section_register
        from fazhi.registers.framework.waiting import WorkflowTodo, workflow_todo_register
        from fazhi.reports.selectors import contributions_asked, todo
        from fazhi.reports.services import deadlines

        todo_section_register("reports", "年度报告（尚未起草）", "reports/_todo.html", todo, order=10)
        workflow_todo_register(
            "report",
            WorkflowTodo(
                link=lambda r: reverse("report", args=[r.pk]),
                list_url="reports",
                deadlines=deadlines,
                order_by=("-year", "kind", "unit__path"),
                # 供稿 is asked of the units below the report's (listed by contributions_asked);
                # 签发完成 is the platform's, once the last signature is given
                not_listed=("contribute", "signed"),
                extra=contributions_asked,
            ),
        )
