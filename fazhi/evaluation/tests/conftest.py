"""The Playwright fixture for the evaluation journeys."""

from fazhi.web.tests.conftest import browser  # noqa: F401
