from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IndicatorsConfig(AppConfig):
    name = "fazhi.indicators"
    label = "indicators"
    verbose_name = "指标、考核与督察"

    def ready(self) -> None:
        from fazhi.indicators.rollups import on_matters_written
        from fazhi.registers.framework.services import write_observer_add

        write_observer_add(on_matters_written)
        post_migrate.connect(_backfill_after_migrate, sender=self)


def _backfill_after_migrate(sender: Any, **kwargs: Any) -> None:
    """A catalogue that gained measures gets their rollups built from the records on migrate."""
    import sys

    from fazhi.indicators.rollups import backfill

    using = kwargs.get("using", "default")
    if using != "default":
        return
    built = backfill()
    if built and kwargs.get("verbosity", 1):
        print(f"指标汇总：新增 {len(built)} 个统计口径，已由原始记录生成汇总。", file=sys.stderr)
