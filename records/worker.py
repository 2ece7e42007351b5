"""The PDF worker: django-tasks-db's worker, plus a heartbeat and a sweep for abandoned renders.

`manage.py proceed_worker` runs it; several may run at once, on one server or many. Each task is
claimed by one worker (the database row is locked, SKIP LOCKED), and a record is stored once under
its request's lock (records.documents), so two renders of one signature still keep one record.

A worker killed mid-render leaves its task claimed ("running") for good. Every few seconds a
thread in each worker writes its heartbeat; every `SWEEP_SECONDS` it looks for records still
without their PDF (a signature's consent record, a clinician's part, the cover record of a decision
recorded by staff: `PENDING_KINDS`) whose render was claimed by a worker not seen for
`ABANDONED_AFTER_SECONDS`, or that never got a render queued, and queues a render for each. Failed
renders keep their own retries (records.tasks); the sweep never re-queues those.
"""

from __future__ import annotations

import datetime
import logging
import socket
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from consent.models import Countersignature, Signature, StaffRecordedConsent
from records.models import WorkerHeartbeat
from records.tasks import render_clinician_document, render_consent_document, render_staff_record_document

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5
SWEEP_SECONDS = 30
# A worker not seen for this long is taken to be gone (well beyond a heartbeat and a render's limit).
ABANDONED_AFTER_SECONDS = 30


def _task_path(task) -> str:
    return f"{task.func.__module__}.{task.func.__qualname__}"


RENDER_TASK = _task_path(render_consent_document)


@dataclass(frozen=True)
class PendingKind:
    """One kind of sealed record rendered in the background: its rows, when each was made, and its task."""

    name: str
    model: type
    made_at: str  # the field saying when the row was made (the clock the sweep waits on)
    task: object

    def pending(self):
        """Its rows still without their PDF (each of these models names its PDF `document`)."""
        return self.model.objects.filter(document__isnull=True)


PENDING_KINDS = (
    PendingKind("signature", Signature, "signed_at", render_consent_document),
    PendingKind("countersignature", Countersignature, "signed_at", render_clinician_document),
    PendingKind("staff record", StaffRecordedConsent, "recorded_at", render_staff_record_document),
)


def beat(worker_id: str, started_at: datetime.datetime) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"host": socket.gethostname(), "started_at": started_at, "seen_at": now}
    )


def live_workers(now: datetime.datetime | None = None) -> set[str]:
    since = (now or timezone.now()) - datetime.timedelta(seconds=ABANDONED_AFTER_SECONDS)
    return set(WorkerHeartbeat.objects.filter(seen_at__gte=since).values_list("worker_id", flat=True))


def requeue_abandoned_renders(now: datetime.datetime | None = None) -> list[tuple[str, int]]:
    """Queue a render for each pending record whose render no live worker will finish; (kind, id) of each."""
    now = now or timezone.now()
    alive: set[str] | None = None
    queued = []
    for kind in PENDING_KINDS:
        old_enough = {f"{kind.made_at}__lte": now - datetime.timedelta(seconds=ABANDONED_AFTER_SECONDS)}
        pending = list(kind.pending().filter(**old_enough).values_list("pk", flat=True))
        if not pending:
            continue
        alive = live_workers(now) if alive is None else alive
        latest: dict[int, DBTaskResult] = {}
        renders = DBTaskResult.objects.filter(task_path=_task_path(kind.task), args_kwargs__args__0__in=pending)
        for result in renders.order_by("enqueued_at"):  # the last one for each record wins
            latest[result.args_kwargs["args"][0]] = result
        for pk in pending:
            result = latest.get(pk)
            abandoned = result is not None and result.status == "RUNNING" and not set(result.worker_ids[-1:]) & alive
            if result is None or abandoned:
                kind.task.enqueue(pk)
                queued.append((kind.name, pk))
                logger.warning(
                    "The PDF for %s %s was %s; queued again.",
                    kind.name,
                    pk,
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
