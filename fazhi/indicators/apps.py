from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "fazhi.indicators"
    label = "indicators"
    verbose_name = "指标、考核与督察"

    def ready(self) -> None:
        from fazhi.indicators.rollups import on_matters_written
        from fazhi.registers.framework.services import write_observer_add

        write_observer_add(on_matters_written)
