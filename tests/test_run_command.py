"""The run command's supervisor: everything up (web, worker, beat, private Redis) and /healthz
green within a minute; a worker that dies is started again; one signal stops every process it
started."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def process_group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def run_script() -> ModuleType:
    spec = spec_from_file_location("familyrepair_run", ROOT / "scripts" / "run.py")
    assert spec is not None
    assert spec.loader is not None
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def healthz(port: int, *, timeout: float) -> dict[str, dict[str, bool]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/healthz", timeout=2
            ) as r:  # loopback URL we built
                body: dict[str, dict[str, bool]] = json.load(r)
                return body
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    raise AssertionError(f"healthz never answered 200 within {timeout:.0f} s")


def pids_started(output: str, name: str) -> list[int]:
    return [
        int(line.split("(pid ")[1].rstrip(")"))
        for line in output.splitlines()
        if f"started {name} (pid " in line
    ]


def test_the_supervisor_restarts_a_worker_or_beat_and_stops_on_web() -> None:
    run = run_script()
    supervisor = run.Supervisor()
    python = sys.executable
    supervisor.start(
        "worker", [python, "-c", "raise SystemExit(3)"], dict(os.environ), restart=True
    )
    supervisor.start("web", [python, "-c", "import time; time.sleep(60)"], dict(os.environ))
    try:
        worker = supervisor.children[0]
        first = worker.proc
        first.wait(timeout=30)
        now = time.monotonic()
        assert supervisor.check(now) is None  # a restart is scheduled, nothing stops
        assert worker.proc is first
        assert worker.restart_at == now + 1.0
        assert supervisor.check(now + 1.0) is None
        assert worker.proc is not first  # started again
        worker.proc.wait(timeout=30)
        assert supervisor.check(now + 1.5) is None
        assert worker.restart_at == now + 1.5 + 2.0  # exits at once again: a longer pause

        web = supervisor.children[1].proc
        os.killpg(web.pid, signal.SIGKILL)
        web.wait(timeout=10)
        assert supervisor.check() == -signal.SIGKILL  # web is gone: everything stops
    finally:
        supervisor.stop_all()


def test_a_stop_signal_only_asks_the_supervisor_to_stop() -> None:
    """Once running, Ctrl-C and SIGTERM stop the supervisor even when it started with SIGINT
    ignored (a background job of a script), and raise nothing in it (an exception landing inside
    ``Popen.poll()`` can leave its waitpid lock held, and stopping then hangs): the watch ends at
    its next look, and stopping ends every child."""
    run = run_script()
    supervisor = run.Supervisor()
    web = supervisor.start(
        "web", [sys.executable, "-c", "import time; time.sleep(60)"], dict(os.environ)
    )
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        supervisor.take_stop_signals()
        os.kill(os.getpid(), signal.SIGINT)
        assert supervisor.stop_requested
        supervisor.stop_requested = False
        os.kill(os.getpid(), signal.SIGTERM)
        assert supervisor.stop_requested
        assert supervisor.watch() == 0
        assert web.poll() is None  # nothing was stopped by the signal itself
    finally:
        signal.signal(signal.SIGINT, handlers[0])
        signal.signal(signal.SIGTERM, handlers[1])
        supervisor.stop_all()
    assert web.returncode == -signal.SIGTERM


def test_run_starts_everything_and_ctrl_c_stops_it(tmp_path: Path) -> None:
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ENV"}
    }
    env.update(FAMILYREPAIR_DATA_DIR=str(tmp_path / "data"), BEAT_HEARTBEAT_SECONDS="1")
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "scripts/run.py", "--port", str(port), "--host", "127.0.0.1"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        body = healthz(port, timeout=60)
        assert [body[part]["ok"] for part in ("database", "redis", "beat")] == [True] * 3
        assert (tmp_path / "data" / "familyrepair.sqlite3").exists()

        # A worker killed outright (the OOM killer, say) is started again; the rest runs on.
        [worker] = pids_started(log.read_text(), "worker")
        os.killpg(worker, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while "restarted worker (pid " not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.25)
        assert proc.poll() is None
        assert healthz(port, timeout=30)["database"]["ok"]
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            output = log.read_text()
            raise AssertionError(f"Ctrl-C did not stop the supervisor:\n{output}") from None
        output = log.read_text()

    assert proc.returncode == 0, output
    children = [
        int(line.split("pid ")[1].rstrip(")")) for line in output.splitlines() if "(pid " in line
    ]
    assert len(children) == 5, output  # redis, web, worker, beat, the worker started again
    time.sleep(0.5)
    assert not [pid for pid in children if process_group_alive(pid)]
