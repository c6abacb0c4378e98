from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "fazhi.api"
    label = "api"
    verbose_name = "对外接口"
