"""Parallel transactions: case numbers stay unique and gap-free, the log never forks."""

from __future__ import annotations

import threading
from typing import Any

from django.db import connection

from conftest import application
from fazhi.audit.services import audit_verify, checkpoint_take
from fazhi.registers.framework.services import matter_create
from fazhi.registers.reconsideration.models import ReconsiderationCase

WORKERS = 8
PER_WORKER = 4


def test_parallel_creation_gives_gap_free_numbers_and_one_log(transactional_db: Any, org: Any) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(WORKERS)

    def work() -> None:
        try:
            barrier.wait()
            for _ in range(PER_WORKER):
                matter_create(register="reconsideration", unit=org.body, actor=org.alice, data=application())
        except BaseException as exc:  # reported below; a thread must not swallow it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    sequences = sorted(ReconsiderationCase.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, WORKERS * PER_WORKER + 1))
    checkpoint_take()
    report = audit_verify()
    assert report.ok, report.problems
    assert report.size == WORKERS * PER_WORKER
