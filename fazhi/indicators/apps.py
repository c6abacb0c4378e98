from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IndicatorsConfig(AppConfig):
    name = "fazhi.indicators"
    label = "indicators"
    verbose_name = "指标、考核与督察"

    def ready(self) -> None:
        import fazhi.core.pagecache  # noqa: F401 (its receiver forgets cached values when settings change)
        from fazhi.indicators.rollups import deltas_ready, on_matters_written
        from fazhi.registers.framework.services import write_observer_add

        write_observer_add(on_matters_written, ready=deltas_ready)
        post_migrate.connect(_backfill_after_migrate, sender=self)
        # the cached dashboard figures (fazhi/core/pagecache.py) are computed from the registers
        # (their write observer bumps the version: fazhi/registers/framework/apps.py), the tables the catalogue counts (and the rows their filters
        # follow: every model of the apps that hold them) and the units: a row of these saved or
        # deleted anywhere makes them stale (writes that bypass the signals bump themselves)
        from django.apps import apps
        from django.db.models.signals import post_delete, post_save

        from fazhi.indicators.tables import TABLES
        from fazhi.registers.framework.models import Matter

        models: list[Any] = [apps.get_model("core.Unit")]
        for app_label in sorted({t.model_label.split(".")[0] for t in TABLES.values()}):
            # a register's matters are covered by its write observer, once per step: a save signal
            # would also fire while a ledger import plans its rows (and lock the version row there)
            models += [m for m in apps.get_app_config(app_label).get_models() if not issubclass(m, Matter)]
        for model in models:
            label = model._meta.label
            post_save.connect(_row_changed, sender=model, dispatch_uid=f"figures-{label}-save")
            post_delete.connect(_row_changed, sender=model, dispatch_uid=f"figures-{label}-delete")


def _figures_changed(*_: Any) -> None:
    from fazhi.core.pagecache import RECORDS, bump

    bump(RECORDS)


def _row_changed(sender: Any, **kwargs: Any) -> None:
    _figures_changed()


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
