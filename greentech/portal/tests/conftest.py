"""Fixtures for the browser tests (test_browser.py): the production server and headless Chromium.

The browser tests do not use pytest-django's live_server: its transactional flush would wipe the reference
data the other tests rely on. Instead `greentech_server` runs the real production stack (`greentech init
--demo`, then `greentech serve`, i.e. gunicorn + WhiteNoise with collected, hashed static files) as a
subprocess against its own SQLite file in a temporary GREENTECH_VAR_DIR, whatever database the rest of the
suite uses. The browser tests never touch the Django test database.

The Playwright fixtures are module-scoped on purpose: the sync Playwright API keeps an asyncio event loop
running in the main thread while it is started, and Django refuses ORM calls from a thread with a running
loop (SynchronousOnlyOperation). Stopping Playwright at the end of the browser module keeps the database
tests collected after it (registry, taxonomy, ...) working.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
SERVER_START_TIMEOUT = 60  # seconds
INIT_TIMEOUT = 300  # seconds


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("GREENTECH_DATABASE_URL", None)  # always a fresh SQLite file under the var dir
    env.pop("GREENTECH_DEBUG", None)  # production settings
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the console script picks greentech.settings itself
    env["GREENTECH_VAR_DIR"] = str(var_dir)
    env["GREENTECH_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(process: subprocess.Popen) -> None:
    """Terminate gunicorn's master and its workers (they share the process group started for it)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@pytest.fixture(scope="session")
def greentech_server(tmp_path_factory):
    """Base URL (http://127.0.0.1:PORT) of the production server running on a fresh demo database."""
    var_dir = tmp_path_factory.mktemp("greentech-var")
    env = _server_env(var_dir)
    init_log = var_dir / "init.log"
    with init_log.open("w") as log:
        result = subprocess.run(
            [sys.executable, "-m", "greentech", "init", "--demo"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=INIT_TIMEOUT,
            check=False,
        )
    if result.returncode != 0:
        pytest.fail(f"greentech init --demo failed ({result.returncode}):\n{_tail(init_log)}", pytrace=False)

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    server_log = var_dir / "serve.log"
    log = server_log.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "greentech", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # own process group
    )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"greentech serve exited with {process.returncode}:\n{_tail(server_log)}", pytrace=False)
            try:
                with urllib.request.urlopen(base_url + "/", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"greentech serve did not answer on {base_url} within {SERVER_START_TIMEOUT}s:\n"
                    + _tail(server_log),
                    pytrace=False,
                )
            time.sleep(0.25)
        yield base_url
    finally:
        _stop(process)
        log.close()


@pytest.fixture(scope="module")
def playwright_browser():
    """One headless Chromium for the module (the system one: no browser downloads here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
