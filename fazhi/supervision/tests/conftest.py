"""The Playwright fixture for the supervision journeys."""

from fazhi.web.tests.conftest import browser  # noqa: F401
