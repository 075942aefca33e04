"""Browser-test fixtures shared by every app: the production server, headless Chromium and a recorded visit.

The browser tests do not use pytest-django's live_server: its transactional flush would wipe the reference
data the other tests rely on. Instead `greentech_server` runs the real production stack (`greentech init
--demo`, then `greentech serve`, i.e. gunicorn + WhiteNoise with collected, hashed static files) as a
subprocess against its own SQLite file in a temporary GREENTECH_VAR_DIR, whatever database the rest of the
suite uses. The browser tests never touch the Django test database. greentech/conftest.py makes the fixtures
visible everywhere, so the whole suite starts one server.

The Playwright fixtures are module-scoped on purpose: the sync Playwright API keeps an asyncio event loop
running in the main thread while it is started, and Django refuses ORM calls from a thread with a running
loop (SynchronousOnlyOperation). Stopping Playwright at the end of each browser module keeps the database
tests collected after it working.

`visit("zh")` / `visit("en")` opens a fresh browser context that records console errors, uncaught page errors,
failed requests and HTTP errors, and blocks (and records) every request that would leave 127.0.0.1: the
platform must work offline, without CDNs.
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
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

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
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DEMO_PASSWORD = "greentech-demo"
LOCALES = {"zh": "zh-CN", "en": "en-US"}
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
    env.pop("GREENTECH_JOBS_URL", None)  # the embedded job engine under the var dir, with its worker
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
        [sys.executable, "-m", "greentech", "serve", "--with-worker"]
        + ["--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
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


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about"}:
        return True
    return parts.hostname == "127.0.0.1"


@dataclass
class Visit:
    """One browser context and its page, with everything that went wrong while it was open."""

    page: object
    base_url: str
    artifacts: object
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    allowed_http_errors: set[int] = field(default_factory=set)

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.ok, f"GET {path}: {response and response.status}"
        return response

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.artifacts / f"{name}.png"), full_page=True)

    def assert_clean(self) -> None:
        problems = {
            "console errors": self.console_errors,
            "uncaught page errors": self.page_errors,
            "failed requests": self.failed_requests,
            "HTTP errors": self.http_errors,
            "requests leaving 127.0.0.1": self.foreign_requests,
        }
        assert not any(problems.values()), {name: items for name, items in problems.items() if items}


@pytest.fixture
def visit(playwright_browser, greentech_server, artifacts_dir):
    """`visit("zh")` / `visit("en")`: a fresh context with a Chinese or English browser.

    The portal ignores Accept-Language (Chinese unless the visitor picked English with the header's switch),
    so an English visit also carries the language cookie the switch sets; `chosen=False` leaves it out.
    """
    contexts = []

    def open_visit(lang: str = "zh", *, chosen: bool = True) -> Visit:
        context = playwright_browser.new_context(
            locale=LOCALES[lang], viewport={"width": 1280, "height": 900}, timezone_id="Asia/Shanghai"
        )
        if lang == "en" and chosen:
            context.add_cookies([{"name": "django_language", "value": "en", "url": greentech_server}])
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        result = Visit(page=page, base_url=greentech_server, artifacts=artifacts_dir)

        def block_foreign(route):
            result.foreign_requests.append(route.request.url)
            route.abort()

        context.route(lambda url: not _is_local(url), block_foreign)
        page.on(
            "console", lambda msg: msg.type == "error" and result.console_errors.append(f"{msg.text} @ {msg.location}")
        )
        page.on("pageerror", lambda error: result.page_errors.append(str(error)))
        page.on(
            "requestfailed",
            lambda request: (
                _is_local(request.url)  # foreign requests are aborted on purpose, recorded above
                and result.failed_requests.append(f"{request.method} {request.url}: {request.failure}")
            ),
        )
        page.on(
            "response",
            lambda response: (
                response.status >= 400
                and response.status not in result.allowed_http_errors
                and result.http_errors.append(f"{response.status} {response.request.method} {response.url}")
            ),
        )
        return result

    yield open_visit
    for context in contexts:
        context.close()


def sign_in(v: Visit, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login page (demo accounts share one password)."""
    v.goto("/accounts/login/?next=/")
    v.page.fill("#id_username", username)
    v.page.fill("#id_password", password)
    with v.page.expect_navigation():
        v.page.locator("main form button").click()
    assert urlsplit(v.page.url).path == "/", f"sign-in as {username} did not get past the login page: {v.page.url}"
    assert v.page.locator(f'nav.gt-navbar button[title="{username}"]').count() == 1
