"""Real processes for tests and benchmarks: a private ``redis-server`` on a Unix socket, and Celery
worker and beat processes wired to the test database, that Redis, and the local push and SMTP
servers. Each starts in its own session (process group) so a stop, or a SIGKILL, reaches its
children too; every start is paired with a stop by the caller (fixtures use finalizers).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import redis

REPO_ROOT = Path(__file__).resolve().parents[2]
CELERY_SETTINGS = "tests.support.celery_settings"


class ProcessError(RuntimeError):
    """A process did not start, or not in time; the message says where its log is."""


def wait_for(
    what: str, predicate: Callable[[], bool], *, timeout: float, every: float = 0.05
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every)
    raise ProcessError(f"timed out after {timeout:.0f} s waiting for {what}")


def _stop_group(process: subprocess.Popen[bytes], *, timeout: float = 10) -> None:
    """SIGTERM the process group, then SIGKILL what is left after ``timeout``; always reaped."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    # Children (a prefork pool) may outlive their parent: the group goes in any case.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=timeout)


# --- Redis ---------------------------------------------------------------------------------------
class RedisServer:
    """A private ``redis-server`` (no persistence) on ``directory/redis.sock``; restartable."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.socket = directory / "redis.sock"
        self.log = directory / "redis.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """redis-py's spelling (``CACHES``, ``REDIS_URL``); Celery's comes from settings."""
        return f"unix://{self.socket}?db=0"

    @property
    def broker_url(self) -> str:
        return f"redis+socket://{self.socket}?db=0"

    def client(self) -> redis.Redis:
        return redis.Redis(unix_socket_path=str(self.socket), socket_timeout=5)

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ProcessError("redis-server is needed: 'apt-get install redis-server'")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.socket.unlink(missing_ok=True)
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                [
                    *(binary, "--port", "0", "--unixsocket", str(self.socket)),
                    *("--unixsocketperm", "700", "--save", "", "--appendonly", "no"),
                    *("--dir", str(self.directory)),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for("redis-server", self._answers, timeout=10)
        return self

    def _answers(self) -> bool:
        if self._process is not None and self._process.poll() is not None:
            raise ProcessError(f"redis-server exited; see {self.log}")
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def flush(self) -> None:
        self.client().flushall()

    def kill(self) -> None:
        """SIGKILL: gone at once, as when the kernel's OOM killer picks it."""
        if self._process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=10)
            self._process = None

    def restart(self) -> None:
        """Stop (no save: everything in it is lost) and start again on the same socket."""
        self.stop()
        self.start()

    def stop(self) -> None:
        if self._process is not None:
            _stop_group(self._process)
            self._process = None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- PostgreSQL ----------------------------------------------------------------------------------
def _postgres_bin_dir() -> Path:
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent  # a symlink in /usr/local/bin: the real bin dir
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if not found:
        raise ProcessError("PostgreSQL server binaries are needed: 'apt-get install postgresql'")
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PostgresServer:
    """A throwaway cluster in ``directory`` on loopback, trust auth, durability off (as
    ``scripts/services.sh`` starts for tests); ``stop()`` ends it. As root, runs as ``postgres``."""

    def __init__(
        self,
        directory: Path,
        *,
        database: str = "familyrepair",
        standby_of: PostgresServer | None = None,
    ) -> None:
        """``standby_of``: a streaming replica of that (running) server, made with
        ``pg_basebackup -R``: read-only, it replays the primary's WAL as it streams in."""
        self.directory = directory
        self.database = database
        self.standby_of = standby_of
        self.port = 0
        self._pg_ctl: list[str] = []
        self._options = ""

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{self.database}"

    def start(self) -> PostgresServer:
        bin_dir = _postgres_bin_dir()
        data, sockets = self.directory / "data", self.directory / "sock"
        data.mkdir(parents=True)
        sockets.mkdir()
        as_postgres: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root
            self.directory.parent.chmod(0o711)  # postgres must get through a 0700 temp dir
            for path in (self.directory, data, sockets):
                shutil.chown(path, "postgres", "postgres")
            as_postgres = ["runuser", "-u", "postgres", "--"]
        if self.standby_of is None:
            subprocess.run(
                [
                    *as_postgres,
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--no-sync",
                    "-E",
                    "UTF8",
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                timeout=120,
            )
        else:  # initdb's pg_hba.conf trusts replication connections from 127.0.0.1
            data.chmod(0o700)
            subprocess.run(
                [
                    *as_postgres,
                    str(bin_dir / "pg_basebackup"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.standby_of.port),
                    "-U",
                    "postgres",
                    "-D",
                    str(data),
                    "-R",
                    "-X",
                    "stream",
                    "--no-sync",
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                timeout=120,
            )
        self.port = _free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {sockets} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._pg_ctl = [*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data)]
        self._options = options
        subprocess.run(
            [*self._pg_ctl, "-l", str(self.directory / "server.log"), "-w", "-o", options, "start"],
            check=True,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
            timeout=60,
        )
        if self.standby_of is not None:
            return self  # the database came with the base backup
        try:
            import psycopg

            with psycopg.connect(
                f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True
            ) as admin:
                admin.execute(f'CREATE DATABASE "{self.database}"')  # our own name, not input
        except BaseException:
            self.stop()
            raise
        return self

    def restart(self, *, mode: str = "fast") -> None:
        """``pg_ctl restart``: every connection is cut; committed data stays (on disk)."""
        subprocess.run(
            [
                *self._pg_ctl,
                "-m",
                mode,
                "-w",
                "-o",
                self._options,
                "restart",
                "-l",
                str(self.directory / "server.log"),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
            timeout=60,
        )

    def stop(self) -> None:
        if self._pg_ctl:
            subprocess.run(
                [*self._pg_ctl, "-m", "immediate", "-w", "stop"],
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=60,
            )
            self._pg_ctl = []

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- Celery --------------------------------------------------------------------------------------
def database_url(settings_dict: Mapping[str, Any]) -> str:
    """A ``DATABASE_URL`` for the database a Django connection uses (pytest-django's test one)."""
    engine = str(settings_dict["ENGINE"])
    if "postgresql" not in engine:
        raise ProcessError(f"worker processes need PostgreSQL, not {engine}")
    user = quote(str(settings_dict.get("USER") or ""), safe="")
    password = quote(str(settings_dict.get("PASSWORD") or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{quote(str(settings_dict['NAME']), safe='')}"


def celery_env(
    *,
    database_url: str,
    redis_url: str,
    data_dir: Path,
    vapid_public_key: str = "",
    vapid_private_key: str = "",
    smtp_port: int | None = None,
    lease_seconds: int = 5,
    sweep_seconds: float = 1.0,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a worker or beat process: our settings module and nothing from pytest."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PYTEST_", "DJANGO_", "CELERY_", "WEBPUSH_"))
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": CELERY_SETTINGS,
        "PYTHONPATH": str(REPO_ROOT),
        "SECRET_KEY": "test-only-insecure-key",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "FAMILYREPAIR_DATA_DIR": str(data_dir),
        "WEBPUSH_VAPID_PUBLIC_KEY": vapid_public_key,
        "WEBPUSH_VAPID_PRIVATE_KEY": vapid_private_key,
        "PROMPT_LEASE_SECONDS": str(lease_seconds),
        "PROMPT_SWEEP_SECONDS": str(sweep_seconds),
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    if smtp_port is not None:
        env["TEST_SMTP_PORT"] = str(smtp_port)
    env |= dict(extra or {})
    return env


class CeleryProcess:
    """``celery -A familyrepair worker|beat`` in its own process group, logging to a file."""

    def __init__(self, name: str, args: list[str], *, env: Mapping[str, str], log: Path) -> None:
        self.name = name
        self.args = args
        self.env = dict(env)
        self.log = log
        self.restarts = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._meant_to_run = False

    @classmethod
    def worker(
        cls,
        name: str,
        *,
        env: Mapping[str, str],
        directory: Path,
        concurrency: int = 2,
        pool: str = "prefork",
    ) -> CeleryProcess:
        args = [
            *("worker", "-n", f"{name}@%h", "--pool", pool, "--concurrency", str(concurrency)),
            *("--prefetch-multiplier", "1", "-O", "fair", "--loglevel", "INFO"),
            *("--without-heartbeat", "--without-gossip", "--without-mingle"),
        ]
        return cls(name, args, env=env, log=directory / f"{name}.log")

    @classmethod
    def beat(cls, name: str, *, env: Mapping[str, str], directory: Path) -> CeleryProcess:
        args = ["beat", "--schedule", str(directory / f"{name}-schedule"), "--loglevel", "INFO"]
        return cls(name, args, env=env, log=directory / f"{name}.log")

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def start(self) -> CeleryProcess:
        celery = Path(sys.executable).with_name("celery")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                [str(celery), "-A", "familyrepair", *self.args],
                cwd=REPO_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._meant_to_run = True
        return self

    def restart_if_died(self) -> bool:
        """What a supervisor (compose's ``restart: unless-stopped``) does for a process that
        exited on its own; True when it did."""
        if not self._meant_to_run or self.alive():
            return False
        self.restarts += 1
        with self.log.open("a") as log:
            log.write(f"\n=== exited on its own; restart {self.restarts} by the supervisor ===\n")
        self.start()
        return True

    def wait_ready(self, *, timeout: float = 30) -> CeleryProcess:
        """A worker logs 'ready.' once it consumes; beat logs 'beat: Starting...'."""
        marker = "ready." if self.args[0] == "worker" else "beat: Starting"

        def ready() -> bool:
            if self._process is not None and self._process.poll() is not None:
                tail = "\n".join(self.output().splitlines()[-15:])
                raise ProcessError(f"{self.name} exited ({self._process.returncode}):\n{tail}")
            return marker in self.output()

        wait_for(f"{self.name} to be ready (log: {self.log})", ready, timeout=timeout, every=0.1)
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def pool_pids(self) -> list[int]:
        """The worker's pool processes (its children), as the kernel's OOM killer would see them."""
        if self._process is None:
            return []
        children = Path(f"/proc/{self._process.pid}/task/{self._process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def kill(self) -> None:
        """SIGKILL the whole group at once: no warm shutdown, no ack, no goodbye."""
        self._meant_to_run = False
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=10)

    def stop(self) -> None:
        self._meant_to_run = False
        if self._process is not None:
            _stop_group(self._process)
            self._process = None

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None
