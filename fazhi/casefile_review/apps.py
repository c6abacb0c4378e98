from django.apps import AppConfig


class CasefileReviewConfig(AppConfig):
    name = "fazhi.casefile_review"
    label = "casefile_review"
    verbose_name = "案卷评查"

    def ready(self) -> None:
        from fazhi.registers.framework.workflow import workflow_add

        workflow_add("casefile_campaign")
