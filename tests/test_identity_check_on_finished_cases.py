"""Wrong dates of birth never change a decision that is recorded, and a reissued link never reopens it."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from consent import services
from consent.management.commands.verify_audit_chain import check_chain
from consent.models import AuditEvent, ConsentRequest, Signature, Status
from tests.conftest import complete_journey, sign_case

WRONG = datetime.date(1901, 1, 1)
OPEN = [Status.CREATED, Status.INVITED, Status.OPENED, Status.IN_PROGRESS, Status.NEEDS_DISCUSSION]
FINISHED = [Status.SIGNED, Status.DECLINED, Status.WITHDRAWN, Status.CONFIRMED]
DEAD = [Status.EXPIRED, Status.CANCELLED, Status.LOCKED]


def put_in(case, status: str) -> None:
    """The case in `status`, reached through the services wherever they can reach it."""
    request = case.request
    if status == Status.INVITED:
        services.mark_invited(consent_request=request, how="handed over")
    elif status == Status.OPENED:
        assert services.verify_identity(
            consent_request=request, date_of_birth=request.patient.date_of_birth, ip=None
        ).ok
    elif status == Status.IN_PROGRESS:
        services.verify_identity(consent_request=request, date_of_birth=request.patient.date_of_birth, ip=None)
        services.read_about(consent_request=request, ip=None)
    elif status == Status.NEEDS_DISCUSSION:
        complete_journey(case)
        services.need_to_talk(consent_request=request, ip=None)
    elif status in (Status.SIGNED, Status.WITHDRAWN, Status.CONFIRMED):
        sign_case(case)
        if status == Status.WITHDRAWN:
            services.withdraw_consent(consent_request=request, reason="Changed my mind", ip=None)
        if status == Status.CONFIRMED:  # the nurse's steps are tested elsewhere; only the end state matters here
            ConsentRequest.objects.filter(pk=request.pk).update(status=status, confirmed_at=timezone.now())
    elif status == Status.DECLINED:
        sign_case(case, decision="decline")
    elif status == Status.CANCELLED:
        services.cancel_request(consent_request=request, user=None)
    elif status == Status.EXPIRED:
        ConsentRequest.objects.filter(pk=request.pk).update(status=status)
    elif status == Status.LOCKED:
        for _ in range(services.MAX_IDENTITY_ATTEMPTS):
            services.verify_identity(consent_request=request, date_of_birth=WRONG, ip=None)
    case.refresh()
    assert case.request.status == status


@pytest.mark.parametrize("status", [*OPEN, *FINISHED, *DEAD])
def test_five_wrong_dates_then_a_reissue_never_change_a_recorded_decision(case_a, status):
    put_in(case_a, status)
    signature = Signature.objects.filter(request=case_a.request).first()

    for _ in range(services.MAX_IDENTITY_ATTEMPTS):
        services.verify_identity(consent_request=case_a.request, date_of_birth=WRONG, ip=None)
    case_a.refresh()
    after_wrong_dates = case_a.request.status
    assert not case_a.request.link_is_usable, "the link refuses"
    assert Client().get(case_a.url).status_code == 404

    if status == Status.CANCELLED:
        with pytest.raises(services.ConsentError):
            services.reissue_link(consent_request=case_a.request, user=None)
        return
    token = services.reissue_link(consent_request=case_a.request, user=None)
    case_a.refresh()

    if status in FINISHED:
        assert after_wrong_dates == status and case_a.request.status == status
        assert Signature.objects.get(request=case_a.request) == signature
        # The new link opens the record, not the journey.
        client = Client()
        url = f"/c/{token}/"
        dob = case_a.request.patient.date_of_birth
        response = client.post(f"{url}identity/", {"day": dob.day, "month": dob.month, "year": dob.year})
        assert response["Location"].endswith("/done/")
        assert client.get(f"{url}review/")["Location"].endswith("/done/")
    else:
        assert after_wrong_dates == (Status.EXPIRED if status == Status.EXPIRED else Status.LOCKED)
        assert signature is None and case_a.request.status == Status.INVITED
    assert case_a.request.failed_identity_attempts == 0 and case_a.request.link_is_usable


def test_a_finished_case_that_refuses_is_audited_without_a_status_change(signed_case):
    for _ in range(services.MAX_IDENTITY_ATTEMPTS):
        services.verify_identity(consent_request=signed_case.request, date_of_birth=WRONG, ip=None)
    actions = list(signed_case.request.audit_events.values_list("action", flat=True))
    assert actions.count("identity_failed") == 5 and "link_refused" in actions and "locked" not in actions


def test_a_correct_date_clears_the_wrong_ones(case_a):
    request = case_a.request
    for _ in range(4):
        services.verify_identity(consent_request=request, date_of_birth=WRONG, ip=None)
    assert services.verify_identity(consent_request=request, date_of_birth=request.patient.date_of_birth, ip=None).ok
    case_a.refresh()
    assert case_a.request.failed_identity_attempts == 0
    for _ in range(4):
        services.verify_identity(consent_request=request, date_of_birth=WRONG, ip=None)
    case_a.refresh()
    assert case_a.request.status == Status.OPENED and case_a.request.link_is_usable
    assert "count of 4 wrong dates of birth was cleared" in " ".join(
        case_a.request.audit_events.values_list("message", flat=True)
    )


@pytest.mark.parametrize(
    ("corrupted", "decision", "restored"), [("locked", "consent", "signed"), ("invited", "decline", "declined")]
)
def test_the_migration_gives_back_the_status_the_signature_says_and_keeps_the_chain(
    case_a, corrupted, decision, restored
):
    sign_case(case_a, decision=decision)
    ConsentRequest.objects.filter(pk=case_a.request.pk).update(status=corrupted)  # as the old bug left it
    migration = importlib.import_module("consent.migrations.0009_restore_finished_statuses")

    migration.restore(apps, None)

    case_a.refresh()
    assert case_a.request.status == restored
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event.action == "status_restored" and event.detail == {"from": corrupted, "to": restored}
    assert check_chain(AuditEvent.objects.order_by("sequence")).broken is None
    migration.restore(apps, None)
    assert AuditEvent.objects.filter(action="status_restored").count() == 1, "running it again changes nothing"
