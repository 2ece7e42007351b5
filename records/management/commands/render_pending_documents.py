"""Render every sealed PDF still pending (e.g. after a failed render): signed records, withdrawals,
the cover records of decisions recorded by staff, then clinicians' parts.

Prints one line per document, naming it by its document ID only (no personal
data), and exits non-zero if any render failed, so cron or CI notices.
"""

from __future__ import annotations

import logging

from django.core.management.base import BaseCommand, CommandError

from consent.models import ConsentRequest, Countersignature, Signature, StaffRecordedConsent
from records.documents import (
    store_clinician_document,
    store_consent_document,
    store_staff_record_document,
    store_withdrawal_document,
)

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Render the signed PDF record of every signature that has no document yet."

    def handle(self, *args, **options):
        pending = list(
            Signature.objects.filter(document__isnull=True)
            .select_related("request__patient", "procedure_version")
            .order_by("signed_at", "pk")
        )
        failed = 0
        rendered = 0
        for signature in pending:
            try:
                store_consent_document(signature)
            except Exception as error:
                failed += 1
                logger.exception("Rendering the PDF for signature %s failed; it stays pending.", signature.pk)
                self.stderr.write(f"Failed {signature.document_id}: {type(error).__name__}")
            else:
                rendered += 1
                self.stdout.write(f"Rendered {signature.document_id}")
        withdrawals = ConsentRequest.objects.filter(
            withdrawn_at__isnull=False, signature__isnull=False, withdrawal_document__isnull=True
        ).order_by("withdrawn_at", "pk")
        for consent_request in withdrawals:
            try:
                document = store_withdrawal_document(consent_request)
            except Exception as error:
                failed += 1
                logger.exception(
                    "Rendering the withdrawal PDF for request %s failed; it stays pending.", consent_request.pk
                )
                self.stderr.write(
                    f"Failed the withdrawal of {consent_request.signature.document_id}: {type(error).__name__}"
                )
            else:
                rendered += 1
                self.stdout.write(
                    f"Rendered {document.document_id} (withdrawal of {consent_request.signature.document_id})"
                )
        for record in StaffRecordedConsent.objects.filter(document__isnull=True).select_related("request__patient"):
            try:
                document = store_staff_record_document(record)
            except Exception as error:
                failed += 1
                logger.exception("Rendering the staff record's PDF for request %s failed.", record.request_id)
                self.stderr.write(f"Failed the record of {record.document_id}: {type(error).__name__}")
            else:
                rendered += 1
                self.stdout.write(
                    f"Rendered {document.document_id} (record of {record.document_id}, recorded by staff)"
                )
        countersignatures = Countersignature.objects.filter(document__isnull=True).order_by("signed_at", "pk")
        for countersignature in countersignatures:
            try:
                document = store_clinician_document(countersignature)
            except Exception as error:
                failed += 1
                logger.exception(
                    "Rendering the clinician's part for request %s failed; it stays pending.",
                    countersignature.request_id,
                )
                self.stderr.write(f"Failed the clinician's part {countersignature.document_id}: {type(error).__name__}")
            else:
                rendered += 1
                self.stdout.write(f"Rendered {document.document_id} (clinician's part {countersignature.document_id})")
        if failed:
            raise CommandError(f"{failed} of {failed + rendered} documents could not be rendered; they stay pending.")
        if not rendered:
            self.stdout.write("No documents were pending.")
