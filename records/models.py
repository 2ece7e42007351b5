"""What the records' background workers leave behind: that they are alive."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """A PDF worker (`manage.py proceed_worker`) says it is alive, every few seconds.

    /healthz reports how long ago the last was seen, and the worker's sweep treats a render claimed
    by a worker not seen for a while as abandoned (its process was killed) and queues it again.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.host}"
