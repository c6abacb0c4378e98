from django.apps import AppConfig


class ReaderConfig(AppConfig):
    name = "fazhi.reader"
    label = "reader"
    verbose_name = "报告阅读器"
