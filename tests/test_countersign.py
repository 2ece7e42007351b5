"""The clinician's statement and countersignature (issue 17, point 1).

A clinician countersigns a consent the patient e-signed, with the statement of the health professional,
after entering their password again. The patient's sealed record never changes: the countersignature
gets a sealed PDF of its own (the clinician's part) that names and hashes it.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import io
import re

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from accounts.access import is_clinician, uses_staff_workspace
from accounts.models import StaffProfile
from consent import countersign as countersigning
from consent import services
from consent.models import AuditEvent, ClinicianDocument, ConsentDocument, Countersignature, Status
from procedures.roles import CLINICIANS
from records import documents
from records.integrity import RecordCheck
from records.seal import read_seal
from tests.conftest import PASSWORD, complete_journey, make_user


@pytest.fixture
def clinician(django_user_model):
    user = make_user(django_user_model, "cleo.clinician", group=CLINICIANS)
    user.first_name, user.last_name = "Cleo", "Clinician"
    user.save()
    StaffProfile.objects.create(user=user, job_title="Consultant in pain medicine", registration="GMC 7654321")
    return user


def flag_the_risk_and_sign(case):
    """The journey with the one risk flagged to talk about and one question asked, then consent signed."""
    complete_journey(case)
    request = case.request
    risk = request.content["risks"][0]
    services.save_risk_answers(consent_request=request, acknowledged={risk["key"]}, to_discuss={risk["key"]}, ip=None)
    services.confirm_review(consent_request=request, ip=None)
    services.sign(
        consent_request=request, decision="consent", typed_name=request.patient.full_name, signer="patient", ip=None
    )
    return case.refresh()


@pytest.fixture
def consented(case_a):
    flag_the_risk_and_sign(case_a)
    return case_a


def url(name, case):
    return reverse(f"staff:{name}", args=[case.request.public_id])


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def keys(case) -> tuple[str, str]:
    """The form fields for how the flagged risk and the question were addressed."""
    risk = case.request.content["risks"][0]
    question = case.request.questions.get()
    return f"how-risk-{risk['key']}", f"how-question-{question.pk}"


def statement_post(case, **changes) -> dict:
    risk_field, question_field = keys(case)
    data = {
        "benefits": "You get an answer.",
        "extra_procedures": "None expected",
        risk_field: "Explained that the headache usually passes with rest and fluids.",
        question_field: "No driving for 24 hours; someone will collect you.",
        "job_title": "Consultant in pain medicine",
        "registration": "GMC 7654321",
        "password": PASSWORD,
    }
    data.update(changes)
    return data


def countersign_directly(case, user, **changes):
    if "addressed" not in changes:
        risk, question = case.request.content["risks"][0], case.request.questions.get()
        changes["addressed"] = {f"risk:{risk['key']}": "Talked it through.", f"question:{question.pk}": "No driving."}
    arguments = {
        "consent_request": case.request,
        "user": user,
        "password": PASSWORD,
        "job_title": "Consultant in pain medicine",
        "registration": "GMC 7654321",
        "benefits": "You get an answer.",
        "extra_procedures": "None expected",
        "ip": "198.51.100.7",
    }
    arguments.update(changes)
    return countersigning.countersign(**arguments)


def read(document) -> bytes:
    with document.file.open("rb") as file:
        return file.read()


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


# The role --------------------------------------------------------------------------------------


def test_the_clinicians_group_is_made_by_a_migration_and_reads_content_like_nurses(db):
    clinicians = Group.objects.get(name=CLINICIANS)
    perms = set(clinicians.permissions.values_list("codename", flat=True))

    assert "view_procedure" in perms and all(codename.startswith("view_") for codename in perms)


def test_clinicians_and_superusers_countersign_and_use_the_workspace_nurses_only_the_workspace(
    nurse, clinician, superuser, content_admin
):
    assert [is_clinician(user) for user in (nurse, clinician, superuser, content_admin)] == [False, True, True, False]
    assert [uses_staff_workspace(user) for user in (nurse, clinician, superuser, content_admin)] == [
        True,
        True,
        True,
        False,
    ]
    clinician.is_active = False
    assert not is_clinician(clinician) and not uses_staff_workspace(clinician)


def test_a_clinician_opens_the_dashboard_and_the_case(client, clinician, consented):
    client.force_login(clinician)

    assert client.get(reverse("staff:index")).status_code == 200
    assert client.get(url("case", consented)).status_code == 200


def test_a_nurse_who_is_not_a_clinician_gets_the_plain_403_page_and_cannot_post(client, nurse, consented):
    client.force_login(nurse)

    page = client.get(url("countersign", consented))
    posted = client.post(url("countersign", consented), statement_post(consented))

    assert page.status_code == posted.status_code == 403
    assert "staff/forbidden.html" in [template.name for template in page.templates]
    assert "This page is for clinicians" in text_of(page) and "Clinicians group" in text_of(page)
    assert not Countersignature.objects.exists()


def test_the_case_page_tells_a_nurse_it_awaits_the_clinician_and_offers_a_clinician_the_button(
    client, nurse, clinician, consented
):
    client.force_login(nurse)
    for_nurse = text_of(client.get(url("case", consented)))
    client.force_login(clinician)
    for_clinician = client.get(url("case", consented)).content.decode()

    assert "Awaiting the clinician's countersignature" in for_nurse
    assert url("countersign", consented) not in for_nurse
    assert f'href="{url("countersign", consented)}"' in for_clinician


# The statement -----------------------------------------------------------------------------------


def test_the_statement_is_filled_in_from_the_signed_version_the_record_and_the_profile(client, clinician, consented):
    question = consented.request.questions.get()
    services.answer_patient_question(question=question, reply_note="Phoned: no driving for a day.", user=clinician)
    client.force_login(clinician)

    response = client.get(url("countersign", consented))

    form = response.context["form"]
    risk_field, question_field = keys(consented)
    page = text_of(response)
    assert "Test procedure" in page and "information version 1" in page
    assert form["benefits"].value() == "You get an answer."
    assert "Headache · Common: about 1 in 20 people · minor" in page, "the material risk, as the patient saw it"
    assert form["extra_procedures"].value() in (None, ""), "empty: the clinician writes it"
    assert "The patient wanted to talk about the risk “Headache”. How was it addressed?" in page
    assert "The patient asked: “Can I drive afterwards?” How was it addressed?" in page
    assert form[risk_field].value() in (None, "")
    assert form[question_field].value() == "Phoned: no driving for a day.", "the nurse's note, to check"
    assert form["job_title"].value() == "Consultant in pain medicine" and form["registration"].value() == "GMC 7654321"
    assert countersigning.MEANING in page and "Signing as Cleo Clinician" in page


def test_countersigning_records_the_statement_one_audit_event_and_the_clinicians_details(
    client, clinician, consented, django_capture_on_commit_callbacks
):
    client.force_login(clinician)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("countersign", consented),
            statement_post(consented, job_title="Consultant anaesthetist", registration="GMC 1234567"),
        )

    assert response.status_code == 302 and response["Location"] == url("case", consented)
    countersignature = Countersignature.objects.get(request=consented.request)
    assert (countersignature.clinician, countersignature.clinician_name) == (clinician, "Cleo Clinician")
    assert (countersignature.job_title, countersignature.registration) == ("Consultant anaesthetist", "GMC 1234567")
    parts = countersignature.parts
    assert parts["risks"] == [{"title": "Headache", "frequency": "Common: about 1 in 20 people", "severity": "Minor"}]
    assert [(m["kind"], m["text"]) for m in parts["addressed"]] == [
        ("risk", "Headache"),
        ("question", "Can I drive afterwards?"),
    ]
    assert parts["extra_procedures"] == "None expected" and parts["meaning"] == countersigning.MEANING
    statement = countersignature.statement
    assert "Intended benefits: You get an answer." in statement
    assert "- Headache: Explained that the headache usually passes with rest and fluids." in statement
    assert countersigning.MEANING in statement and "Signed by Cleo Clinician, Consultant anaesthetist" in statement
    events = AuditEvent.objects.filter(action="countersigned")
    assert events.count() == 1 and events.get().user == clinician
    assert events.get().detail["document_id"] == countersignature.document_id
    profile = StaffProfile.objects.get(user=clinician)
    assert (profile.job_title, profile.registration) == ("Consultant anaesthetist", "GMC 1234567"), "saved back"
    case_page = text_of(client.get(url("case", consented)))
    assert "Countersigned By Cleo Clinician, Consultant anaesthetist (GMC 1234567)" in case_page
    assert "Download the clinician's part" in case_page


def test_the_patients_record_stays_byte_identical_and_the_clinicians_part_names_and_hashes_it(
    client, clinician, nurse, consented, django_capture_on_commit_callbacks
):
    patient_record = documents.store_consent_document(consented.request.signature)
    before_bytes, before_sha256 = read(patient_record), patient_record.sha256
    client.force_login(clinician)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("countersign", consented), statement_post(consented))

    after = ConsentDocument.objects.get(pk=patient_record.pk)
    assert read(after) == before_bytes and after.sha256 == before_sha256 == hashlib.sha256(before_bytes).hexdigest()
    part = ClinicianDocument.objects.get(countersignature__request=consented.request)
    data = read(part)
    assert part.patient_record == after and part.sha256 == hashlib.sha256(data).hexdigest()
    assert read_seal(data).ok, "sealed by the clinic like the patient's record"
    text = pdf_text(data)
    assert "Statement of health professional" in text and part.document_id in text
    assert consented.request.signature.document_id in text and before_sha256 in text.replace(" ", "")
    assert "Cleo Clinician" in text and "GMC 7654321" in text and "None expected" in text
    assert AuditEvent.objects.filter(action="clinician_document_rendered").count() == 1
    client.force_login(nurse)
    download = client.get(url("clinician_pdf", consented))
    assert download.status_code == 200 and b"".join(download.streaming_content) == data
    assert "Ana" not in download["Content-Disposition"]


def test_the_clinicians_part_waits_for_the_patients_record_and_renders_it_first(clinician, consented):
    assert not ConsentDocument.objects.exists()
    countersignature = countersign_directly(consented, clinician)

    part = documents.store_clinician_document(countersignature)

    assert part.patient_record == ConsentDocument.objects.get(signature=consented.request.signature)


def test_verify_records_checks_the_clinicians_part(clinician, consented):
    part = documents.store_clinician_document(countersign_directly(consented, clinician))
    check = RecordCheck()
    assert list(check.findings()) == [] and check.clinician_records == 1

    with part.file.storage.open(part.file.name, "wb") as file:
        file.write(b"%PDF-1.7 not the sealed one")

    findings = [str(finding) for finding in RecordCheck().findings()]
    assert findings and findings[0].startswith(f"clinician's part {part.document_id}")


def test_verify_says_the_clinicians_part_is_genuine_and_names_the_consent_it_goes_with(clinician, consented):
    part = documents.store_clinician_document(countersign_directly(consented, clinician))

    response = Client().post("/verify/", {"document": SimpleUploadedFile("part.pdf", read(part))})

    page = text_of(response)
    assert "Genuine and unchanged" in page
    assert f"record of a clinician's statement: document {part.document_id}" in page
    assert f"It goes with the consent in document {consented.request.signature.document_id}" in page


# Bad input ---------------------------------------------------------------------------------------


def _declined(case):
    complete_journey(case)
    services.sign(
        consent_request=case.request,
        decision="decline",
        typed_name=case.request.patient.full_name,
        signer="patient",
        ip=None,
    )


def _withdrawn(case):
    flag_the_risk_and_sign(case)
    services.withdraw_consent(consent_request=case.refresh(), reason="Changed my mind", ip=None)


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (lambda case: None, "created"),
        (complete_journey, "in_progress"),
        (_declined, "declined"),
        (_withdrawn, "withdrawn"),
    ],
)
def test_a_request_that_is_not_consented_cannot_be_countersigned(client, clinician, case_a, make, status):
    make(case_a)
    assert case_a.refresh().status == status
    client.force_login(clinician)

    page = client.get(url("countersign", case_a))
    posted = client.post(url("countersign", case_a), {"password": PASSWORD, "extra_procedures": "None"})
    with pytest.raises(countersigning.ConsentError, match=r"can be countersigned|did not e-sign"):
        countersign_directly(case_a, clinician, addressed={})

    assert page.status_code == posted.status_code == 200
    assert "This request can't be countersigned." in text_of(page) and 'name="password"' not in text_of(page)
    assert "This request can't be countersigned." in text_of(posted)
    assert not Countersignature.objects.exists()
    assert not AuditEvent.objects.filter(action="countersigned").exists()
    assert "Awaiting the clinician" not in text_of(client.get(url("case", case_a)))


def test_countersigning_twice_records_one_and_says_who_signed(client, clinician, superuser, consented):
    first = countersign_directly(consented, clinician)

    with pytest.raises(countersigning.AlreadyCountersigned) as again:
        countersign_directly(consented, superuser)
    client.force_login(superuser)
    page = text_of(client.get(url("countersign", consented)))
    response = client.post(url("countersign", consented), statement_post(consented), follow=True)

    assert again.value.countersignature == first
    assert "countersigned by Cleo Clinician (Consultant in pain medicine)" in page and "password" not in page
    assert response.redirect_chain == [(url("case", consented), 302)]
    assert "This consent was already countersigned by Cleo Clinician on" in text_of(response)
    assert Countersignature.objects.count() == 1 and AuditEvent.objects.filter(action="countersigned").count() == 1


def test_a_double_submit_of_the_same_form_records_one_countersignature(client, clinician, consented):
    client.force_login(clinician)
    data = statement_post(consented)

    first = client.post(url("countersign", consented), data)
    second = client.post(url("countersign", consented), data, follow=True)

    assert first.status_code == 302
    assert second.redirect_chain == [(url("case", consented), 302)]
    assert "already countersigned by Cleo Clinician" in text_of(second)
    assert Countersignature.objects.count() == 1 and AuditEvent.objects.filter(action="countersigned").count() == 1


def test_a_wrong_password_is_refused_audited_and_keeps_everything_typed_but_the_password(client, clinician, consented):
    client.force_login(clinician)
    risk_field, question_field = keys(consented)

    response = client.post(
        url("countersign", consented),
        statement_post(consented, password="not my password", extra_procedures="Conversion to open surgery"),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "That password isn't right. Enter the password you sign in with." in text_of(response)
    assert 'id="error-summary"' in page
    assert "Conversion to open surgery" in page
    assert "Explained that the headache usually passes with rest and fluids." in page
    assert "No driving for 24 hours; someone will collect you." in page
    assert "not my password" not in page
    assert not Countersignature.objects.exists()
    refused = AuditEvent.objects.get(action="countersign_refused")
    assert refused.user == clinician and "wrong password" in refused.message
    assert risk_field in page and question_field in page


def test_every_flagged_risk_and_question_needs_how_it_was_addressed(client, clinician, consented):
    client.force_login(clinician)
    risk_field, _question_field = keys(consented)

    response = client.post(url("countersign", consented), statement_post(consented, **{risk_field: " "}))
    with pytest.raises(countersigning.StatementIncomplete) as refused:
        countersign_directly(consented, clinician, addressed={}, extra_procedures="")

    assert response.status_code == 200
    assert "Say how this was addressed with the patient." in text_of(response)
    assert "No driving for 24 hours; someone will collect you." in response.content.decode()
    assert set(refused.value.missing) == {
        "extra_procedures",
        f"risk:{consented.request.content['risks'][0]['key']}",
        f"question:{consented.request.questions.get().pk}",
    }
    assert not Countersignature.objects.exists()


# The dashboard and the day-of confirmation ------------------------------------------------------


def test_the_dashboard_flags_awaiting_clinician_until_countersigned(client, nurse, clinician, consented, case_b):
    client.force_login(nurse)
    flagged = client.get(reverse("staff:index"), {"flag": "awaiting_clinician"})
    assert [row.public_id for row in flagged.context["rows"]] == [consented.request.public_id]
    assert "Awaiting clinician" in text_of(flagged)

    countersign_directly(consented, clinician)

    after = client.get(reverse("staff:index"), {"flag": "awaiting_clinician"})
    assert list(after.context["rows"]) == []
    assert "Awaiting clinician" not in text_of(client.get(reverse("staff:index"), {"clear": 1}))


def signed_off(case, nurse):
    for key in services.checklist_items(case.request):
        services.record_checklist_entry(
            consent_request=case.request, item_key=key, state="done", user=nurse, override_reason="ok"
        )
    services.sign_off_checklist(consent_request=case.request, user=nurse, password=PASSWORD)
    return case.refresh()


def acknowledged(case) -> list[str]:
    return [matter.key for matter in services.open_matters(case.refresh())]


def test_when_the_clinic_requires_it_the_day_of_confirmation_waits_for_the_countersignature(
    client, nurse, clinician, consented, settings
):
    settings.PROCEED_REQUIRE_COUNTERSIGNATURE = True
    signed_off(consented, nurse)

    with time_machine.travel(consented.request.appointment_at - datetime.timedelta(hours=1), tick=False):
        client.force_login(nurse)
        assert not consented.refresh().can_confirm
        page = text_of(client.get(url("confirm", consented)))
        case_page = text_of(client.get(url("case", consented)))
        with pytest.raises(services.ConsentError, match="Awaiting the clinician's countersignature"):
            services.confirm_on_the_day(
                consent_request=consented.request, user=nurse, acknowledged=acknowledged(consented)
            )
        countersign_directly(consented, clinician)
        assert consented.refresh().can_confirm
        services.confirm_on_the_day(consent_request=consented.request, user=nurse, acknowledged=acknowledged(consented))

    assert "Awaiting the clinician's countersignature." in page and "Yes, confirm consent for today" not in page
    assert "Awaiting the clinician's countersignature: consent can't be confirmed on the day" in case_page
    assert consented.refresh().status == Status.CONFIRMED


def test_by_default_the_day_of_confirmation_does_not_wait_for_the_countersignature(nurse, consented, settings):
    assert settings.PROCEED_REQUIRE_COUNTERSIGNATURE is False
    signed_off(consented, nurse)

    with time_machine.travel(consented.request.appointment_at - datetime.timedelta(hours=1), tick=False):
        assert consented.refresh().can_confirm
        services.confirm_on_the_day(consent_request=consented.request, user=nurse, acknowledged=acknowledged(consented))

    assert consented.refresh().status == Status.CONFIRMED
    assert consented.request.awaiting_countersignature, "a confirmed consent can still be countersigned"


# The profile and the demo ------------------------------------------------------------------------


def test_staff_keep_their_job_title_and_registration_on_their_account_page(client, nurse):
    client.force_login(nurse)

    empty = client.get(reverse("profile"))
    saved = client.post(reverse("profile"), {"job_title": "Staff nurse", "registration": "NMC 12A3456B"}, follow=True)

    assert empty.status_code == 200 and empty.context["form"]["job_title"].value() in (None, "")
    assert "Your details are saved." in text_of(saved)
    profile = StaffProfile.objects.get(user=nurse)
    assert (profile.job_title, profile.registration) == ("Staff nurse", "NMC 12A3456B")


def test_an_over_long_job_title_is_refused_and_kept(client, nurse):
    client.force_login(nurse)

    response = client.post(reverse("profile"), {"job_title": "x" * 201, "registration": "NMC 1"})

    assert response.status_code == 200 and 'id="error-summary"' in response.content.decode()
    assert "x" * 201 in response.content.decode()
    assert not StaffProfile.objects.exists()


def test_the_demo_has_a_clinician_with_a_job_title_and_registration(db, settings):
    settings.DEBUG = True

    call_command("setup_demo", stdout=io.StringIO())

    clinician = User.objects.get(username="clinician")
    assert is_clinician(clinician) and not clinician.is_staff
    assert clinician.check_password("proceed-demo") and clinician.get_full_name() == "Priya Shah"
    profile = StaffProfile.objects.get(user=clinician)
    assert (profile.job_title, profile.registration) == ("Consultant in pain medicine", "GMC 7654321")
