"""Worker heartbeats, on a thread of their own: a worker busy with a long task in the solo pool (the
embedded default) still beats, so only a stopped worker looks stopped. The worker's beat also says
whether it holds a task (idle_since), and every JOB_RECONCILE_SECONDS runs the reconciler."""

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from backend.jobs.models import WorkerHeartbeat
from backend.jobs.reconcile import jobs_reconcile

log = logging.getLogger(__name__)


class Heartbeat:
    """Upserts the WorkerHeartbeat of `hostname` every WORKER_HEARTBEAT_SECONDS until stopped.

    busy(): whether the process holds a task now (None: never idle, e.g. a command running one job).
    reconcile: also run the reconciler, at start and every JOB_RECONCILE_SECONDS."""

    def __init__(
        self, hostname: str, queues: list[str], busy: Callable[[], bool] | None = None, reconcile: bool = False
    ):
        self.hostname, self.queues, self.busy, self.reconcile = hostname, queues, busy, reconcile
        self.started_at = timezone.now()
        self.idle_since = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat {hostname}", daemon=True)
        self._last_reconcile = float("-inf")

    def start(self) -> "Heartbeat":
        self._thread.start()
        return self

    def stop(self, remove: bool = True) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        if remove:
            try:
                WorkerHeartbeat.objects.filter(hostname=self.hostname, started_at=self.started_at).delete()
            except Exception:
                log.exception("could not remove the heartbeat of %s", self.hostname)

    def beat(self) -> None:
        now = timezone.now()
        busy = True if self.busy is None else self.busy()
        self.idle_since = None if busy else (self.idle_since or now)
        close_old_connections()
        WorkerHeartbeat.objects.update_or_create(
            hostname=self.hostname,
            defaults={
                "queues": self.queues,
                "pid": os.getpid(),
                "started_at": self.started_at,
                "last_seen": now,
                "idle_since": self.idle_since,
            },
        )

    def _run(self) -> None:
        # The first beat and the first reconcile at once: jobs of this worker's earlier incarnation
        # (same name, claimed before this start) come back without waiting for a period.
        while True:
            try:
                self.beat()
            except Exception:  # the database may be down: beat again next time
                log.exception("heartbeat of %s failed", self.hostname)
                connection.close()
            self._maybe_reconcile()
            if self._stop.wait(settings.WORKER_HEARTBEAT_SECONDS):
                break
        connection.close()

    def _maybe_reconcile(self) -> None:
        if not self.reconcile or time.monotonic() - self._last_reconcile < settings.JOB_RECONCILE_SECONDS:
            return
        self._last_reconcile = time.monotonic()
        try:
            jobs_reconcile()
        except Exception:
            log.exception("the reconciler failed on %s", self.hostname)
            connection.close()


@contextmanager
def beating(name: str):
    """A command running a job in its own process beats while it runs, under a name of its own
    (`name.<pid>@<host>`, yielded for job_run): should the command die, the reconciler hands its job
    to a worker."""
    hostname = f"{name}.{os.getpid()}@{socket.gethostname()}"
    heartbeat = Heartbeat(hostname, []).start()
    try:
        yield hostname
    finally:
        heartbeat.stop()
