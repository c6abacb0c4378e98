from django.apps import AppConfig


class CasefileReviewConfig(AppConfig):
    name = "fazhi.casefile_review"
    label = "casefile_review"
    verbose_name = "案卷评查"
