"""Render the signed PDF for every signature that has none yet (e.g. after a failed render).

Prints one line per document, naming it by its document ID only (no personal
data), and exits non-zero if any render failed, so cron or CI notices.
"""

from __future__ import annotations

import logging

from django.core.management.base import BaseCommand, CommandError

from consent.models import Signature
from consent.services import store_consent_document

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
        if failed:
            raise CommandError(f"{failed} of {failed + rendered} documents could not be rendered; they stay pending.")
        if not rendered:
            self.stdout.write("No documents were pending.")
