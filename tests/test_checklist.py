"""The nurse's pre-procedure checklist, its sign-off, its printable record and the day-of confirmation."""

import datetime
import io
import re
import uuid

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from consent import services
from consent.models import AuditEvent, ChecklistAnswer, ChecklistEntry, ChecklistSignOff, Status
from procedures.models import ChecklistItem
from tests.conftest import PASSWORD, build_procedure, complete_journey


@pytest.fixture
def procedure(db):
    """The shared test procedure plus items that allow "not applicable", and one that is optional."""
    procedure = build_procedure()  # its one item: "Blood thinners held", required, with a patient question
    ChecklistItem.objects.create(
        procedure=procedure, text="Identity checked with two identifiers", category="identity", order=1
    )
    ChecklistItem.objects.create(
        procedure=procedure,
        text="Pregnancy status checked",
        category="pregnancy",
        allow_not_applicable=True,
        order=2,
    )
    ChecklistItem.objects.create(
        procedure=procedure, text="Driver arranged for the trip home", category="transport", required=False, order=3
    )
    return procedure


def item(case, text):
    return next(i for i in case.request.content["checklist_items"] if i["text"] == text)


def url(name, case, *args):
    return reverse(f"staff:{name}", args=[case.request.public_id, *args])


def item_url(case, text):
    return url("checklist_item", case, item(case, text)["key"])


def mark(client, case, text, state, note=""):
    key = item(case, text)["key"]
    return client.post(item_url(case, text), {f"item-{key}-state": state, f"item-{key}-note": note})


def record(case, user, text, state="done", note=""):
    return services.record_checklist_entry(
        consent_request=case.request, item_key=item(case, text)["key"], state=state, note=note, user=user
    )


def complete_required_items(case, user):
    record(case, user, "Identity checked with two identifiers")
    record(case, user, "Blood thinners held")
    record(case, user, "Pregnancy status checked", "not_applicable", "Male patient")


def sign_off(case, user):
    complete_required_items(case, user)
    return services.sign_off_checklist(consent_request=case.request, user=user, password=PASSWORD)


def text_of(response):
    return response.content.decode()


def squash(text):
    return re.sub(r"\s+", " ", text)


# Who may see what ------------------------------------------------------------------------

PAGES = ["checklist", "checklist_sign_off", "confirm", "checklist_pdf"]


@pytest.mark.parametrize("page", PAGES)
def test_signed_out_visitors_are_sent_to_sign_in(client, case_a, page):
    response = client.get(url(page, case_a))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("page", PAGES)
def test_content_admins_may_not_see_the_checklist_pages(client, content_admin, case_a, page):
    client.force_login(content_admin)

    assert client.get(url(page, case_a)).status_code == 403


@pytest.mark.parametrize("role", ["nurse", "superuser"])
@pytest.mark.parametrize("page", PAGES)
def test_nurses_and_superusers_see_the_checklist_pages(client, request, case_a, role, page):
    client.force_login(request.getfixturevalue(role))

    response = client.get(url(page, case_a))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_marking_an_item_is_for_nurses_only(client, content_admin, case_a):
    anonymous = mark(client, case_a, "Blood thinners held", "done")
    client.force_login(content_admin)
    admin = mark(client, case_a, "Blood thinners held", "done")

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    assert admin.status_code == 403
    assert not ChecklistEntry.objects.exists()


@pytest.mark.parametrize("role", ["nurse", "superuser"])
def test_nurses_and_superusers_may_mark_an_item(client, request, case_a, role):
    client.force_login(request.getfixturevalue(role))

    assert mark(client, case_a, "Blood thinners held", "done").status_code == 302
    assert ChecklistEntry.objects.count() == 1


def test_marking_is_post_only(client, nurse, case_a):
    client.force_login(nurse)

    assert client.get(item_url(case_a, "Blood thinners held")).status_code == 405


@pytest.mark.parametrize("page", PAGES)
def test_an_unknown_request_is_a_404(client, nurse, case_a, page):
    client.force_login(nurse)

    assert client.get(reverse(f"staff:{page}", args=[uuid.uuid4()])).status_code == 404


def test_marking_an_item_of_an_unknown_request_is_a_404(client, nurse, case_a):
    client.force_login(nurse)
    key = item(case_a, "Blood thinners held")["key"]

    response = client.post(reverse("staff:checklist_item", args=[uuid.uuid4(), key]), {f"item-{key}-state": "done"})

    assert response.status_code == 404


# Marking items ------------------------------------------------------------------------------


def test_the_page_lists_every_item_by_category_with_its_markers(client, nurse, case_a):
    client.force_login(nurse)

    text = text_of(client.get(url("checklist", case_a)))

    for label in ["Identity", "Medication", "Pregnancy", "Transport and support at home"]:
        assert f">{label}</h2>" in text
    assert text.index(">Identity</h2>") < text.index(">Medication</h2>")
    for checklist_item in case_a.request.content["checklist_items"]:
        assert checklist_item["text"] in text
        assert f'id="item-{checklist_item["key"]}"' in text
    assert text.count(">Required</span>") == 3
    assert text.count(">Optional</span>") == 1
    assert text.count(">N/A allowed</span>") == 1
    assert "<strong>0 of 4</strong>" in text
    assert "Not signed off yet." in text


def test_not_applicable_is_offered_only_where_the_item_allows_it(client, nurse, case_a):
    client.force_login(nurse)
    pregnancy = item(case_a, "Pregnancy status checked")["key"]
    thinners = item(case_a, "Blood thinners held")["key"]

    text = text_of(client.get(url("checklist", case_a)))

    assert f'name="item-{pregnancy}-state" value="not_applicable"' in text
    assert f'name="item-{thinners}-state" value="not_applicable"' not in text
    assert f'name="item-{thinners}-state" value="problem"' in text


def test_marking_an_item_done_records_it_and_returns_to_the_item(client, nurse, case_a):
    client.force_login(nurse)
    key = item(case_a, "Blood thinners held")["key"]

    response = mark(client, case_a, "Blood thinners held", "done")

    assert response.status_code == 302
    assert response["Location"] == url("checklist", case_a) + f"#item-{key}"
    entry = ChecklistEntry.objects.get()
    assert (str(entry.item_key), entry.state, entry.recorded_by, entry.corrects) == (key, "done", nurse, None)
    event = AuditEvent.objects.get(action="checklist_marked")
    assert (event.user, event.detail["item"], event.ip_address) == (nurse, key, "127.0.0.1")


def test_not_applicable_with_a_reason_is_recorded(client, nurse, case_a):
    client.force_login(nurse)

    response = mark(client, case_a, "Pregnancy status checked", "not_applicable", "Male patient")

    assert response.status_code == 302
    entry = ChecklistEntry.objects.get()
    assert (entry.state, entry.note) == ("not_applicable", "Male patient")
    assert AuditEvent.objects.filter(action="checklist_marked", detail__state="not_applicable").count() == 1


def test_a_problem_with_a_note_is_recorded_and_shown(client, nurse, case_a):
    client.force_login(nurse)

    mark(client, case_a, "Blood thinners held", "problem", "Took warfarin yesterday")
    text = text_of(client.get(url("checklist", case_a)))

    entry = ChecklistEntry.objects.get()
    assert (entry.state, entry.note) == ("problem", "Took warfarin yesterday")
    assert AuditEvent.objects.filter(action="checklist_marked", detail__state="problem").exists()
    assert "Problem: Took warfarin yesterday" in text
    assert "nina.nurse" in text


def test_not_applicable_without_a_reason_is_refused_with_a_message(client, nurse, case_a):
    client.force_login(nurse)

    response = mark(client, case_a, "Pregnancy status checked", "not_applicable", "  ")

    assert response.status_code == 200
    assert "Say why “Pregnancy status checked” is not applicable." in text_of(response)
    assert not ChecklistEntry.objects.exists()
    assert not AuditEvent.objects.filter(action="checklist_marked").exists()


def test_not_applicable_where_it_is_not_allowed_is_refused_and_the_note_is_kept(client, nurse, case_a):
    client.force_login(nurse)
    key = item(case_a, "Blood thinners held")["key"]

    response = mark(client, case_a, "Blood thinners held", "not_applicable", "Doesn't take any")

    text = text_of(response)
    assert response.status_code == 200
    assert "“Blood thinners held” can&#x27;t be marked not applicable" in text
    assert re.search(rf'<textarea name="item-{key}-note"[^>]*>\s*Doesn&#x27;t take any</textarea>', text)
    assert not ChecklistEntry.objects.exists()


def test_the_refusal_is_shown_beside_the_item_it_concerns(client, nurse, case_a):
    client.force_login(nurse)
    key = item(case_a, "Blood thinners held")["key"]
    other = item(case_a, "Identity checked with two identifiers")["key"]

    text = text_of(mark(client, case_a, "Blood thinners held", "problem", ""))

    message = "Describe the problem with “Blood thinners held”."

    def item_html(item_key: str) -> str:
        start = text.index(f'id="item-{item_key}"')
        ends = [text.find(end, start + 1) for end in ("proceed-checklist-item", "</form>")]
        return text[start : min(end for end in ends if end > 0)]

    assert message in item_html(key)
    assert message not in item_html(other)
    assert f'<a href="#item-{key}">Blood thinners held: {message}' in text, "the summary links to the item"
    assert not ChecklistEntry.objects.exists()


def test_choosing_no_state_asks_for_one(client, nurse, case_a):
    client.force_login(nurse)
    key = item(case_a, "Blood thinners held")["key"]

    response = client.post(item_url(case_a, "Blood thinners held"), {f"item-{key}-note": "Checked"})

    assert response.status_code == 200
    assert "Choose done or problem." in text_of(response)
    assert not ChecklistEntry.objects.exists()


def test_progress_is_counted_and_shown(client, nurse, case_a):
    client.force_login(nurse)

    mark(client, case_a, "Blood thinners held", "done")
    mark(client, case_a, "Pregnancy status checked", "not_applicable", "Male patient")
    mark(client, case_a, "Identity checked with two identifiers", "problem", "Wristband missing")
    text = text_of(client.get(url("checklist", case_a)))

    assert case_a.refresh().checklist_complete == 2
    assert case_a.request.checklist_total == 4
    assert "<strong>2 of 4</strong> items done or not applicable" in text
    assert "<strong>1 required item still open</strong>" in text


def test_the_patients_own_answer_shows_beside_its_item(client, nurse, case_a):
    complete_journey(case_a)  # answers "no" to blood thinners: the answer that needs no follow-up
    client.force_login(nurse)

    text = squash(text_of(client.get(url("checklist", case_a))))

    assert "Patient says: <strong>No</strong> — Do you take blood thinners?" in text
    assert "Check with the patient" not in text


def test_an_unexpected_patient_answer_is_highlighted(client, nurse, case_a):
    request = case_a.request
    thinners = item(case_a, "Blood thinners held")
    services.verify_identity(consent_request=request, date_of_birth=request.patient.date_of_birth, ip=None)
    services.read_about(consent_request=request, ip=None)
    services.save_risk_answers(
        consent_request=request, acknowledged={r["key"] for r in request.content["risks"]}, to_discuss=set(), ip=None
    )
    services.save_preparation_answers(
        consent_request=request,
        acknowledged={s["key"] for s in request.content["preparation_steps"]},
        answers={thinners["key"]: "not_sure"},
        ip=None,
    )
    client.force_login(nurse)

    text = squash(text_of(client.get(url("checklist", case_a))))

    assert (
        "Check with the patient.</strong> Patient says: <strong>Not sure</strong> — Do you take blood thinners?" in text
    )
    assert "the answer that needs no follow-up is “No”" in text


# Sign-off ---------------------------------------------------------------------------------


def test_the_sign_off_page_lists_the_open_required_items_that_block_it(client, nurse, case_a):
    record(case_a, nurse, "Identity checked with two identifiers")
    client.force_login(nurse)

    text = text_of(client.get(url("checklist_sign_off", case_a)))

    assert "You can't sign off yet" in text
    assert "Blood thinners held</a> — not checked yet" in text
    assert "Pregnancy status checked</a>" in text
    assert "Identity checked with two identifiers</a>" not in text
    assert "Driver arranged" not in text  # optional: it does not block sign-off
    assert 'type="password"' not in text


def test_the_sign_off_page_asks_for_the_password_once_the_required_items_are_done(client, nurse, case_a):
    complete_required_items(case_a, nurse)
    client.force_login(nurse)

    text = text_of(client.get(url("checklist_sign_off", case_a)))

    assert "You can't sign off yet" not in text
    assert 'type="password"' in text
    assert 'autocomplete="current-password"' in text


def test_sign_off_with_a_wrong_password_is_refused_and_audited(client, nurse, case_a):
    complete_required_items(case_a, nurse)
    client.force_login(nurse)

    response = client.post(url("checklist_sign_off", case_a), {"password": "not-my-password"})

    text = text_of(response)
    assert response.status_code == 200
    assert "That password isn&#x27;t right." in text
    assert "not-my-password" not in text
    assert not ChecklistSignOff.objects.exists()
    assert AuditEvent.objects.get(action="sign_off_refused").user == nurse


def test_sign_off_without_a_password_asks_for_it(client, nurse, case_a):
    complete_required_items(case_a, nurse)
    client.force_login(nurse)

    response = client.post(url("checklist_sign_off", case_a), {"password": ""})

    assert "Enter your password to sign off." in text_of(response)
    assert not ChecklistSignOff.objects.exists()


def test_sign_off_with_an_open_required_item_names_it(client, nurse, case_a):
    record(case_a, nurse, "Identity checked with two identifiers")
    record(case_a, nurse, "Pregnancy status checked", "not_applicable", "Male patient")
    record(case_a, nurse, "Blood thinners held", "problem", "Still on warfarin")
    client.force_login(nurse)

    response = client.post(url("checklist_sign_off", case_a), {"password": PASSWORD})

    assert response.status_code == 200
    assert "These required items are not done yet: Blood thinners held." in text_of(response)
    assert not ChecklistSignOff.objects.exists()


def test_sign_off_records_who_and_when(client, nurse, case_a):
    complete_required_items(case_a, nurse)  # the optional item stays open: it does not block sign-off
    client.force_login(nurse)

    response = client.post(url("checklist_sign_off", case_a), {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == url("checklist", case_a)
    sign_off_row = ChecklistSignOff.objects.get()
    assert sign_off_row.signed_off_by == nurse
    assert sign_off_row.signed_off_at is not None
    assert AuditEvent.objects.get(action="checklist_signed_off").user == nurse
    text = text_of(client.get(response["Location"]))
    assert "Checklist signed off by you" in text
    assert "Signed off by nina.nurse on" in text
    assert "Sign off the checklist</a>" not in text


def test_an_item_after_sign_off_is_a_correction_of_the_entry_before(client, nurse, superuser, case_a):
    sign_off(case_a, nurse)
    original = ChecklistEntry.objects.get(item_key=item(case_a, "Blood thinners held")["key"])
    original_fields = (original.state, original.note, original.recorded_by_id, original.recorded_at)
    client.force_login(superuser)

    before = text_of(client.get(url("checklist", case_a)))
    response = mark(client, case_a, "Blood thinners held", "problem", "Patient now says they took aspirin")
    text = text_of(client.get(url("checklist", case_a)))

    assert "Record a correction" in before
    assert "Save the corrections" in before
    assert response.status_code == 302
    correction = ChecklistEntry.objects.latest("id")
    assert correction.corrects == original
    assert (correction.state, correction.recorded_by) == ("problem", superuser)
    original.refresh_from_db()
    assert (original.state, original.note, original.recorded_by_id, original.recorded_at) == original_fields
    assert AuditEvent.objects.get(action="checklist_corrected").user == superuser
    assert "correction of entry 1 (done, nina.nurse," in text
    assert "Entry 1: <strong>Done</strong> by nina.nurse" in text
    assert "Problem: Patient now says they took aspirin" in text


# Day-of confirmation -------------------------------------------------------------------


def test_an_unsigned_request_cannot_be_confirmed(client, nurse, case_a):
    sign_off(case_a, nurse)
    client.force_login(nurse)
    status = case_a.refresh().status

    page = text_of(client.get(url("confirm", case_a)))
    response = client.post(url("confirm", case_a))

    assert "No signed consent to confirm." in page
    assert "Yes, confirm consent for today" not in page
    assert response.status_code == 200
    assert "consent can only be confirmed once the patient has signed" in text_of(response)
    assert case_a.refresh().status == status
    assert not AuditEvent.objects.filter(action="confirmed").exists()


def test_a_signed_request_cannot_be_confirmed_before_the_checklist_is_signed_off(client, nurse, signed_case):
    client.force_login(nurse)

    response = client.post(url("confirm", signed_case))

    assert response.status_code == 200
    assert "Sign off the checklist before confirming consent." in text_of(response)
    assert signed_case.refresh().status == Status.SIGNED
    assert signed_case.request.confirmed_at is None


def on_the_day(case):
    """The clock moved to an hour before the case's appointment."""
    return time_machine.travel(case.request.appointment_at - datetime.timedelta(hours=1), tick=False)


def test_a_signed_and_signed_off_request_is_confirmed_on_the_day_with_each_open_matter_ticked(
    client, nurse, signed_case
):
    sign_off(signed_case, nurse)
    question = signed_case.request.questions.get()

    with on_the_day(signed_case):
        client.force_login(nurse)  # a new day: signed in afresh
        page = squash(text_of(client.get(url("confirm", signed_case))))
        unticked = client.post(url("confirm", signed_case))
        response = client.post(url("confirm", signed_case), {"acknowledged": [f"question:{question.pk}"]})
        after = text_of(client.get(url("confirm", signed_case)))

    assert (
        "Confirm that Ana María López (born 14 March 1950, record number MRN-A-1001) "
        "still consents to Test procedure today." in re.sub(r"<[^>]+>", "", page)
    )
    assert "Unanswered question: “Can I drive afterwards?”" in page and "Yes, confirm consent for today" in page
    assert unticked.status_code == 200 and "Tick each open matter" in text_of(unticked)
    assert response.status_code == 302
    request = signed_case.refresh()
    assert request.status == Status.CONFIRMED
    assert request.confirmed_by == nurse
    assert request.confirmed_at is not None
    assert AuditEvent.objects.get(action="confirmed").user == nurse
    assert "Consent was confirmed on the day by nina.nurse" in after


@pytest.mark.parametrize("days", [-3, 2])
def test_consent_is_not_confirmed_days_before_or_after_the_appointment(client, nurse, signed_case, days):
    sign_off(signed_case, nurse)
    question = signed_case.request.questions.get()
    with time_machine.travel(signed_case.request.appointment_at + datetime.timedelta(days=days), tick=False):
        client.force_login(nurse)
        response = client.post(url("confirm", signed_case), {"acknowledged": [f"question:{question.pk}"]})
    assert response.status_code == 200
    assert "Consent is confirmed with the patient on the day of the appointment" in text_of(response)
    assert signed_case.refresh().status == Status.SIGNED


def test_the_confirm_page_lists_every_open_matter(client, nurse, signed_case):
    request = signed_case.request
    item = request.content["checklist_items"][0]
    from consent.models import Acknowledgement, ChecklistAnswer

    ChecklistAnswer.objects.filter(request=request).update(answer="yes", needs_attention=True)
    Acknowledgement.objects.filter(request=request, kind="risk").update(wants_to_discuss=True)
    sign_off(signed_case, nurse)
    record(signed_case, nurse, item["text"], "problem", "Took apixaban yesterday")
    client.force_login(nurse)

    page = squash(text_of(client.get(url("confirm", signed_case))))

    assert "Unanswered question" in page
    assert "Wants to talk about the risk: Headache" in page
    assert "Patient said “Yes” to: Do you take blood thinners?" in page
    assert "Checklist problem: Blood thinners held — Took apixaban yesterday" in page


# The printable record ------------------------------------------------------------------


def pdf_pages(response) -> list[str]:
    pdf = b"".join(response.streaming_content) if response.streaming else response.content
    return [squash(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_checklist_pdf_holds_the_patient_every_item_and_the_sign_off(client, nurse, signed_case):
    sign_off(signed_case, nurse)
    record(signed_case, nurse, "Blood thinners held", "problem", "Aspirin this morning")
    client.force_login(nurse)

    response = client.get(url("checklist_pdf", signed_case))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    day = signed_case.request.appointment_at.astimezone().date()
    assert response["Content-Disposition"] == f'attachment; filename="checklist-test-procedure-{day:%Y-%m-%d}.pdf"'
    pages = pdf_pages(response)
    text = " ".join(pages)
    assert "Ana María López" in text
    assert "MRN-A-1001" in text
    for checklist_item in signed_case.request.content["checklist_items"]:
        assert checklist_item["text"] in text
    assert "Signed off by nina.nurse on" in text
    assert "NOT SIGNED OFF" not in text
    assert "Aspirin this morning" in text
    assert "Correction of entry 1" in text
    assert "Do you take blood thinners?" in text
    document_id = signed_case.request.signature.document_id
    for number, page in enumerate(pages, start=1):
        assert (
            f"Ana María López · DOB 14 Mar 1950 · Checklist for document {document_id} · page {number} of {len(pages)}"
            in page
        )
    assert f"page 1 of {len(pages)}" in pages[0]


def test_the_checklist_pdf_says_clearly_when_it_is_not_signed_off(client, nurse, case_a):
    record(case_a, nurse, "Blood thinners held")
    client.force_login(nurse)

    pages = pdf_pages(client.get(url("checklist_pdf", case_a)))

    text = " ".join(pages)
    assert "NOT SIGNED OFF" in text
    assert "1 of 4 items done or not applicable" in text
    assert f"Checklist for request {case_a.request.public_id} · page 1 of {len(pages)}" in pages[0]


def test_a_correction_that_reopens_a_required_item_blocks_confirmation(client, nurse, signed_case):
    sign_off(signed_case, nurse)
    record(signed_case, nurse, "Blood thinners held", "problem", "Took apixaban this morning")

    client.force_login(nurse)
    response = client.post(url("confirm", signed_case), follow=True)

    assert "A correction has reopened required items: Blood thinners held." in text_of(response)
    assert signed_case.refresh().status == Status.SIGNED


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.WITHDRAWN])
def test_a_closed_request_takes_no_checklist_entries(client, nurse, signed_case, status):
    if status == Status.WITHDRAWN:
        services.withdraw_consent(consent_request=signed_case.request, reason="", ip=None)
    else:
        type(signed_case.request).objects.filter(pk=signed_case.request.pk).update(status=status)
    client.force_login(nurse)

    response = mark(client, signed_case, "Blood thinners held", "done")

    assert "so its checklist is closed" in text_of(response)
    assert not ChecklistEntry.objects.filter(request=signed_case.request).exists()


@pytest.fixture
def said_yes_to_blood_thinners(published_procedure):
    """A signed case on a version whose blood-thinner item allows "not applicable"; the patient said Yes."""
    from procedures.services import publish_procedure
    from tests.conftest import PATIENT_B, make_case, sign_case

    ChecklistItem.objects.filter(procedure=published_procedure).update(allow_not_applicable=True)
    publish_procedure(procedure=published_procedure, published_by=None, change_summary="N/A", is_material=False)
    case = make_case(published_procedure, PATIENT_B)
    sign_case(case)
    ChecklistAnswer.objects.filter(request=case.request).update(answer="yes", needs_attention=True)
    case.refresh()
    return case


def test_a_mark_against_the_patients_answer_needs_a_reason_and_says_so_in_the_record(
    client, nurse, said_yes_to_blood_thinners
):
    request = said_yes_to_blood_thinners.request
    item = request.content["checklist_items"][0]
    client.force_login(nurse)
    prefix = f"item-{item['key']}"
    url_ = reverse("staff:checklist_item", args=[request.public_id, item["key"]])
    post = {f"{prefix}-state": "not_applicable", f"{prefix}-note": "Not on any"}

    refused = client.post(url_, post)

    assert refused.status_code == 200
    assert "The patient answered “Yes” to “Do you take blood thinners?”" in text_of(refused).replace("&#x27;", "'")
    assert not ChecklistEntry.objects.filter(request=request).exists()
    assert 'value="not_applicable" checked' in " ".join(refused.content.decode().split()) or "Not on any" in text_of(
        refused
    ), "what was typed is kept"

    saved = client.post(url_, {**post, f"{prefix}-override_reason": "Stopped 2 years ago; the GP record agrees"})
    assert saved.status_code == 302
    entry = ChecklistEntry.objects.get(request=request)
    assert entry.override_reason == "Stopped 2 years ago; the GP record agrees"
    page = text_of(client.get(reverse("staff:checklist", args=[request.public_id])))
    assert "Recorded against the patient" in page and "Stopped 2 years ago" in page
    pdf = " ".join(pdf_pages(client.get(reverse("staff:checklist_pdf", args=[request.public_id]))))
    assert "Recorded against the patient's answer. Why: Stopped 2 years ago" in pdf


def test_done_on_consent_while_a_question_waits_needs_a_reason(nurse, signed_case):
    request = signed_case.request
    item = {**request.content["checklist_items"][0], "category": "consent"}
    assert services.checklist_contradiction(request, item, "done") == (
        "A question from the patient is still waiting for an answer."
    )
    question = request.questions.get()
    services.answer_patient_question(question=question, reply_note="Phoned", user=nurse)
    assert services.checklist_contradiction(request, item, "done") == ""


# Saving several marks at once ------------------------------------------------------------


def marks(case, *entries, **extra):
    """The checklist page's one form, as the nurse sends it: (item text, state, note) for each item marked."""
    data = dict(extra)
    for text, state, note in entries:
        key = item(case, text)["key"]
        data |= {f"item-{key}-state": state, f"item-{key}-note": note}
    return data


def test_the_nurse_saves_several_items_at_once_and_blank_ones_stay_as_they_were(client, nurse, case_a):
    record(case_a, nurse, "Driver arranged for the trip home", "problem", "No one to drive")
    client.force_login(nurse)

    response = client.post(
        url("checklist", case_a),
        marks(
            case_a,
            ("Identity checked with two identifiers", "done", ""),
            ("Pregnancy status checked", "not_applicable", "Male patient"),
            ("Blood thinners held", "done", "Last dose 3 days ago"),
        ),
        follow=True,
    )

    latest = services.latest_checklist_entries(case_a.request)
    states = {i["text"]: latest[i["key"]].state for i in case_a.request.content["checklist_items"]}
    assert states == {
        "Identity checked with two identifiers": "done",
        "Pregnancy status checked": "not_applicable",
        "Blood thinners held": "done",
        "Driver arranged for the trip home": "problem",  # left blank on the page: untouched
    }
    assert AuditEvent.objects.filter(action="checklist_marked").count() == 4
    page = squash(text_of(response))
    assert (
        "Saved: “Blood thinners held” is done; “Identity checked with two identifiers” is done; "
        "“Pregnancy status checked” is not applicable." in page
    )
    assert "<strong>3 of 4</strong> items done or not applicable" in page


def test_one_refused_item_saves_nothing_and_keeps_every_mark_and_note(client, nurse, case_a):
    client.force_login(nurse)
    pregnancy, identity = (
        item(case_a, "Pregnancy status checked")["key"],
        item(case_a, "Identity checked with two identifiers")["key"],
    )

    response = client.post(
        url("checklist", case_a),
        marks(
            case_a,
            ("Identity checked with two identifiers", "done", "Wristband and list agree"),
            ("Pregnancy status checked", "not_applicable", ""),
            ("Blood thinners held", "problem", ""),
        ),
    )

    page = squash(text_of(response))
    assert response.status_code == 200
    assert not ChecklistEntry.objects.exists(), "all or nothing"
    assert "Nothing was saved yet: 2 items need something more." in page
    assert "Say why “Pregnancy status checked” is not applicable." in page
    assert "Describe the problem with “Blood thinners held”." in page
    assert re.search(rf'name="item-{identity}-state" value="done"[^>]*checked', page), "the valid mark is kept"
    assert re.search(rf'name="item-{pregnancy}-state" value="not_applicable"[^>]*checked', page)
    assert re.search(rf'<textarea name="item-{identity}-note"[^>]*> ?Wristband and list agree</textarea>', page)


def test_a_note_without_a_mark_is_not_lost(client, nurse, case_a):
    client.force_login(nurse)
    key = item(case_a, "Driver arranged for the trip home")["key"]

    response = client.post(url("checklist", case_a), marks(case_a, ("Driver arranged for the trip home", "", "Son")))

    page = squash(text_of(response))
    assert "Choose done or problem." in page
    assert re.search(rf'<textarea name="item-{key}-note"[^>]*> ?Son</textarea>', page)
    assert not ChecklistEntry.objects.exists()


def test_saving_with_nothing_marked_says_so(client, nurse, case_a):
    client.force_login(nurse)

    response = client.post(url("checklist", case_a), {}, follow=True)

    assert "Nothing to save: choose done, not applicable or problem for an item first." in text_of(response)
    assert not AuditEvent.objects.filter(action="checklist_marked").exists()


def test_a_mark_against_the_patients_answer_asks_for_the_reason_in_a_box_the_nurse_can_see(
    client, nurse, said_yes_to_blood_thinners
):
    """The "why" box is on the page where it may be needed, and beside the refusal that asks for it."""
    case = said_yes_to_blood_thinners
    key = item(case, "Blood thinners held")["key"]
    client.force_login(nurse)

    page = text_of(client.get(url("checklist", case)))
    assert f'name="item-{key}-override_reason"' in page

    refused = client.post(url("checklist", case), marks(case, ("Blood thinners held", "not_applicable", "None")))
    assert re.search(rf'<textarea name="item-{key}-override_reason"[^>]*is-invalid', text_of(refused))
    saved = client.post(
        url("checklist", case),
        marks(
            case, ("Blood thinners held", "not_applicable", "None"), **{f"item-{key}-override_reason": "GP: stopped"}
        ),
    )
    assert saved.status_code == 302
    assert ChecklistEntry.objects.get(request=case.request).override_reason == "GP: stopped"


def test_the_why_box_is_not_offered_where_nothing_can_contradict_the_patient(client, nurse, case_a):
    client.force_login(nurse)
    key = item(case_a, "Identity checked with two identifiers")["key"]

    page = text_of(client.get(url("checklist", case_a)))

    assert f'name="item-{key}-note"' in page
    assert f'name="item-{key}-override_reason"' not in page


def test_a_mark_that_a_service_refuses_rolls_back_the_marks_saved_before_it(nurse, said_yes_to_blood_thinners):
    case = said_yes_to_blood_thinners
    with pytest.raises(services.ChecklistMarksRefused) as refused:
        services.record_checklist_marks(
            consent_request=case.request,
            marks=[
                services.ChecklistMark(item_key=case.request.content["checklist_items"][-1]["key"], state="done"),
                services.ChecklistMark(
                    item_key=item(case, "Blood thinners held")["key"], state="not_applicable", note="x"
                ),
            ],
            user=nurse,
        )
    assert list(refused.value.refusals) == [item(case, "Blood thinners held")["key"]]
    assert not ChecklistEntry.objects.filter(request=case.request).exists()
    assert not AuditEvent.objects.filter(request=case.request, action="checklist_marked").exists()
