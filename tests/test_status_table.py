"""The status table (consent.state) against the services that follow it.

Every transition is tried from every status through its own service: where the table allows it,
it happens, leads where the table says and writes its audit event; everywhere else a guarded one is
refused with the domain's error and an automatic one changes nothing. Either way, a status the
table doesn't lead to is never reached.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from consent import services, staff_record, state
from consent.models import AuditEvent, ConsentRequest
from consent.state import Status, Transition
from tests.conftest import PASSWORD, PATIENT_A, complete_journey, make_case

# What each transition's service writes in the audit trail when it happens.
AUDIT_ACTION = {
    Transition.INVITE: "invited",
    Transition.OPEN: "identity_verified",
    Transition.START: "step_completed",
    Transition.ASK_TO_TALK: "needs_discussion",
    Transition.SIGN: "signed",
    Transition.DECLINE: "declined",
    Transition.WITHDRAW: "withdrawn",
    Transition.CONFIRM: "confirmed",
    Transition.LOCK: "locked",
    Transition.EXPIRE: "expired",
    Transition.UNLOCK: "details_corrected",
    Transition.REISSUE: "link_reissued",
    Transition.CANCEL: "cancelled",
    Transition.MOVE_TO_VERSION: "moved_to_new_version",
    Transition.RECORD_CONSENT_BY_STAFF: "staff_recorded_consent",
    Transition.RECORD_REFUSAL_BY_STAFF: "staff_recorded_refusal",
}


def ready_to_sign(case, nurse):
    complete_journey(case)
    services.confirm_review(consent_request=case.request, ip=None)


def signed_off_today(case, nurse):
    """A consented case on the day of its appointment, with its checklist signed off."""
    ConsentRequest.objects.filter(pk=case.request.pk).update(
        appointment_at=timezone.now() + datetime.timedelta(hours=1)
    )
    request = ConsentRequest.objects.get(pk=case.request.pk)
    for key in services.checklist_items(request):
        services.record_checklist_entry(
            consent_request=request, item_key=key, state="done", user=nurse, override_reason="ok"
        )
    services.sign_off_checklist(consent_request=request, user=nurse, password=PASSWORD)


def sign(decision):
    def run(request, nurse):
        return services.sign(
            consent_request=request, decision=decision, typed_name=request.patient.full_name, signer="patient", ip=None
        )

    return run


def confirm(request, nurse):
    keys = [matter.key for matter in services.open_matters(request)]
    return services.confirm_on_the_day(consent_request=request, user=nurse, acknowledged=keys)


def lock(request, nurse):
    for _ in range(5):
        services.verify_identity(consent_request=request, date_of_birth=datetime.date(1900, 1, 1), ip=None)


def expire(request, nurse):
    ConsentRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    services.expire_if_due(ConsentRequest.objects.get(pk=request.pk))


def unlock(request, nurse):
    patient = request.patient
    fields = {name: getattr(patient, name) for name in services.PATIENT_CORRECTABLE}
    services.correct_details(
        consent_request=request,
        patient_fields=fields | {"date_of_birth": datetime.date(1950, 3, 15)},
        appointment_at=request.appointment_at,
        clinician=request.clinician,
        reason="Wrong day on the referral",
        user=nurse,
    )


def record_by_staff(decision):
    def run(request, nurse):
        return staff_record.record_consent_by_staff(
            consent_request=request,
            user=nurse,
            decision=decision,
            method="in_person_device",
            obtained_by_name="Dr Rivera",
            obtained_at=timezone.now(),
            ip=None,
        )

    return run


def move_to_version(request, nurse):
    procedure = request.procedure_version.procedure
    procedure.risks.update(frequency_n=1, frequency_m=50)
    services.publish_content(procedure=procedure, user=nurse, change_summary="Headache figure", is_material=True)


# Each transition's service, and what the case needs first (besides its status) for it to go ahead.
SERVICES = {
    Transition.INVITE: (None, lambda r, n: services.mark_invited(consent_request=r, how="handed over", user=n)),
    Transition.OPEN: (
        None,
        lambda r, n: services.verify_identity(consent_request=r, date_of_birth=r.patient.date_of_birth, ip=None),
    ),
    Transition.START: (None, lambda r, n: services.read_about(consent_request=r, ip=None)),
    Transition.ASK_TO_TALK: (None, lambda r, n: services.need_to_talk(consent_request=r, ip=None)),
    Transition.SIGN: (ready_to_sign, sign("consent")),
    Transition.DECLINE: (ready_to_sign, sign("decline")),
    Transition.WITHDRAW: (None, lambda r, n: services.withdraw_consent(consent_request=r, reason="", ip=None)),
    Transition.CONFIRM: (signed_off_today, confirm),
    Transition.LOCK: (None, lock),
    Transition.EXPIRE: (None, expire),
    Transition.UNLOCK: (None, unlock),
    Transition.REISSUE: (None, lambda r, n: services.reissue_link(consent_request=r, user=n)),
    Transition.CANCEL: (
        None,
        lambda r, n: services.cancel_request(consent_request=r, user=n, reason="Moved to another clinic"),
    ),
    Transition.MOVE_TO_VERSION: (None, move_to_version),
    Transition.RECORD_CONSENT_BY_STAFF: (None, record_by_staff("consent")),
    Transition.RECORD_REFUSAL_BY_STAFF: (None, record_by_staff("decline")),
}


def test_every_transition_has_a_service_and_an_audit_event():
    assert set(SERVICES) == set(Transition) == set(AUDIT_ACTION) == set(state.TABLE)


@pytest.mark.parametrize("status", list(Status), ids=str)
@pytest.mark.parametrize("transition", list(Transition), ids=str)
def test_each_transition_from_each_status_follows_the_table(transition, status, published_procedure, nurse):
    case = make_case(published_procedure, PATIENT_A)
    prepare, run = SERVICES[transition]
    if prepare:
        prepare(case, nurse)
    ConsentRequest.objects.filter(pk=case.request.pk).update(status=status)
    request = ConsentRequest.objects.get(pk=case.request.pk)
    version_before = request.procedure_version_id
    events_before = set(AuditEvent.objects.filter(request=request).values_list("pk", flat=True))
    rule = state.TABLE[transition]

    refused = None
    try:
        run(request, nurse)
    except services.ConsentError as error:
        refused = error
    request.refresh_from_db()
    new_actions = set(
        AuditEvent.objects.filter(request=request).exclude(pk__in=events_before).values_list("action", flat=True)
    )

    if state.allows(transition, status):
        assert refused is None, f"{transition} from {status} is allowed but was refused: {refused}"
        assert request.status == state.next_status(transition, status)
        if transition == Transition.MOVE_TO_VERSION:
            assert request.procedure_version_id != version_before, "moved onto the new version"
        else:
            assert AUDIT_ACTION[transition] in new_actions, new_actions
    elif state.already_done(transition, status):
        assert refused is None and request.status == status
    else:
        assert request.status == status, f"{transition} from {status} changed it to {request.status}"
        if transition == Transition.MOVE_TO_VERSION:
            assert request.procedure_version_id == version_before
        elif not rule.automatic:
            assert refused is not None, f"{transition} from {status} should be refused"
            assert AUDIT_ACTION[transition] not in new_actions


def test_the_table_reaches_every_status_and_only_through_its_edges():
    reached = {to for _, _, to in state.edges()}
    assert reached == set(Status) - {Status.CREATED}, "every status but the first is reached by a transition"
    assert (Status.SIGNED, Transition.WITHDRAW, Status.WITHDRAWN) in state.edges()
    assert not any(origin in state.FINISHED for origin, _, to in state.edges() if to not in state.FINISHED)
