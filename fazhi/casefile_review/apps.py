from django.apps import AppConfig


class CasefileReviewConfig(AppConfig):
    name = "fazhi.casefile_review"
    label = "casefile_review"
    verbose_name = "案卷评查"

    def ready(self) -> None:
        from fazhi.registers.framework.workflow import workflow_add

        workflow_add("casefile_campaign")

        from django.urls import reverse

        from fazhi.casefile_review.selectors import notices_to_report
        from fazhi.registers.framework.waiting import WorkflowTodo, workflow_todo_register

        workflow_todo_register(
            "casefile_campaign",
            WorkflowTodo(
                link=lambda c: reverse("review_campaign", args=[c.pk]),
                list_url="review_campaigns",
                order_by=("-year", "pk"),
                not_listed=("report",),
                extra=notices_to_report,
            ),
        )
