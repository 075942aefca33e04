"""The browser fixtures (production server, headless Chromium, artifacts folder) of greentech/portal/tests,
made visible to this folder's browser test. Being a second definition, they start a second server when the
whole suite runs; moving them to greentech/conftest.py would share one."""

from greentech.portal.tests.conftest import artifacts_dir, greentech_server, playwright_browser  # noqa: F401
