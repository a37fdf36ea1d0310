"""A small closed-loop HTTP driver (asyncio + aiohttp) for what wrk cannot do: requests that
change as they go (each acknowledge needs a different rupture) and a mix of users.

Every request is timed from send to the end of its body and recorded under a label; a recorder
gives req/s and p50/p95/p99 per label. Loopback only: the benchmarks pass 127.0.0.1 URLs.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp


@dataclass
class Stats:
    label: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    elapsed: float = 0.0

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0

    def percentile_ms(self, fraction: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


class Recorder:
    """Latencies per label, and non-2xx answers (an unexpected status is an error)."""

    def __init__(self) -> None:
        self.stats: dict[str, Stats] = {}

    def get(self, label: str) -> Stats:
        return self.stats.setdefault(label, Stats(label))

    def record(self, label: str, status: int, seconds: float) -> None:
        stats = self.get(label)
        stats.latencies.append(seconds)
        stats.statuses[status] = stats.statuses.get(status, 0) + 1
        if not 200 <= status < 300:
            stats.errors += 1

    def set_elapsed(self, seconds: float) -> None:
        for stats in self.stats.values():
            stats.elapsed = seconds


class Client:
    """One signed-in (or anonymous) user: its session token on every request."""

    def __init__(
        self, session: aiohttp.ClientSession, base_url: str, recorder: Recorder, token: str = ""
    ) -> None:
        self.session = session
        self.base_url = base_url
        self.recorder = recorder
        self.headers = {"Accept": "application/json"}
        if token:
            self.headers["X-Session-Token"] = token

    async def call(
        self, label: str, method: str, path: str, body: object = None
    ) -> tuple[int, Any]:
        """Status and decoded JSON (None when there is none); recorded under ``label``."""
        headers = dict(self.headers)
        data = None
        if body is not None or method == "POST":
            headers["Content-Type"] = "application/json"
            headers["Idempotency-Key"] = uuid.uuid4().hex  # as the PWA's outbox sends them
            data = json.dumps(body if body is not None else {})
        started = time.perf_counter()
        try:
            async with self.session.request(
                method, self.base_url + path, data=data, headers=headers
            ) as response:
                raw = await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError):
            status, raw = 599, b""
        self.recorder.record(label, status, time.perf_counter() - started)
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, None


def new_session(concurrency: int) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    timeout = aiohttp.ClientTimeout(total=30)
    return aiohttp.ClientSession(connector=connector, timeout=timeout)


async def each(
    jobs: Sequence[Callable[[], Awaitable[object]]], concurrency: int, recorder: Recorder
) -> float:
    """Runs every job, ``concurrency`` at a time; returns the seconds it took."""
    queue: asyncio.Queue[Callable[[], Awaitable[object]]] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)

    async def worker() -> None:
        while not queue.empty():
            await queue.get_nowait()()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


async def for_duration(loops: Sequence[Callable[[], Awaitable[object]]], seconds: float) -> float:
    """Runs each loop step over and over (one task per loop) until ``seconds`` have passed."""
    deadline = time.perf_counter() + seconds

    async def repeat(step: Callable[[], Awaitable[object]]) -> None:
        while time.perf_counter() < deadline:
            await step()

    started = time.perf_counter()
    await asyncio.gather(*(repeat(step) for step in loops))
    return time.perf_counter() - started
