from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "fazhi.evaluation"
    label = "evaluation"
    verbose_name = "法治政府建设考核"
