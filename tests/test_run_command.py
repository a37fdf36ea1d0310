"""The run command's supervisor: everything up (web, worker, beat, private Redis) and /healthz
green within a minute; one signal stops every process it started."""

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
from pathlib import Path

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


def test_run_starts_everything_and_ctrl_c_stops_it(tmp_path: Path) -> None:
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ENV"}
    }
    env.update(FAMILYREPAIR_DATA_DIR=str(tmp_path / "data"), BEAT_HEARTBEAT_SECONDS="1")
    proc = subprocess.Popen(
        [sys.executable, "scripts/run.py", "--port", str(port), "--host", "127.0.0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        body, deadline = None, time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/healthz", timeout=2
                ) as r:  # loopback URL we built
                    body = json.load(r)
                    break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        assert body is not None, "healthz never answered 200 within a minute"
        assert [body[part]["ok"] for part in ("database", "redis", "beat")] == [True] * 3
        assert (tmp_path / "data" / "familyrepair.sqlite3").exists()
    finally:
        proc.send_signal(signal.SIGINT)
        output = proc.communicate(timeout=30)[0].decode()

    assert proc.returncode == 0, output
    children = [
        int(line.split("pid ")[1].rstrip(")")) for line in output.splitlines() if "(pid " in line
    ]
    assert len(children) == 4, output  # redis, web, worker, beat
    time.sleep(0.5)
    assert not [pid for pid in children if process_group_alive(pid)]
