"""Hardening tests that drive a real browser reuse the browser fixtures (Debian chromium)."""

from tests.browser.conftest import browser_type_launch_args, screenshot  # noqa: F401 - pytest fixtures
