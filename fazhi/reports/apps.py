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

        from fazhi.core.todo import todo_section_register
        from fazhi.reports.selectors import todo

        todo_section_register("reports", "年度报告", "reports/_todo.html", todo, order=10)
