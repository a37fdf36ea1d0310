"""Fixtures for the browser tests: Debian's Chromium through Playwright at a phone's viewport,
against ``live_server`` serving the built PWA (whitenoise, ``frontend/dist``); axe-core after every
screen; and, where a prompt has to travel, a real Celery worker and beat on the same test database
and Redis.

Needs: ``frontend/dist`` built (``cd frontend && npm ci && npm run build``), ``/usr/bin/chromium``
(``apt-get install chromium``), PostgreSQL (these tests are deselected on the SQLite run), and
axe-core, which the ``axe`` fixture installs with ``npm ci`` in this folder when it is missing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from tests.e2e.phone import AXE_JS, REPO_ROOT, AxeAudit, Phone, poll
from tests.support.processes import database_url

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# An iPhone 13/14-sized phone.
PHONE_VIEWPORT = {"width": 390, "height": 844}
E2E_DIR = Path(__file__).resolve().parent
# Assertions wait as long as actions and screens do (15 s, not Playwright's 5 s): the test command
# runs these tests beside the PostgreSQL suite on two cores, and a slow runner is not a defect.
expect.set_options(timeout=15_000)
DIST_INDEX = REPO_ROOT / "frontend" / "dist" / "index.html"


# --- order and the event loop -------------------------------------------------------------------
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last. Playwright's sync API keeps an event loop running in the test thread
    from the first browser test to the end of the session, and Django's async-safety check then
    refuses every ORM call from that thread unless DJANGO_ALLOW_ASYNC_UNSAFE is set (no async
    code is involved: the check only sees the loop). Run last, the browser tests are the only
    ones that need it, and no other test's subprocess inherits it."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright() -> None:
    """Before any other session fixture of these tests: Playwright's and the test database's."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


# --- the browser ----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium: ``playwright install`` cannot download its own browsers here."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is needed for browser tests: 'apt-get install chromium'")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_context_args,
        "viewport": PHONE_VIEWPORT,
        "screen": PHONE_VIEWPORT,
        "device_scale_factor": 3,
        "is_mobile": True,
        "has_touch": True,
        "locale": "en-US",
        "timezone_id": "UTC",
    }


@pytest.fixture
def app_url(live_server: LiveServer) -> str:
    """The live server's origin, serving the built PWA at ``/`` (on ``localhost``)."""
    if not DIST_INDEX.exists() or settings.WHITENOISE_ROOT is None:
        pytest.fail("build the PWA first: cd frontend && npm ci && npm run build")
    return str(live_server.url)


# --- axe-core -------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def axe(pytestconfig: pytest.Config) -> AxeAudit:
    """axe-core from this folder's package-lock.json (``npm ci`` on first use)."""
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed to install axe-core: 'apt-get install nodejs npm'")
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=E2E_DIR,
            check=True,
            timeout=300,
        )
    audit = AxeAudit(source=AXE_JS.read_text())
    pytestconfig.stash[AXE_COVERAGE] = audit
    return audit


AXE_COVERAGE = pytest.StashKey[AxeAudit]()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    audit = config.stash.get(AXE_COVERAGE, None)
    if audit is None:
        return
    screens = ", ".join(f"{name} ({n})" for name, n in sorted(audit.covered.items()))
    terminalreporter.write_sep("-", "axe-core: screens audited, zero violations")
    terminalreporter.write_line(f"{len(audit.covered)} screens: {screens}")


# --- phones ---------------------------------------------------------------------------------------
PhoneFactory = Callable[..., Phone]


@pytest.fixture
def phone(
    new_context: Callable[..., BrowserContext], app_url: str, axe: AxeAudit
) -> Iterator[PhoneFactory]:
    """``phone("parent")`` opens a fresh device (its own cookies, storage and service worker)."""
    made: list[Phone] = []

    def make(who: str, **context_args: Any) -> Phone:
        context = new_context(**context_args)
        context.set_default_timeout(15_000)
        device = Phone(context.new_page(), base_url=app_url, axe=axe, who=who)
        made.append(device)
        return device

    yield make
    for device in made:
        device.assert_clean()


# --- a real worker and beat -----------------------------------------------------------------------
def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group (a worker's pool too), SIGKILL whatever is left after 10 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _start(command: list[str], *, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so _stop reaches its children
        )


def _wait_ready(process: subprocess.Popen[bytes], log: Path, marker: str) -> None:
    def ready() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"{log.stem} exited early:\n{log.read_text()[-3000:]}")
        return marker in log.read_text(errors="replace")

    # A generous wait: on a loaded 2-core machine a worker takes well over 30 s to import and start.
    poll(f"celery {log.stem} to start", ready, timeout=120, every=0.1)


@pytest.fixture
def worker_and_beat(
    transactional_db: None, live_server: LiveServer, tmp_path: Path
) -> Iterator[dict[str, Path]]:
    """``celery worker`` and ``celery beat`` (sweeping due prompts every second) on the test
    database and the Redis database the test settings chose; stopped before the database is
    flushed. Yields their log files."""
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "familyrepair.settings.test",
        "DATABASE_URL": database_url(connection.settings_dict),
        # The test settings put each xdist worker on its own Redis database; the child processes
        # inherit PYTEST_XDIST_WORKER, so they pick the same one from this URL.
        "REDIS_URL": str(settings.CACHES["default"]["LOCATION"]),
        "PROMPT_SWEEP_SECONDS": "1",
        "BEAT_HEARTBEAT_SECONDS": "1",
        "FAMILYREPAIR_DATA_DIR": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    celery = [str(Path(sys.executable).with_name("celery")), "-A", "familyrepair"]
    logs = {"worker": tmp_path / "worker.log", "beat": tmp_path / "beat.log"}
    processes: list[subprocess.Popen[bytes]] = []
    try:
        worker = _start(
            [
                *celery,
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],
            env=env,
            log=logs["worker"],
        )
        processes.append(worker)
        beat = _start(
            [
                *celery,
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(tmp_path / "celerybeat-schedule"),
            ],
            env=env,
            log=logs["beat"],
        )
        processes.append(beat)
        _wait_ready(worker, logs["worker"], "ready.")
        _wait_ready(beat, logs["beat"], "beat: Starting")
        yield logs
    finally:
        for process in processes:
            _stop(process)
