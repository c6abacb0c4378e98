from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "fazhi.evaluation"
    label = "evaluation"
    verbose_name = "法治政府建设考核"

    def ready(self) -> None:
        from fazhi.registers.framework.workflow import workflow_add

        workflow_add("evaluation")
