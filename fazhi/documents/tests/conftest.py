"""Fixtures of the document tests: the Playwright browser."""

from fazhi.web.tests.conftest import browser  # noqa: F401
