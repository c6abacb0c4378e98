"""Fixtures of the report tests: the indicator tests' requests, and the Playwright browser."""

from fazhi.indicators.tests.conftest import requests  # noqa: F401
from fazhi.web.tests.conftest import browser  # noqa: F401
