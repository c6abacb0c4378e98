from typing import Any

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "fazhi.web"
    label = "web"
    verbose_name = "工作人员界面"

    def ready(self) -> None:
        # The to-do list's part beyond the registers (the workflow steps waiting for the user and
        # the apps' sections) is cached until the next write that can change it
        # (fazhi/core/pagecache.py, TODO): a row saved or deleted of any model of the apps that
        # run a workflow or add a section (every app is ready: this one comes last), a workflow
        # event, a membership or a user. The registers' matters bump RECORDS (their write
        # observer), under which the part is cached too.
        from django.apps import apps
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from fazhi.core.todo import TODO_SECTIONS
        from fazhi.registers.framework.models import Matter
        from fazhi.registers.framework.waiting import WORKFLOW_TODOS
        from fazhi.registers.framework.workflow import WORKFLOWS

        labels = {WORKFLOWS[name].model._meta.app_label for name in WORKFLOW_TODOS}
        for section in TODO_SECTIONS.values():
            config = apps.get_containing_app_config(section.items.__module__)
            if config is not None:
                labels.add(config.label)
        models: list[Any] = [apps.get_model("framework.WorkflowEvent"), apps.get_model("core.Membership"), apps.get_model("auth.User")]
        for label in sorted(labels):
            models += [m for m in apps.get_app_config(label).get_models() if not issubclass(m, Matter)]
        for model in models:
            key = model._meta.label
            post_save.connect(_todo_changed, sender=model, dispatch_uid=f"todo-{key}-save")
            post_delete.connect(_todo_changed, sender=model, dispatch_uid=f"todo-{key}-delete")
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(_todo_changed, sender=field.remote_field.through, dispatch_uid=f"todo-{key}-{field.name}-m2m")


def _todo_changed(sender: Any, **kwargs: Any) -> None:
    from django.contrib.auth import get_user_model

    from fazhi.core.pagecache import TODO, bump

    if sender is get_user_model() and kwargs.get("update_fields") == frozenset({"last_login"}):
        return  # a login changes nothing a to-do list shows
    bump(TODO)
