"""The PDF worker: django-tasks-db's worker, plus a heartbeat and a sweep for abandoned renders.

`manage.py proceed_worker` runs it; several may run at once, on one server or many. Each task is
claimed by one worker (the database row is locked, SKIP LOCKED), and a record is stored once under
its request's lock (records.documents), so two renders of one signature still keep one record.

A worker killed mid-render leaves its task claimed ("running") for good. Every few seconds a
thread in each worker writes its heartbeat; every `SWEEP_SECONDS` it looks for signatures still
without a PDF whose render was claimed by a worker not seen for `ABANDONED_AFTER_SECONDS`, or that
never got a render queued, and queues a render for each. Failed renders keep their own retries
(records.tasks); the sweep never re-queues those.
"""

from __future__ import annotations

import datetime
import logging
import socket
import threading

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from consent.models import Signature
from records.models import WorkerHeartbeat
from records.tasks import render_consent_document

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5
SWEEP_SECONDS = 30
# A worker not seen for this long is taken to be gone (well beyond a heartbeat and a render's limit).
ABANDONED_AFTER_SECONDS = 30
RENDER_TASK = f"{render_consent_document.func.__module__}.{render_consent_document.func.__qualname__}"


def beat(worker_id: str, started_at: datetime.datetime) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"host": socket.gethostname(), "started_at": started_at, "seen_at": now}
    )


def live_workers(now: datetime.datetime | None = None) -> set[str]:
    since = (now or timezone.now()) - datetime.timedelta(seconds=ABANDONED_AFTER_SECONDS)
    return set(WorkerHeartbeat.objects.filter(seen_at__gte=since).values_list("worker_id", flat=True))


def requeue_abandoned_renders(now: datetime.datetime | None = None) -> list[int]:
    """Queue a render for each pending signature whose render no live worker will finish; their ids."""
    now = now or timezone.now()
    pending = dict(
        Signature.objects.filter(
            document__isnull=True, signed_at__lte=now - datetime.timedelta(seconds=ABANDONED_AFTER_SECONDS)
        ).values_list("pk", "signed_at")
    )
    if not pending:
        return []
    alive = live_workers(now)
    latest: dict[int, DBTaskResult] = {}
    renders = DBTaskResult.objects.filter(task_path=RENDER_TASK, args_kwargs__args__0__in=list(pending))
    for result in renders.order_by("enqueued_at"):  # the last one for each signature wins
        latest[result.args_kwargs["args"][0]] = result
    queued = []
    for signature_id in pending:
        result = latest.get(signature_id)
        abandoned = result is not None and result.status == "RUNNING" and not set(result.worker_ids[-1:]) & alive
        if result is None or abandoned:
            render_consent_document.enqueue(signature_id)
            queued.append(signature_id)
            logger.warning(
                "The PDF for signature %s was %s; queued again.",
                signature_id,
                "never queued" if result is None else f"left by worker {result.worker_ids[-1]}, not seen since",
            )
    return queued


class Housekeeper(threading.Thread):
    """The worker's heartbeat and its sweep, beside the task loop, on its own database connection."""

    def __init__(self, worker_id: str):
        super().__init__(name="proceed-worker-housekeeping", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def run(self) -> None:
        last_sweep = None
        while True:  # at least once: a worker asked to stop at once has still said it was here
            try:
                close_old_connections()
                beat(self.worker_id, self.started_at)
                now = timezone.now()
                if last_sweep is None or (now - last_sweep).total_seconds() >= SWEEP_SECONDS:
                    last_sweep = now
                    if settings.PROCEED_TASK_BACKEND == "database":
                        requeue_abandoned_renders(now)
            except Exception:
                logger.exception("The worker's heartbeat or sweep failed; trying again shortly.")
            if self.stopping.wait(HEARTBEAT_SECONDS):
                return
