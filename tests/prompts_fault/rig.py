"""The rig for fault tests: real Celery worker and beat processes on pytest-django's PostgreSQL test
database, a private Redis the test may restart or flush, the local push and SMTP servers, and a
fresh VAPID key pair. The ``rig`` fixture (``conftest.py``) stops every process it started."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kombu import Connection

from familyrepair.celery_app import app
from tests.support.processes import CeleryProcess, RedisServer
from tests.support.push_server import PushServer
from tests.support.smtp_server import SmtpServer

LEASE_SECONDS = 5
SWEEP_SECONDS = 1.0
# One batch of 50 per sweep: what two pool processes deliver well within the 5 s lease even on a
# busy two-core machine. With the defaults (200 a batch, 20 s budget) the first sweep claims all
# thousand at once, and on a loaded machine most leases run out before their task comes up.
# Each claim of 40 goes out as four tasks of 10, one for each pool process of two workers, and a
# pool process sends one push at a time unless a worker is started with more: a test can catch
# every pool process waiting on a push.
CLAIM = {
    "PROMPT_CLAIM_BATCH": "50",
    "PROMPT_DISPATCH_BUDGET_SECONDS": "0.2",
    "PROMPT_MAX_IN_FLIGHT": "40",  # what one loaded worker delivers well within a 5 s lease
    "PROMPT_DELIVER_BATCH": "10",
    "WEBPUSH_CONCURRENCY": "1",
}


@dataclass
class Rig:
    env: dict[str, str]
    directory: Path
    redis: RedisServer
    push: PushServer
    smtp: SmtpServer
    processes: list[CeleryProcess] = field(default_factory=list)

    def worker(
        self, name: str, *, concurrency: int = 2, pushes_at_once: int | None = None
    ) -> CeleryProcess:
        """``pushes_at_once``: ``WEBPUSH_CONCURRENCY`` for this worker (the rig's is 1)."""
        env = dict(self.env)
        if pushes_at_once is not None:
            env["WEBPUSH_CONCURRENCY"] = str(pushes_at_once)
        process = CeleryProcess.worker(
            name, env=env, directory=self.directory, concurrency=concurrency
        )
        self.processes.append(process)
        return process.start()

    def beat(self, name: str) -> CeleryProcess:
        process = CeleryProcess.beat(name, env=self.env, directory=self.directory)
        self.processes.append(process)
        return process.start()

    def publish(self, task: str, *args: Any) -> None:
        """Publish to this rig's Redis (the pytest process's broker setting points elsewhere)."""
        with Connection(self.redis.broker_url) as broker:
            app.send_task(task, args=list(args), connection=broker)

    def supervise(self) -> None:
        """Restart a process that died on its own, as compose does in production.

        A worker should not die here: kombu's exit when Redis goes away while the worker holds
        unacked messages ("Unrecoverable error: AttributeError ... 'hostname'") is fixed in
        ``familyrepair.broker``. This stays as the safety net production has (compose's restart
        policy, ``make run``'s supervisor), and a restart is written to the process's log.
        """
        for process in self.processes:
            if process.restart_if_died():
                print(f"supervisor: restarted {process.name}", file=sys.stderr)

    def logs(self) -> str:
        return "".join(p.output() for p in self.processes)

    def stop_all(self) -> None:
        for process in self.processes:
            process.stop()
