"""The indicator fixtures (a few 政府信息公开 requests across two years) serve the report tests."""

from fazhi.indicators.tests.conftest import requests  # noqa: F401
