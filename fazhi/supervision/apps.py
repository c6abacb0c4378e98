from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "fazhi.supervision"
    label = "supervision"
    verbose_name = "法治督察"

    def ready(self) -> None:
        from fazhi.core.todo import todo_section_register
        from fazhi.registers.framework.workflow import workflow_add, workflow_visibility_set
        from fazhi.supervision.selectors import leads_visible_to, todo

        workflow_add("lead")
        workflow_visibility_set("lead", lambda user, pk: leads_visible_to(user).filter(pk=pk).exists())
        todo_section_register("supervision", "法治督察", "supervision/_todo.html", lambda user, today: todo(user), order=20)
