"""Retiring a procedure and restoring it: the admin's confirmation pages, the audit, and what patients and
nurses see while it is retired (issue 17, point 4)."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from consent import services
from consent.models import AuditAction, AuditEvent, ConsentRequest, Status
from consent.retire import OpenRequestsNotConfirmed, restore_procedure, retire_procedure
from consent.services import ConsentError
from procedures.models import Procedure
from procedures.services import PublishError, publish_procedure
from tests.conftest import PATIENT_A, PATIENT_B, StaffClient, add_spanish, build_procedure, make_case, sign_case

NO_LONGER_AVAILABLE = "This information is no longer available"


def retire_url(procedure) -> str:
    return f"/admin/procedures/procedure/{procedure.pk}/retire/"


def restore_url(procedure) -> str:
    return f"/admin/procedures/procedure/{procedure.pk}/restore/"


def retire(procedure, user, reason="Replaced by the new leaflet.", confirm_open=True):
    retire_procedure(procedure=procedure, user=user, reason=reason, confirm_open=confirm_open, ip=None)
    procedure.refresh_from_db()  # the service saved its own copy: the test's must not save an old one over it
    return procedure


def events(action):
    return list(AuditEvent.objects.filter(action=action))


@pytest.fixture
def admin_client(client, content_admin):
    client.force_login(content_admin)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# The admin's pages ---------------------------------------------------------------------------


def test_the_change_page_offers_retire_and_a_retired_one_offers_restore_with_a_banner(
    admin_client, published_procedure, content_admin
):
    page = text(admin_client.get(f"/admin/procedures/procedure/{published_procedure.pk}/change/"))
    assert "Retire this procedure…" in page and retire_url(published_procedure) in page
    assert "Restore this procedure…" not in page

    retire(published_procedure, content_admin, reason="Service moved to St Mary's.")
    page = text(admin_client.get(f"/admin/procedures/procedure/{published_procedure.pk}/change/"))

    assert "Restore this procedure…" in page and restore_url(published_procedure) in page
    assert "Retire this procedure…" not in page
    assert "This procedure is retired (since" in page
    assert f"Retired by {content_admin.username}." in page
    assert "Service moved to St Mary&#x27;s." in page


def test_a_get_of_the_retire_page_changes_nothing(admin_client, published_procedure):
    response = admin_client.get(retire_url(published_procedure))

    assert response.status_code == 200
    assert "No patient has an open link for this procedure." in text(response)
    published_procedure.refresh_from_db()
    assert not published_procedure.is_retired
    assert events(AuditAction.PROCEDURE_RETIRED) == []


def test_retiring_with_a_reason_retires_it_and_audits_the_admin(admin_client, published_procedure, content_admin):
    response = admin_client.post(retire_url(published_procedure), {"reason": "No longer offered here."})

    assert response.status_code == 302
    assert response.url == f"/admin/procedures/procedure/{published_procedure.pk}/change/"
    published_procedure.refresh_from_db()
    assert published_procedure.is_retired
    assert published_procedure.retired_by == content_admin
    assert published_procedure.retired_reason == "No longer offered here."
    [event] = events(AuditAction.PROCEDURE_RETIRED)
    assert event.user == content_admin and event.request is None and event.actor == "staff"
    assert event.detail == {
        "procedure": published_procedure.pk,
        "slug": published_procedure.slug,
        "reason": "No longer offered here.",
        "open_requests": 0,
    }
    assert "is retired" in text(admin_client.get(response.url))


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_retiring_without_a_reason_is_refused_plainly(admin_client, published_procedure, reason):
    response = admin_client.post(retire_url(published_procedure), {"reason": reason})

    assert response.status_code == 200
    assert "Say why" in text(response)
    published_procedure.refresh_from_db()
    assert not published_procedure.is_retired
    assert events(AuditAction.PROCEDURE_RETIRED) == []
    with pytest.raises(ConsentError, match="Say why you are retiring"):
        retire(published_procedure, None, reason=reason)


def test_with_open_requests_the_page_counts_the_patients_and_asks_for_a_second_confirmation(
    admin_client, published_procedure
):
    make_case(published_procedure, PATIENT_A)
    make_case(published_procedure, PATIENT_B)
    signed = make_case(published_procedure, {**PATIENT_A, "mrn": "MRN-C-3003", "full_name": "Carla Diaz"})
    sign_case(signed)  # a finished case is not an open link

    page = text(admin_client.get(retire_url(published_procedure)))
    assert "2 patients have open links for this procedure." in page
    assert "I understand that 2 patients with open links will no longer be able to read it" in page

    response = admin_client.post(retire_url(published_procedure), {"reason": "Withdrawn by the trust."})

    assert response.status_code == 200
    page = text(response)
    assert "Tick the box to confirm you understand" in page
    assert "Withdrawn by the trust.</textarea>" in page  # what was typed is kept
    published_procedure.refresh_from_db()
    assert not published_procedure.is_retired
    assert events(AuditAction.PROCEDURE_RETIRED) == []

    response = admin_client.post(
        retire_url(published_procedure), {"reason": "Withdrawn by the trust.", "confirm_open": "on"}
    )

    assert response.status_code == 302
    published_procedure.refresh_from_db()
    assert published_procedure.is_retired
    assert events(AuditAction.PROCEDURE_RETIRED)[0].detail["open_requests"] == 2


def test_the_service_itself_refuses_open_links_unconfirmed_and_says_how_many(published_procedure):
    make_case(published_procedure, PATIENT_A)

    with pytest.raises(OpenRequestsNotConfirmed) as refused:
        retire(published_procedure, None, confirm_open=False)

    assert refused.value.affected.requests == 1 and refused.value.affected.patients == 1
    assert not Procedure.objects.get(pk=published_procedure.pk).is_retired


def test_retiring_an_already_retired_procedure_changes_nothing(admin_client, published_procedure, content_admin):
    retire(published_procedure, content_admin, reason="First reason.")
    retired_at = Procedure.objects.get(pk=published_procedure.pk).retired_at

    page = text(admin_client.get(retire_url(published_procedure)))
    assert "It is already retired, so there is nothing to do here." in page
    response = admin_client.post(retire_url(published_procedure), {"reason": "Second reason."})

    assert response.status_code == 200
    assert "It is already retired" in text(response)
    procedure = Procedure.objects.get(pk=published_procedure.pk)
    assert (procedure.retired_at, procedure.retired_reason) == (retired_at, "First reason.")
    assert len(events(AuditAction.PROCEDURE_RETIRED)) == 1
    with pytest.raises(ConsentError, match="is already retired"):
        retire(published_procedure, content_admin, reason="Again.")


def test_restoring_asks_again_for_a_reason_and_audits_it(admin_client, published_procedure, content_admin):
    retire(published_procedure, content_admin)

    page = text(admin_client.get(restore_url(published_procedure)))
    assert "Why is it restored?" in page and "What restoring does" in page
    assert Procedure.objects.get(pk=published_procedure.pk).is_retired  # the GET changed nothing

    response = admin_client.post(restore_url(published_procedure), {"reason": ""})
    assert response.status_code == 200 and "Say why" in text(response)
    assert Procedure.objects.get(pk=published_procedure.pk).is_retired

    response = admin_client.post(restore_url(published_procedure), {"reason": "Back on the list."})

    assert response.status_code == 302
    procedure = Procedure.objects.get(pk=published_procedure.pk)
    assert not procedure.is_retired and procedure.retired_by is None and procedure.retired_reason == ""
    [event] = events(AuditAction.PROCEDURE_RESTORED)
    assert event.user == content_admin
    assert event.detail["reason"] == "Back on the list." and event.detail["slug"] == procedure.slug


def test_restoring_one_that_is_not_retired_is_refused_plainly(admin_client, published_procedure, content_admin):
    page = text(admin_client.get(restore_url(published_procedure)))
    assert "isn't retired, so there is nothing to restore" in page

    response = admin_client.post(restore_url(published_procedure), {"reason": "Why not."})

    assert response.status_code == 200 and "nothing to restore" in text(response)
    assert events(AuditAction.PROCEDURE_RESTORED) == []
    with pytest.raises(ConsentError, match="isn't retired"):
        restore_procedure(procedure=published_procedure, user=content_admin, reason="Why not.")


@pytest.mark.parametrize("who", ["nurse", "anonymous", "staff_without_content_rights"])
@pytest.mark.parametrize("action", ["retire", "restore"])
def test_no_one_but_a_content_admin_can_retire_or_restore(
    who, action, published_procedure, nurse, content_admin, django_user_model
):
    if action == "restore":
        retire(published_procedure, content_admin)
    before = Procedure.objects.filter(pk=published_procedure.pk).values("retired_at", "retired_reason").get()
    browser = StaffClient()
    if who == "nurse":
        browser.force_login(nurse)
    elif who == "staff_without_content_rights":
        browser.force_login(django_user_model.objects.create_user("clerk", password="x", is_staff=True))
    url = (retire_url if action == "retire" else restore_url)(published_procedure)

    responses = [browser.get(url), browser.post(url, {"reason": "Sneaky.", "confirm_open": "on"})]

    expected = 403 if who == "staff_without_content_rights" else 302
    assert [response.status_code for response in responses] == [expected, expected]
    if expected == 302:
        assert all(response.url.startswith("/admin/login/") for response in responses)
    after = Procedure.objects.filter(pk=published_procedure.pk).values("retired_at", "retired_reason").get()
    assert after == before


# The list of procedures ------------------------------------------------------------------------


def test_the_list_shows_active_procedures_by_default_and_retired_ones_on_request_marked(
    admin_client, published_procedure, content_admin
):
    old = build_procedure(slug="old-procedure", name="Old procedure")
    retire(old, content_admin)
    listing = "/admin/procedures/procedure/"

    default = text(admin_client.get(listing))
    retired = text(admin_client.get(listing + "?retired=retired"))
    everything = text(admin_client.get(listing + "?retired=all"))

    assert "Test procedure" in default and "Old procedure" not in default
    assert "Old procedure" in retired and "Test procedure" not in retired
    assert "Old procedure" in everything and "Test procedure" in everything
    marker = f"Retired {timezone.localdate():%-d %b %Y}"
    assert marker in everything and marker in retired and marker not in default
    # The filter says which choice is in force: Active with no parameter.
    assert re.search(r'<li class="selected">\s*<a href="\?retired=active"', admin_client.get(listing).content.decode())


# New requests ------------------------------------------------------------------------------------


def test_the_new_request_form_does_not_offer_a_retired_procedure(client, nurse, published_procedure, content_admin):
    client.force_login(nurse)
    other = build_procedure(slug="other", name="Other procedure")
    publish_procedure(procedure=other, published_by=None, change_summary="First", is_material=False)
    retire(published_procedure, content_admin)

    page = client.get("/staff/requests/new/").content.decode()

    assert "Other procedure" in page
    assert f'value="{published_procedure.pk}"' not in page


def test_a_new_request_naming_a_retired_procedure_is_refused_and_keeps_the_form(
    client, nurse, published_procedure, content_admin
):
    client.force_login(nurse)
    retire(published_procedure, content_admin)
    day = timezone.localdate() + datetime.timedelta(days=7)

    response = client.post(
        "/staff/requests/new/",
        {
            "mrn": "MRN-7788",
            "full_name": "Grace Okafor",
            "date_of_birth": "1961-09-23",
            "preferred_language": "en",
            "procedure": str(published_procedure.pk),
            "appointment_date": day.isoformat(),
            "appointment_time": "09:30",
            "clinician": "Dr Priya Shah",
        },
    )

    assert response.status_code == 200
    page = text(response)
    assert "Test procedure has been retired, so no new requests can be made for it." in page
    assert 'value="MRN-7788"' in page and 'value="Grace Okafor"' in page and 'value="Dr Priya Shah"' in page
    assert not ConsentRequest.objects.exists()


def test_the_service_and_the_command_refuse_a_retired_procedure(published_procedure, content_admin):
    retire(published_procedure, content_admin)
    patient = services.find_or_create_patient(**PATIENT_A)

    with pytest.raises(ConsentError, match="has been retired, so no new requests can be made"):
        services.create_consent_request(
            patient=patient,
            procedure=published_procedure,
            appointment_at=timezone.now() + datetime.timedelta(days=3),
            clinician="Dr Rivera",
            created_by=None,
        )
    day = timezone.localdate() + datetime.timedelta(days=3)
    with pytest.raises(CommandError, match="has been retired"):
        call_command(
            "create_consent_request",
            *["--mrn", "MRN-9", "--name", "Tomás Silva", "--dob", "1949-02-28"],
            *["--procedure", published_procedure.slug, "--appointment", f"{day} 10:00", "--clinician", "Dr Shah"],
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert not ConsentRequest.objects.exists()


def test_re_consent_for_a_retired_procedure_is_refused_plainly(signed_case, content_admin, nurse):
    procedure = signed_case.request.procedure_version.procedure
    procedure.summary = "A materially different summary."
    procedure.save()
    services.publish_content(procedure=procedure, user=None, change_summary="Changed", is_material=True)
    retire(procedure, content_admin)
    signed_case.refresh()
    assert signed_case.request.needs_reconsent

    with pytest.raises(ConsentError, match="has been retired"):
        services.request_reconsent(consent_request=signed_case.request, user=nurse)
    assert ConsentRequest.objects.count() == 1


def test_the_nurses_procedure_pages_mark_a_retired_procedure(client, nurse, published_procedure, content_admin):
    client.force_login(nurse)
    assert "Retired — no new requests" not in text(client.get("/staff/procedures/"))
    retire(published_procedure, content_admin)

    listing = text(client.get("/staff/procedures/"))
    page = text(client.get(f"/staff/procedures/{published_procedure.slug}/"))

    assert "Test procedure" in listing and "Retired — no new requests" in listing
    assert "Retired — no new requests" in page and "no longer available" in page


# Publishing and the sample content -----------------------------------------------------------------


def test_a_retired_procedure_cant_be_published(admin_client, published_procedure, content_admin):
    retire(published_procedure, content_admin)
    published_procedure.summary = "A new summary."
    published_procedure.save()

    with pytest.raises(PublishError, match="Restore it first"):
        publish_procedure(
            procedure=published_procedure, published_by=content_admin, change_summary="New", is_material=False
        )
    page = admin_client.get(f"/admin/procedures/procedure/{published_procedure.pk}/publish/")
    assert "Restore it first" in text(page)
    response = admin_client.post(
        f"/admin/procedures/procedure/{published_procedure.pk}/publish/",
        {"change_summary": "New", "is_material": "no"},
    )
    assert "Restore it first" in text(response)
    assert published_procedure.versions.count() == 1


def test_loading_the_samples_never_republishes_or_restores_a_retired_sample(db, content_admin):
    from tests.test_sample_update import as_an_earlier_release_shipped_it, load

    load()
    earlier = as_an_earlier_release_shipped_it("lumbar-puncture")
    retire(earlier, content_admin, reason="We don't do these any more.")
    number = earlier.current_version.number

    output = load()

    procedure = Procedure.objects.get(slug="lumbar-puncture")
    assert procedure.is_retired and procedure.retired_reason == "We don't do these any more."
    assert procedure.current_version.number == number
    assert "Lumbar puncture: already present, left as it is" in output


# Patients' links ----------------------------------------------------------------------------------


JOURNEY_PAGES = [
    "",
    "identity/",
    "about/",
    "risks/",
    "preparing/",
    "understanding/",
    "questions/",
    "review/",
    "decide/",
    "sign/consent/",
    "done/",
    "withdraw/",
    "information.pdf",
    "records.pdf",
    "withdrawal.pdf",
]


def test_every_page_of_an_open_link_says_the_information_is_no_longer_available(
    client, published_procedure, content_admin, settings
):
    case = make_case(published_procedure, PATIENT_A)
    verified = Client()  # a browser that passed the identity check before the procedure was retired
    assert verified.post(f"{case.url}identity/", {"day": 14, "month": 3, "year": 1950}).status_code == 302
    retire(published_procedure, content_admin)

    for browser in (client, verified):
        for page in JOURNEY_PAGES:
            response = browser.get(case.url + page)
            assert response.status_code == 410, page
            body = text(response)
            assert NO_LONGER_AVAILABLE in body, page
            assert settings.CLINIC_PHONE in body, page
            assert "Ana" not in body and "Test procedure" not in body, page  # nothing about the case
    response = client.post(f"{case.url}identity/", {"day": 14, "month": 3, "year": 1950})
    assert response.status_code == 410
    assert ConsentRequest.objects.get(pk=case.request.pk).failed_identity_attempts == 0
    assert verified.post(f"{case.url}about/").status_code == 410


def test_the_page_is_in_the_patients_language(client, published_procedure, content_admin):
    add_spanish(published_procedure)
    publish_procedure(procedure=published_procedure, published_by=None, change_summary="ES", is_material=False)
    case = make_case(published_procedure, {**PATIENT_A, "preferred_language": "es"})
    retire(published_procedure, content_admin)

    response = client.get(case.url)

    assert response.status_code == 410
    assert "Esta información ya no está disponible" in text(response)


def test_finished_records_are_untouched_and_restoring_brings_open_links_back(
    client, published_procedure, content_admin
):
    signed = make_case(published_procedure, PATIENT_B)
    sign_case(signed)
    open_case = make_case(published_procedure, PATIENT_A)
    services.verify_identity(consent_request=open_case.request, date_of_birth=PATIENT_A["date_of_birth"], ip=None)
    services.read_about(consent_request=open_case.request, ip=None)
    before = ConsentRequest.objects.filter(pk=open_case.request.pk).values("status", "progress").get()
    retire(published_procedure, content_admin)

    # The signed patient passes their identity check and reaches their record as before.
    response = client.post(f"{signed.url}identity/", {"day": 2, "month": 11, "year": 1962})
    assert response.status_code == 302
    assert client.get(f"{signed.url}done/").status_code == 200
    assert client.get(f"{signed.url}withdraw/").status_code == 200
    assert client.get(f"{signed.url}records.pdf").status_code == 200
    response = client.post(f"{signed.url}withdraw/", {"reason": "Changed my mind."})
    assert response.status_code == 302
    assert ConsentRequest.objects.get(pk=signed.request.pk).status == Status.WITHDRAWN
    # The open request itself was not changed.
    assert ConsentRequest.objects.filter(pk=open_case.request.pk).values("status", "progress").get() == before

    restore_procedure(procedure=published_procedure, user=content_admin, reason="Back.")

    browser = Client()
    assert browser.get(open_case.url).status_code == 200
    response = browser.post(f"{open_case.url}identity/", {"day": 14, "month": 3, "year": 1950})
    assert response.status_code == 302 and response.url.endswith("/risks/")  # where the patient had got to


def test_the_content_preview_still_works_for_a_retired_procedure(admin_client, published_procedure, content_admin):
    retire(published_procedure, content_admin)

    for step in ("", "risks/", "done/"):
        response = admin_client.get(f"/admin/procedures/procedure/{published_procedure.pk}/preview/{step}")
        assert response.status_code == 200, step
