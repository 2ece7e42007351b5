"""PDFs rendered by workers, never in the patient's request: the queue, the heartbeat, the sweep that takes
over a killed worker's render, what /healthz says, and what the patient and nurse see meanwhile."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from consent.models import AuditAction, AuditEvent, ConsentDocument
from records import worker
from records.documents import store_consent_document
from records.models import WorkerHeartbeat
from records.worker import ABANDONED_AFTER_SECONDS, RENDER_TASK, Housekeeper, beat, requeue_abandoned_renders
from tests.conftest import sign_case
from tests.test_countersign import countersign_directly, flag_the_risk_and_sign
from tests.test_staff_recorded_consent import made_days_ago, record


@pytest.fixture
def queued(settings, monkeypatch):
    """The production task backend: renders wait in the database for a worker, run here in the test's
    own process and transaction (tests/topology/ runs real worker processes): the worker's periodic
    reconnect is left out (it would close the test's connection), and its housekeeping runs one round
    in this thread instead of its own (whose writes would outlive the test)."""
    settings.PROCEED_TASK_BACKEND = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)

    def one_round(housekeeper):
        housekeeper.stopping.set()
        housekeeper.run()

    monkeypatch.setattr(worker.Housekeeper, "start", one_round)


def sign_and_queue(case, capture):
    with capture(execute=True):
        return sign_case(case)


def later(seconds=ABANDONED_AFTER_SECONDS + 30):
    return timezone.now() + datetime.timedelta(seconds=seconds)


def renders():
    return DBTaskResult.objects.filter(task_path=RENDER_TASK)


def test_signing_queues_the_render_and_does_not_render_in_the_request(
    queued, case_a, django_capture_on_commit_callbacks
):
    signature = sign_and_queue(case_a, django_capture_on_commit_callbacks)

    assert not ConsentDocument.objects.filter(signature=signature).exists()
    assert [(result.status, result.args_kwargs["args"]) for result in renders()] == [("READY", [signature.pk])]


def test_a_worker_renders_the_queued_record_once(queued, case_a, django_capture_on_commit_callbacks):
    signature = sign_and_queue(case_a, django_capture_on_commit_callbacks)

    call_command("proceed_worker", "--batch", "--no-startup-delay", "--worker-id", "w1", stdout=io.StringIO())
    call_command("proceed_worker", "--batch", "--no-startup-delay", "--worker-id", "w2", stdout=io.StringIO())

    assert ConsentDocument.objects.filter(signature=signature).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.DOCUMENT_RENDERED).count() == 1
    assert renders().get().status == "SUCCESSFUL"


def test_a_render_left_by_a_killed_worker_is_queued_again_and_rendered_once(
    queued, case_a, django_capture_on_commit_callbacks
):
    signature = sign_and_queue(case_a, django_capture_on_commit_callbacks)
    renders().get().claim("killed-worker")  # it took the task, then died: no heartbeat since
    beat("killed-worker", timezone.now() - datetime.timedelta(minutes=10))
    WorkerHeartbeat.objects.filter(worker_id="killed-worker").update(
        seen_at=timezone.now() - datetime.timedelta(minutes=10)
    )

    assert requeue_abandoned_renders(later()) == [("signature", signature.pk)]
    call_command("proceed_worker", "--batch", "--no-startup-delay", "--worker-id", "w3", stdout=io.StringIO())

    assert ConsentDocument.objects.filter(signature=signature).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.DOCUMENT_RENDERED).count() == 1
    assert requeue_abandoned_renders(later()) == []  # done: nothing left to take over


def test_a_render_a_live_worker_is_doing_is_left_to_it(queued, case_a, django_capture_on_commit_callbacks):
    sign_and_queue(case_a, django_capture_on_commit_callbacks)
    renders().get().claim("busy-worker")
    beat("busy-worker", timezone.now())
    WorkerHeartbeat.objects.filter(worker_id="busy-worker").update(seen_at=later())

    assert requeue_abandoned_renders(later()) == []
    assert renders().count() == 1


def test_a_signature_whose_render_was_never_queued_gets_one(queued, case_a, django_capture_on_commit_callbacks):
    signature = sign_and_queue(case_a, django_capture_on_commit_callbacks)
    renders().delete()  # e.g. the queue was lost

    assert requeue_abandoned_renders(timezone.now()) == []  # too soon: signing has only just queued it
    assert requeue_abandoned_renders(later()) == [("signature", signature.pk)]


def test_a_render_that_failed_keeps_its_own_retries_and_is_not_queued_again(
    queued, case_a, django_capture_on_commit_callbacks
):
    sign_and_queue(case_a, django_capture_on_commit_callbacks)
    renders().update(status="FAILED")

    assert requeue_abandoned_renders(later()) == []


def test_the_housekeeper_beats_and_sweeps_then_stops_when_asked(queued, case_a, django_capture_on_commit_callbacks):
    sign_and_queue(case_a, django_capture_on_commit_callbacks)
    renders().get().claim("gone-worker")
    housekeeper = Housekeeper("heartbeat-test")
    housekeeper.stopping.set()  # one round, in this thread

    with time_machine.travel(later(), tick=False):
        housekeeper.run()

    seen = WorkerHeartbeat.objects.get(worker_id="heartbeat-test")
    assert seen.host and abs((later() - seen.seen_at).total_seconds()) < 5
    assert renders().filter(status="READY").count() == 1  # the gone worker's render, queued again


# What /healthz says ----------------------------------------------------------------------------


def test_healthz_reports_the_oldest_pending_pdf_and_the_last_worker_seen(
    client, queued, case_a, django_capture_on_commit_callbacks
):
    sign_and_queue(case_a, django_capture_on_commit_callbacks)
    with time_machine.travel(later(300), tick=False):
        beat("w-health", timezone.now())
        body = client.get("/healthz").json()

    assert body["pending_pdfs"] == 1
    assert 290 <= body["oldest_pending_pdf_seconds"] <= 330
    assert 0 <= body["worker_seen_seconds_ago"] <= 5
    assert body["cache"] == "local"  # tests run without a shared cache


def test_healthz_with_nothing_pending_and_no_worker_says_so(client, db):
    body = client.get("/healthz").json()

    assert (body["pending_pdfs"], body["oldest_pending_pdf_seconds"], body["worker_seen_seconds_ago"]) == (
        0,
        None,
        None,
    )


# What the patient and the nurse see while it is prepared -----------------------------------------


def test_the_done_page_refreshes_itself_until_the_pdf_is_ready(
    client, queued, case_a, django_capture_on_commit_callbacks, nurse
):
    signature = sign_and_queue(case_a, django_capture_on_commit_callbacks)
    client.post(f"{case_a.url}identity/", {"day": 14, "month": 3, "year": 1950})

    pending = client.get(f"{case_a.url}done/").content.decode()
    call_command("proceed_worker", "--batch", "--no-startup-delay", "--worker-id", "w4", stdout=io.StringIO())
    ready = client.get(f"{case_a.url}done/").content.decode()

    assert '<meta http-equiv="refresh" content="5">' in pending and "updates by itself" in pending
    assert 'http-equiv="refresh"' not in ready and "Download your signed record" in ready
    assert ConsentDocument.objects.filter(signature=signature).exists()


def test_the_nurse_reads_that_the_pdf_is_being_prepared_not_a_command(
    client, queued, nurse, case_a, django_capture_on_commit_callbacks
):
    sign_and_queue(case_a, django_capture_on_commit_callbacks)
    client.force_login(nurse)

    page = client.get(f"/staff/requests/{case_a.request.public_id}/").content.decode()

    assert "The signed PDF is being prepared" in page
    assert "manage.py" not in page


def test_asking_for_the_pdf_while_it_is_pending_never_renders_it_in_the_patients_request(
    client, queued, case_a, django_capture_on_commit_callbacks
):
    signature = sign_and_queue(case_a, django_capture_on_commit_callbacks)
    client.post(f"{case_a.url}identity/", {"day": 14, "month": 3, "year": 1950})

    response = client.get(f"{case_a.url}records.pdf")

    assert response.status_code == 503
    assert not ConsentDocument.objects.filter(signature=signature).exists()  # left to the worker
    assert renders().get().status == "READY"


@pytest.mark.parametrize("kind", ["countersignature", "staff record"])
def test_a_clinicians_part_or_a_staff_records_cover_left_pending_is_counted_and_queued_again(
    queued, case_a, nurse, clinician, client, kind, django_capture_on_commit_callbacks
):
    """The sweep and /healthz cover every sealed record made in the background, not only the patient's."""
    if kind == "countersignature":
        flag_the_risk_and_sign(case_a)
        store_consent_document(case_a.request.signature)  # the patient's own record is done: only the part waits
        with django_capture_on_commit_callbacks(execute=False):  # its render is never queued: the queue was lost
            made = countersign_directly(case_a, clinician)
        task = "records.tasks.render_clinician_document"
    else:
        with django_capture_on_commit_callbacks(execute=False):
            made = record(made_days_ago(case_a), nurse)
        task = "records.tasks.render_staff_record_document"
    pending_before = client.get("/healthz").json()["pending_pdfs"]

    assert requeue_abandoned_renders(timezone.now()) == []  # too soon: it has only just been made
    assert requeue_abandoned_renders(later()) == [(kind, made.pk)]
    assert DBTaskResult.objects.filter(task_path=task).count() == 1
    call_command("proceed_worker", "--batch", "--no-startup-delay", "--worker-id", "w9", stdout=io.StringIO())

    assert made.__class__.objects.get(pk=made.pk).document.sha256
    assert (pending_before, client.get("/healthz").json()["pending_pdfs"]) == (1, 0)
    assert requeue_abandoned_renders(later()) == []
