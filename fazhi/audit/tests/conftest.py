"""Fixtures of the audit log tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _no_documents() -> Any:
    """The log's mechanics are counted leaf by leaf: the documents a step issues (their own leaves,
    tested in fazhi/documents/tests) are left out here."""
    from fazhi.documents.services import documents_suppressed

    with documents_suppressed():
        yield
