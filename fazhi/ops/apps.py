from django.apps import AppConfig


class OpsConfig(AppConfig):
    """The top layer: the demo builder, the city-scale generator and the generic import command.
    Nothing imports it; it may import every other layer."""

    name = "fazhi.ops"
    label = "ops"
    verbose_name = "运维与演示"
