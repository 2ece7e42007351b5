"""Content digests of signed rows, kept in the audit chain so a change made in the database shows.

A signature row can be changed by anyone with raw access to the database (on SQLite there is no
trigger; on PostgreSQL a superuser can switch the triggers off). When the patient signs, `sign()`
records `signature_digest(signature)` in the signing's audit event (under `SIGNATURE_DIGEST_KEY`),
and that event is sealed into the hash chain. `manage.py verify_records` recomputes the digest from
the row as it is now and compares. The sealed PDFs' SHA-256 goes into their own audit events in the
same way (`records.documents`).
"""

from __future__ import annotations

import datetime
import hashlib
import json

from django.utils import timezone

from consent.models import Signature

# The key in the SIGNED (or DECLINED) audit event's detail that holds the signature's digest.
SIGNATURE_DIGEST_KEY = "signature_sha256"
# Which canonical form the digest was made from, kept in the digest's own content: change
# `signature_content` only with a new number, and keep the old form so old digests still verify.
SIGNATURE_DIGEST_FORMAT = 1
# The version of Proceed that began recording digests: signatures made before it have none.
DIGESTS_SINCE = "2026-12-04"
# Every column of the signature row is in the digest but these: the row's own id, and the request
# it belongs to (the audit event names that request itself, and `verify_records` checks they agree).
NOT_IN_DIGEST = frozenset({"id", "request"})


def signature_content(signature: Signature) -> dict:
    """The signature as its digest covers it: every fact a record depends on, as the database returns it.

    Values are normalised the way the database gives them back (a time in UTC to the microsecond, an
    IP address as Django stores it), so the digest made before the insert matches the one made from
    the row read back. The procedure version is named by its id and by its content's fingerprint.
    """
    signed_at = signature.signed_at
    if timezone.is_naive(signed_at):  # as DateTimeField does on save, with a warning
        signed_at = timezone.make_aware(signed_at, timezone.get_default_timezone())
    return {
        "format": SIGNATURE_DIGEST_FORMAT,
        "document_id": signature.document_id,
        "decision": signature.decision,
        "typed_name": signature.typed_name,
        "drawn_signature": signature.drawn_signature,
        "signer": signature.signer,
        "representative_name": signature.representative_name,
        "representative_relationship": signature.representative_relationship,
        "interpreter_name": signature.interpreter_name,
        "interpreter_language": signature.interpreter_language,
        "statement": signature.statement,
        "procedure_version": signature.procedure_version_id,
        "procedure_version_fingerprint": signature.procedure_version.fingerprint,
        "language": signature.language,
        "signed_at": signed_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "ip_address": Signature._meta.get_field("ip_address").get_prep_value(signature.ip_address) or None,
        "user_agent": signature.user_agent,
    }


def signature_digest(signature: Signature) -> str:
    """SHA-256 (hex) of the canonical JSON of `signature_content`: what the signing's audit event records."""
    canonical = json.dumps(signature_content(signature), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()
