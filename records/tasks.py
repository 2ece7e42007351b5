"""Background tasks: rendering the signed PDF record.

`consent.services.sign` sends `consent_signed` once the signature is committed (and
`withdraw_consent` sends `consent_withdrawn`); `records.apps` connects them to the
receivers below, which enqueue the render, so a worker never looks for a signature
that is not committed yet.

Retries: the task framework (django-tasks 0.12 with django-tasks-db 0.13) has no
retries of its own, so a failed render enqueues the task again itself, with a
later `run_after`, up to `len(RETRY_DELAYS) + 1` attempts in all. Until one
succeeds the PDF stays pending: the patient's page says it is being prepared,
and `manage.py render_pending_documents` renders whatever is still pending. A
backend that can't run a task later (the immediate one, in development and
tests) doesn't retry: the render has just failed in the patient's own request,
and trying again at once would only keep them waiting longer.
"""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone
from django_tasks import task

from consent.models import ConsentRequest, Countersignature, Signature, StaffRecordedConsent
from records.documents import (
    store_clinician_document,
    store_consent_document,
    store_staff_record_document,
    store_withdrawal_document,
)

logger = logging.getLogger(__name__)

# Seconds to wait before the 2nd, 3rd, 4th and 5th attempts.
RETRY_DELAYS = (60, 5 * 60, 30 * 60, 2 * 60 * 60)


@task()
def render_consent_document(signature_id: int, attempt: int = 1) -> str | None:
    """Render and store the signed PDF of one signature (nothing, if it already has one).

    Returns the document ID (no personal data), or None if the signature is gone.
    """
    signature = Signature.objects.select_related("request", "procedure_version").filter(pk=signature_id).first()
    if signature is None:
        logger.warning("Signature %s no longer exists; nothing to render.", signature_id)
        return None
    try:
        store_consent_document(signature)
    except Exception:
        schedule_retry(signature_id, attempt)
        raise  # the task is recorded as failed, with its traceback
    return signature.document_id


def schedule_retry(signature_id: int, attempt: int) -> bool:
    """Enqueue the next attempt after a failed one, if any are left and the backend can wait."""
    if attempt > len(RETRY_DELAYS):
        logger.error(
            "Rendering the PDF for signature %s failed %s times; it stays pending for render_pending_documents.",
            signature_id,
            attempt,
        )
        return False
    if not render_consent_document.get_backend().supports_defer:
        logger.warning(
            "Rendering the PDF for signature %s failed; it stays pending (this task backend does not retry).",
            signature_id,
        )
        return False
    delay = RETRY_DELAYS[attempt - 1]
    render_consent_document.using(run_after=timezone.now() + datetime.timedelta(seconds=delay)).enqueue(
        signature_id, attempt + 1
    )
    logger.warning(
        "Rendering the PDF for signature %s failed (attempt %s); trying again in %s seconds.",
        signature_id,
        attempt,
        delay,
    )
    return True


@task()
def render_withdrawal_document(request_id: int) -> str | None:
    """Render and store the sealed record of a withdrawal (nothing, if it has one).

    No retries of its own: a failure leaves it pending, and the patient's or nurse's download and
    `render_pending_documents` render it again.
    """
    consent_request = ConsentRequest.objects.filter(pk=request_id, withdrawn_at__isnull=False).first()
    if consent_request is None:
        logger.warning("Request %s has no withdrawal to record.", request_id)
        return None
    return store_withdrawal_document(consent_request).document_id


@task()
def render_staff_record_document(record_id: int) -> str | None:
    """Render and store the sealed cover record of a decision recorded by staff (nothing, if it has one).

    No retries of its own: a failure leaves it pending, and the nurse's download and
    `render_pending_documents` render it again.
    """
    record = StaffRecordedConsent.objects.select_related("request", "procedure_version").filter(pk=record_id).first()
    if record is None:
        logger.warning("Staff record %s no longer exists; nothing to render.", record_id)
        return None
    return store_staff_record_document(record).document_id


def enqueue_staff_record_document(sender, *, record: StaffRecordedConsent, **kwargs) -> None:
    render_staff_record_document.enqueue(record.pk)


@task()
def render_clinician_document(countersignature_id: int) -> str | None:
    """Render and store the sealed clinician's part of one countersignature (nothing, if it has one).

    No retries of its own, like the withdrawal's: a failure leaves it pending, and the nurse's download
    and `render_pending_documents` render it again.
    """
    countersignature = Countersignature.objects.select_related("request").filter(pk=countersignature_id).first()
    if countersignature is None:
        logger.warning("Countersignature %s no longer exists; nothing to render.", countersignature_id)
        return None
    return store_clinician_document(countersignature).document_id


def enqueue_consent_document(sender, *, signature: Signature, **kwargs) -> None:
    render_consent_document.enqueue(signature.pk)


def enqueue_withdrawal_document(sender, *, consent_request: ConsentRequest, **kwargs) -> None:
    render_withdrawal_document.enqueue(consent_request.pk)


def enqueue_clinician_document(sender, *, countersignature: Countersignature, **kwargs) -> None:
    render_clinician_document.enqueue(countersignature.pk)
