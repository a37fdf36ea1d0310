"""Lighthouse 12 (mobile) on the PWA as deployed: gunicorn and whitenoise with the production
settings, on loopback, against SQLite and a private ``redis-server``; everything it starts is
stopped and deleted on exit.

Audits two first loads of ``/``: signed out (the login screen) and signed in as a child (home,
the screen a child opens to flag). Prints the performance, accessibility and best-practices
scores, the metrics, any failing audit, and the first-load JavaScript gzipped. JSON reports go to
``benchmarks/lighthouse/results/`` (not committed).

    .venv/bin/python benchmarks/lighthouse/run.py [--runs 3] [--build]
"""

from __future__ import annotations

import argparse
import gzip
import http.cookies
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FRONTEND = ROOT / "frontend"
DIST = FRONTEND / "dist"
RESULTS = HERE / "results"
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
CHROME = "/usr/bin/chromium"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-sync"
CATEGORIES = ("performance", "accessibility", "best-practices")
METRICS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "total-blocking-time": "TBT",
    "cumulative-layout-shift": "CLS",
    "speed-index": "SI",
}
JS_BUDGET = 60 * 1024
sys.path.insert(0, str(ROOT))


def log(message: str) -> None:
    print(f"==> {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def npm(*args: str, cwd: Path) -> None:
    binary = shutil.which("npm")
    if binary is None:
        sys.exit("npm is needed: 'apt-get install nodejs npm'")
    subprocess.run(
        [binary, *args, "--no-audit", "--no-fund", "--loglevel=error"], cwd=cwd, check=True
    )


def ensure_tools(*, build: bool) -> None:
    if not Path(CHROME).exists():
        sys.exit(f"{CHROME} is needed: 'apt-get install chromium'")
    if not LIGHTHOUSE.exists():
        log("installing lighthouse (npm ci in benchmarks/lighthouse)")
        npm("ci", cwd=HERE)
    if build or not (DIST / "index.html").exists():
        log("building the PWA (frontend/dist)")
        if not (FRONTEND / "node_modules").exists():
            npm("ci", cwd=FRONTEND)
        subprocess.run(
            [shutil.which("npm") or "npm", "run", "--silent", "build"],
            cwd=FRONTEND,
            check=True,
            stdout=subprocess.DEVNULL,
        )


# --- what index.html loads first ------------------------------------------------------------------
def first_load_js() -> list[tuple[str, int, int]]:
    """The entry script and the chunks index.html preloads: (path, bytes, gzip -9 bytes)."""
    html = (DIST / "index.html").read_text()
    paths = re.findall(r'<script[^>]+type="module"[^>]+src="([^"]+)"', html)
    paths += re.findall(r'<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"', html)
    out = []
    for path in paths:
        raw = (DIST / path.lstrip("/")).read_bytes()
        out.append((path, len(raw), len(gzip.compress(raw, compresslevel=9))))
    return out


# --- the app, as deployed -------------------------------------------------------------------------
@contextmanager
def app(workdir: Path) -> Iterator[str]:
    """Redis, migrations, the demo family and gunicorn; yields the origin."""
    redis_dir = workdir / "redis"
    redis_dir.mkdir()
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server is needed: 'apt-get install redis-server'")
    sock = redis_dir / "redis.sock"
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "familyrepair.settings.production",
        "SECRET_KEY": "lighthouse-only-insecure-key",
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "REDIS_URL": f"unix://{sock}?db=0",
        "EMAIL_HOST": "localhost",
        "SECURE_SSL_REDIRECT": "false",  # plain http on loopback; production sits behind TLS
        "FAMILYREPAIR_DATA_DIR": str(workdir),
        "SITE_URL": f"http://localhost:{port}",
        "LOG_LEVEL": "WARNING",
    }
    processes: list[subprocess.Popen[bytes]] = []

    def start(args: list[str], log_name: str) -> None:
        with (workdir / log_name).open("wb") as out:
            process = subprocess.Popen(
                args,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        processes.append(process)

    try:
        redis = [
            binary,
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--unixsocketperm",
            "700",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(redis_dir),
        ]
        start(redis, "redis.log")
        wait_until("redis", sock.exists)
        manage = [sys.executable, "manage.py"]
        for command in (
            ["migrate", "--noinput", "-v", "0"],
            ["collectstatic", "--noinput", "-v", "0"],
            ["load_demo"],
        ):
            subprocess.run(
                [*manage, *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
            )
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        start(
            [
                gunicorn,
                "familyrepair.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--access-logfile",
                "-",
            ],
            "gunicorn.log",
        )
        origin = f"http://localhost:{port}"
        wait_until("gunicorn", lambda: answers(f"{origin}/"))
        warm_up(origin)
        os.environ.update(env)  # the same settings in this process, for child_session_cookies()
        yield origin
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_until(what: str, ready: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} did not start in {timeout:.0f} s")
        time.sleep(0.1)


def warm_up(origin: str) -> None:
    """A few requests per worker first: a worker's first API call imports half the project, a
    cost a running server has long paid and a measurement should not include."""
    for _ in range(8):
        for path in ("/", "/_allauth/browser/v1/config", "/api/v1/feelings/", "/api/v1/me/"):
            answers(origin + path)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310  # our loopback URL
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def child_session_cookies(origin: str) -> dict[str, str]:
    """Log the demo teen in through allauth's browser API, as the PWA does; its cookies."""
    import django

    django.setup()  # the environment app() set up: load_demo's module reads models
    from accounts.management.commands.load_demo import DEMO_PASSWORD, TEEN_EMAIL

    jar: dict[str, str] = {}

    def call(method: str, path: str, body: dict[str, str] | None = None) -> int:
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
            "Origin": origin,
        }
        if "csrftoken" in jar:
            headers["X-CSRFToken"] = jar["csrftoken"]
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(origin + path, data=data, method=method, headers=headers)  # noqa: S310  # our loopback URL
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  # our loopback URL
                status, cookies = response.status, response.headers.get_all("Set-Cookie") or []
        except urllib.error.HTTPError as error:
            status, cookies = error.code, error.headers.get_all("Set-Cookie") or []
        for header in cookies:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                jar[name] = morsel.value
        return int(status)

    call("GET", "/_allauth/browser/v1/auth/session")  # sets csrftoken
    status = call(
        "POST", "/_allauth/browser/v1/auth/login", {"email": TEEN_EMAIL, "password": DEMO_PASSWORD}
    )
    if status != 200 or "sessionid" not in jar:
        sys.exit(f"could not sign the demo teen in (HTTP {status})")
    return jar


# --- Lighthouse -----------------------------------------------------------------------------------
@contextmanager
def chromium(workdir: Path, cookies: dict[str, str], origin: str) -> Iterator[int]:
    """A fresh Chromium with remote debugging and ``cookies`` in its jar; yields the port.

    Lighthouse attaches to it (``--port``) and leaves cookies alone. Its ``--extra-headers``
    cannot carry a session: the first response that sets a cookie (the CSRF token) puts the jar
    in charge, and the header's session cookie is gone from the next request."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    profile = Path(tempfile.mkdtemp(prefix="profile-", dir=workdir))
    process = subprocess.Popen(
        [
            CHROME,
            *CHROME_FLAGS.split(),
            f"--remote-debugging-port={port}",
            f"--user-data-dir={profile}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until("chromium", lambda: answers(f"http://127.0.0.1:{port}/json/version"))
        if cookies:
            with sync_playwright() as playwright:
                browser = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
                browser.contexts[0].add_cookies(
                    [
                        {"name": name, "value": value, "url": origin}
                        for name, value in cookies.items()
                    ]
                )
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def lighthouse(url: str, output: Path, *, port: int) -> dict[str, Any]:
    args = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={output}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--form-factor=mobile",
        f"--port={port}",
    ]
    for attempt in (1, 2, 3):
        # Lighthouse sometimes loses the trace of a load (NO_NAVSTART) and says to run it again.
        done = subprocess.run(args, check=False, env={**os.environ, "CHROME_PATH": CHROME})
        if done.returncode == 0:
            break
        log(f"lighthouse failed (attempt {attempt} of 3)")
    else:
        raise SystemExit("lighthouse failed three times")
    report: dict[str, Any] = json.loads(output.read_text())
    return report


def summary(report: dict[str, Any], *, signed_in: bool) -> dict[str, Any]:
    audits = report["audits"]
    requests = audits["network-requests"]["details"]["items"]
    me = [r["statusCode"] for r in requests if r["url"].endswith("/api/v1/me/")]
    if signed_in and 200 not in me:
        raise SystemExit(f"the signed-in page never read /api/v1/me/ (answers: {me})")
    scripts = [item for item in requests if item.get("resourceType") == "Script"]
    failing = sorted(
        {
            f"{category}: {audits[ref['id']]['title']}"
            for category in ("accessibility", "best-practices")
            for ref in report["categories"][category]["auditRefs"]
            if ref["weight"] > 0 and audits[ref["id"]]["score"] not in (None, 1)
        }
    )
    return {
        "scores": {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES},
        "metrics": {short: audits[name]["displayValue"] for name, short in METRICS.items()},
        "js_transferred": sum(int(item.get("transferSize", 0)) for item in scripts),
        "js_requests": len(scripts),
        "failing": failing,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median is shown")
    parser.add_argument("--build", action="store_true", help="rebuild frontend/dist first")
    parser.add_argument(
        "--smoke", action="store_true", help="one run of the signed-out page: checks it works"
    )
    options = parser.parse_args()
    if options.smoke:
        options.runs = 1
    ensure_tools(build=options.build)
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")

    chunks = first_load_js()
    js_gzip = sum(size for _, _, size in chunks)
    results: dict[str, Any] = {"first_load_js": chunks, "first_load_js_gzip": js_gzip, "pages": {}}
    with (
        tempfile.TemporaryDirectory(prefix="familyrepair-lighthouse-") as tmp,
        app(Path(tmp)) as origin,
    ):
        pages: dict[str, dict[str, str]] = {"signed out (login)": {}}
        if not options.smoke:
            pages["child signed in (home)"] = child_session_cookies(origin)
        for page, cookies in pages.items():
            runs = []
            for number in range(1, options.runs + 1):
                slug = re.sub(r"[^a-z]+", "-", page).strip("-")
                output = RESULTS / f"{stamp}-{slug}-{number}.json"
                log(f"lighthouse: {page}, run {number} of {options.runs}")
                with chromium(Path(tmp), cookies, origin) as port:
                    report = lighthouse(f"{origin}/", output, port=port)
                runs.append(summary(report, signed_in=bool(cookies)))
            runs.sort(key=lambda r: r["scores"]["performance"])
            results["pages"][page] = runs[len(runs) // 2]
            results["pages"][page]["performance_runs"] = [r["scores"]["performance"] for r in runs]
    (RESULTS / f"{stamp}-summary.json").write_text(json.dumps(results, indent=2))

    print()
    print(f"{'page':<26} {'perf':>5} {'a11y':>5} {'best':>5}  metrics (median run)")
    for page, r in results["pages"].items():
        s, m = r["scores"], r["metrics"]
        metrics = "  ".join(f"{k} {v}" for k, v in m.items())
        print(
            f"{page:<26} {s['performance']:>5} {s['accessibility']:>5} "
            f"{s['best-practices']:>5}  {metrics}"
        )
        if options.runs > 1:
            print(f"{'':<26} performance over {options.runs} runs: {r['performance_runs']}")
        print(f"{'':<26} JS transferred: {r['js_transferred']} bytes in {r['js_requests']} files")
        for line in r["failing"]:
            print(f"{'':<26} not passing: {line}")
    print()
    print("first-load JavaScript (index.html's entry script and the chunks it preloads):")
    for path, raw, packed in chunks:
        print(f"  {path:<34} {raw:>7} bytes  {packed:>6} gzipped")
    verdict = "within" if js_gzip <= JS_BUDGET else "OVER"
    print(
        f"  {'total':<34} {sum(r for _, r, _ in chunks):>7} bytes  {js_gzip:>6} gzipped "
        f"({js_gzip / 1024:.1f} KB, {verdict} the {JS_BUDGET // 1024} KB budget)"
    )
    print(f"\nreports: {RESULTS}/{stamp}-*.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
