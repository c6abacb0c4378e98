from typing import Any

from django.apps import AppConfig


class FrameworkConfig(AppConfig):
    name = "fazhi.registers.framework"
    label = "framework"
    verbose_name = "台账框架"

    def ready(self) -> None:
        from fazhi.audit.services import leaf_source_register
        from fazhi.registers.framework.events import batch_reencode, event_reencode, event_reencode_exact

        leaf_source_register("matter_event", event_reencode, exact=event_reencode_exact)
        leaf_source_register("generated_batch", batch_reencode)

        from fazhi.registers.framework import workflow

        leaf_source_register(workflow.SOURCE, workflow.event_reencode)

        from fazhi.audit.services import projection_check_register
        from fazhi.registers.framework.projection import matters_check, matters_count, matters_part_check, matters_parts

        projection_check_register("matters", matters_check, matters_count, parts=(matters_parts, matters_part_check))
        projection_check_register("workflows", workflow.workflows_check, workflow.workflows_count)

        from fazhi.registers.framework.search import on_matters_written, search_ready
        from fazhi.registers.framework.services import write_observer_add

        write_observer_add(on_matters_written, ready=search_ready, own_rows=True)
        write_observer_add(_records_changed)


def _records_changed(*_: Any) -> None:
    """Write observer: the values cached until the next write of a matter (the to-do list, the
    dashboard: fazhi/core/pagecache.py) are forgotten, in the write's transaction."""
    from fazhi.core.pagecache import RECORDS, bump

    bump(RECORDS)
