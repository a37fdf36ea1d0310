"""The throwaway services' teardown (scripts/services.sh), which the test command's EXIT trap runs.

It runs after every test has passed, so a teardown that fails turns a green run red: it did once,
when Redis wrote its last log line while the directory was being removed.
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BASH = shutil.which("bash") or "/bin/bash"


def run_bash(script: str) -> subprocess.CompletedProcess[str]:
    scripts = REPO_ROOT / "scripts"
    prologue = f'set -euo pipefail\nsource "{scripts}/lib.sh"\nsource "{scripts}/services.sh"\n'
    return subprocess.run(
        [BASH, "-c", prologue + textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_real_redis_is_gone_and_its_directory_removed_when_teardown_returns(
    tmp_path: Path,
) -> None:
    services = tmp_path / "services"
    result = run_bash(
        f"""
        start_test_redis "{services}"
        pid="$(cat "{services}/redis/redis.pid")"
        stop_test_services "{services}"
        if kill -0 "$pid" 2>/dev/null; then echo "redis still running"; fi
        if [ -e "{services}" ]; then echo "directory left"; fi
        echo done
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["done"]


def test_teardown_waits_for_a_server_that_writes_after_sigterm(tmp_path: Path) -> None:
    """A stand-in for Redis that takes its time to exit and logs on the way out."""
    services = tmp_path / "services"
    result = run_bash(
        f"""
        mkdir -p "{services}/redis"
        (
            trap 'sleep 0.5; echo bye >> "{services}/redis/redis.log"; exit 0' TERM
            while :; do sleep 0.05; done
        ) &
        pid=$!
        echo "$pid" > "{services}/redis/redis.pid"
        stop_test_services "{services}"
        if kill -0 "$pid" 2>/dev/null; then echo "server still running"; kill -9 "$pid"; fi
        sleep 0.7
        if [ -e "{services}" ]; then echo "directory left"; fi
        echo done
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["done"]
