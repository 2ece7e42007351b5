"""`manage.py proceed_worker`: the PDF worker (django-tasks-db's db_worker, with a heartbeat and a sweep).

Takes db_worker's options. Run one or more per deployment (`make worker`, deploy/).
"""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from records.worker import Housekeeper


class Command(DBWorkerCommand):
    help = (
        "Render signed PDFs from the queue (several may run at once), say it is alive every few seconds, "
        "and queue again any render a killed worker left unfinished."
    )

    def handle(self, *args, worker_id: str, **options):
        housekeeper = Housekeeper(worker_id)
        housekeeper.start()
        try:
            return super().handle(*args, worker_id=worker_id, **options)
        finally:
            housekeeper.stopping.set()
