"""/verify/: anyone can check that a consent record PDF is one the clinic sealed, unchanged.

Public and without sign-in: a patient, an insurer or a court may hold a copy.
The upload is checked twice: its seal must be the clinic's and cover the whole
file (`records.seal.read_seal`), and its SHA-256 must be one the clinic
stored. The page then names only the document ID and the sealing time, never
anything about the patient. The file is not kept. Work is bounded by a 5 MB
limit and a per-address rate limit.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from consent.models import (
    ClinicianDocument,
    ConsentDocument,
    Decision,
    Signature,
    StaffRecordDocument,
    WithdrawalDocument,
)
from records.seal import NotAPdf, SigningNotConfigured, read_seal

logger = logging.getLogger(__name__)

MAX_UPLOAD_MB = 5
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
# Checks per connection: plenty for a person, too few to use the page as a hashing oracle.
RATE_LIMIT = "20/10m"
RATE_LIMIT_WAIT_MINUTES = 10

VERIFIED = "verified"
CHANGED = "changed"
NOT_A_PDF = "not_a_pdf"


class VerifyForm(forms.Form):
    document = forms.FileField(
        label=_("Consent record (PDF)"),
        error_messages={
            "required": _("Choose the consent record PDF to check."),
            "empty": _("That file is empty. Choose the consent record PDF you received."),
            "invalid": _("That upload didn't arrive as a file. Choose the PDF and try again."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].help_text = gettext("The PDF file exactly as you received it, up to %(size)s MB.") % {
            "size": MAX_UPLOAD_MB
        }

    def clean_document(self):
        upload = self.cleaned_data["document"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                gettext(
                    "This file is larger than %(size)s MB, so it isn't a consent record we can check. "
                    "Choose the PDF you downloaded from Proceed or received from the clinic: it is much smaller."
                )
                % {"size": MAX_UPLOAD_MB}
            )
        return upload


@dataclass(frozen=True)
class Verification:
    outcome: str
    document_id: str = ""
    sealed_at: datetime.datetime | None = None
    # What has happened to a genuine consent record since it was sealed (the file itself never changes).
    is_withdrawal: bool = False  # the file is the record of a withdrawal
    withdraws_document_id: str = ""
    withdrawn_at: datetime.datetime | None = None
    withdrawal_document_id: str = ""
    is_clinician_part: bool = False  # the file is a clinician's statement, going with the consent it names
    consent_document_id: str = ""
    replaced_at: datetime.datetime | None = None  # a newer consent, after a re-consent, was signed then
    replaced_by_document_id: str = ""
    is_staff_record: bool = False  # the cover record of a decision recorded by staff (not an e-signature)
    recorded_document_id: str = ""


def verify_pdf(data: bytes) -> Verification:
    """Whether these bytes are a record the clinic sealed and stored, unchanged; and whether it still stands."""
    try:
        seal = read_seal(data)
    except NotAPdf:
        return Verification(NOT_A_PDF)
    if not seal.ok:
        return Verification(CHANGED)
    digest = hashlib.sha256(data).hexdigest()
    withdrawal = WithdrawalDocument.objects.filter(sha256=digest).select_related("request__signature").first()
    if withdrawal is not None:
        return Verification(
            VERIFIED,
            document_id=withdrawal.document_id,
            sealed_at=seal.sealed_at,
            is_withdrawal=True,
            withdraws_document_id=withdrawal.request.signature.document_id,
            withdrawn_at=withdrawal.request.withdrawn_at,
        )
    staff_document = StaffRecordDocument.objects.filter(sha256=digest).select_related("record").first()
    if staff_document is not None:
        return Verification(
            VERIFIED,
            document_id=staff_document.document_id,
            sealed_at=seal.sealed_at,
            is_staff_record=True,
            recorded_document_id=staff_document.record.document_id,
        )
    part = ClinicianDocument.objects.filter(sha256=digest).select_related("patient_record__signature__request").first()
    if part is not None:
        consent_request = part.patient_record.signature.request
        return Verification(
            VERIFIED,
            document_id=part.document_id,
            sealed_at=seal.sealed_at,
            is_clinician_part=True,
            consent_document_id=part.patient_record.signature.document_id,
            withdrawn_at=consent_request.withdrawn_at,
        )
    document = ConsentDocument.objects.filter(sha256=digest).select_related("signature__request").first()
    if document is None:
        return Verification(CHANGED)
    consent_request = document.signature.request
    withdrawal = WithdrawalDocument.objects.filter(request=consent_request).first()
    newer = (
        Signature.objects.filter(request__replaces=consent_request, decision=Decision.CONSENT)
        .order_by("signed_at")
        .first()
    )
    return Verification(
        VERIFIED,
        document_id=document.signature.document_id,
        sealed_at=seal.sealed_at,
        withdrawn_at=consent_request.withdrawn_at,
        withdrawal_document_id=withdrawal.document_id if withdrawal else "",
        replaced_at=newer.signed_at if newer else None,
        replaced_by_document_id=newer.document_id if newer else "",
    )


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    context: dict = {"max_upload_mb": MAX_UPLOAD_MB}
    form = VerifyForm()
    status = 200
    if request.method == "POST":
        if is_ratelimited(
            request,
            group="verify-pdf",
            key="config.client_ip.ratelimit_key",
            rate=RATE_LIMIT,
            method="POST",
            increment=True,
        ):
            context["rate_limited_wait"] = ngettext(
                "%(count)s minute", "%(count)s minutes", RATE_LIMIT_WAIT_MINUTES
            ) % {"count": RATE_LIMIT_WAIT_MINUTES}
            status = 429
        else:
            bound = VerifyForm(request.POST, request.FILES)
            if bound.is_valid():
                upload = bound.cleaned_data["document"]
                try:
                    context["result"] = verify_pdf(upload.read(MAX_UPLOAD_BYTES + 1))
                except SigningNotConfigured:
                    logger.warning("A PDF could not be verified: the clinic's signing certificate is not configured.")
                    context["unavailable"] = True
                    status = 503
            else:
                form = bound
    context["form"] = form
    return render(request, "verify/verify.html", context, status=status)


urlpatterns = [path("", verify, name="verify")]
