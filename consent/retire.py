"""Retiring a procedure, and restoring it: each a content admin's decision, with a reason, audited.

A retired procedure takes no new requests (`services.create_consent_request` refuses it) and can't be
published; a patient opening the link of an open request for it reads only that the information is no
longer available and whom to call (`journey.views.patient_page`). Nothing about the requests
themselves changes, so restoring brings their links back as they were, and finished records are
never touched. The audit events name the procedure, not any patient.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from consent import state
from consent.audit import audit
from consent.models import AuditAction, ConsentRequest
from consent.services import ConsentError
from procedures.models import Procedure

MAX_REASON_LENGTH = 2000


class OpenRequestsNotConfirmed(ConsentError):
    """Retiring would close open links; the content admin must say they understand, for this many patients."""

    def __init__(self, message: str, *, affected: OpenLinks):
        super().__init__(message)
        self.affected = affected


@dataclass(frozen=True)
class OpenLinks:
    """The open requests for a procedure: how many, and for how many patients."""

    requests: int
    patients: int


def open_links(procedure: Procedure) -> OpenLinks:
    """The requests whose patients would see "no longer available" while the procedure is retired."""
    open_requests = ConsentRequest.objects.filter(procedure_version__procedure=procedure, status__in=state.OPEN)
    return OpenLinks(
        requests=open_requests.count(),
        patients=open_requests.order_by().values("patient").distinct().count(),
    )


def _reason(reason: str, action: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ConsentError(f"Say why you are {action} this procedure, for the record.")
    if len(reason) > MAX_REASON_LENGTH:
        raise ConsentError(
            f"Keep the reason under {MAX_REASON_LENGTH:,} characters (it has {len(reason):,}): say it in short."
        )
    return reason


def retire_procedure(
    *, procedure: Procedure, user: AbstractBaseUser, reason: str, confirm_open: bool, ip: str | None = None
) -> Procedure:
    """Retire the procedure: no new requests, and its open links show "no longer available".

    With open requests, only when `confirm_open` says the content admin understood that their
    patients will no longer be able to read it (`OpenRequestsNotConfirmed` otherwise).
    """
    reason = _reason(reason, "retiring")
    with transaction.atomic():
        procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
        if procedure.is_retired:
            raise ConsentError(
                f"{procedure.name} is already retired (since {timezone.localtime(procedure.retired_at):%-d %B %Y}), "
                "so nothing was changed."
            )
        affected = open_links(procedure)
        if affected.requests and not confirm_open:
            raise OpenRequestsNotConfirmed(
                "Tick the box to confirm you understand that patients with open links will no longer be able to "
                "read this procedure's information, then retire it again. Your reason is kept below.",
                affected=affected,
            )
        procedure.retired_at = timezone.now()
        procedure.retired_reason = reason
        procedure.retired_by = user
        procedure._change_reason = "Retired"  # shown in the content history beside the change
        procedure.save(update_fields=["retired_at", "retired_reason", "retired_by", "updated_at"])
        audit(
            consent_request=None,
            action=AuditAction.PROCEDURE_RETIRED,
            message=f"Procedure {procedure.pk} ({procedure.slug}) retired; {affected.requests} open requests "
            "now show that the information is no longer available",
            user=user,
            ip=ip,
            detail={
                "procedure": procedure.pk,
                "slug": procedure.slug,
                "reason": reason,
                "open_requests": affected.requests,
            },
        )
    return procedure


def restore_procedure(*, procedure: Procedure, user: AbstractBaseUser, reason: str, ip: str | None = None) -> Procedure:
    """Restore a retired procedure: new requests again, and its open links work as they did before."""
    reason = _reason(reason, "restoring")
    with transaction.atomic():
        procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
        if not procedure.is_retired:
            raise ConsentError(f"{procedure.name} isn't retired, so there is nothing to restore.")
        affected = open_links(procedure)
        procedure.retired_at = None
        procedure.retired_reason = ""
        procedure.retired_by = None
        procedure._change_reason = "Restored"
        procedure.save(update_fields=["retired_at", "retired_reason", "retired_by", "updated_at"])
        audit(
            consent_request=None,
            action=AuditAction.PROCEDURE_RESTORED,
            message=f"Procedure {procedure.pk} ({procedure.slug}) restored; the links of {affected.requests} open "
            "requests work again",
            user=user,
            ip=ip,
            detail={
                "procedure": procedure.pk,
                "slug": procedure.slug,
                "reason": reason,
                "open_requests": affected.requests,
            },
        )
    return procedure
