"""The patient journey through the personal link, page by page, as a patient's browser sees it."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from consent.models import AuditEvent, ConsentDocument, ConsentRequest, QuizAnswer, Signature, Status
from tests.conftest import PATIENT_A

DOB = PATIENT_A["date_of_birth"]


def dob_post(date: datetime.date) -> dict:
    return {"day": date.day, "month": date.month, "year": date.year}


def verify(client, case, dob=DOB):
    response = client.post(f"{case.url}identity/", dob_post(dob))
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def all_keys(case, part):
    return [item["key"] for item in case.request.content[part]]


def risks_post(case, *, skip=()):
    return {
        f"ack_{r['key']}": "on" for r in case.request.content["risks"] if r["is_material"] and r["title"] not in skip
    }


def preparing_post(case):
    content = case.request.content
    data = {f"ack_{key}": "on" for key in all_keys(case, "preparation_steps")}
    data.update({f"answer_{i['key']}": "not_sure" for i in content["checklist_items"] if i["patient_question"]})
    return data


def quiz_post(case, *, wrong=False):
    data = {}
    for question in case.request.content["questions"]:
        choice = question["correct_choice"]
        if wrong:
            choice = 1 if choice != 1 else 2
        data[f"q_{question['key']}"] = choice
    return data


def walk_to_decision(client, case, dob=DOB):
    """Every step up to the decision page, as a patient would fill them in."""
    verify(client, case, dob)
    assert client.post(f"{case.url}about/").status_code == 302
    assert client.post(f"{case.url}risks/", risks_post(case))["Location"].endswith("/preparing/")
    assert client.post(f"{case.url}preparing/", preparing_post(case))["Location"].endswith("/understanding/")
    assert client.post(f"{case.url}understanding/", quiz_post(case))["Location"].endswith("/questions/")
    response = client.post(f"{case.url}questions/", {"question": "Can I eat before?", "wants_discussion": ""})
    assert response["Location"].endswith("/review/")
    assert client.post(f"{case.url}review/", {"confirmed": "on"})["Location"].endswith("/decide/")


def sign_post(name=PATIENT_A["full_name"], **extra):
    return {"signer": "patient", "typed_name": name, **extra}


# Links --------------------------------------------------------------------------


@pytest.mark.parametrize("make_dead", ["unknown", "locked", "expired", "cancelled"])
def test_dead_links_all_show_the_same_page_that_reveals_nothing(client, case_a, make_dead):
    url = case_a.url
    if make_dead == "unknown":
        url = "/c/not-a-real-token-at-all-000000000000000/"
    elif make_dead == "expired":
        type(case_a.request).objects.filter(pk=case_a.request.pk).update(expires_at=timezone.now())
    else:
        type(case_a.request).objects.filter(pk=case_a.request.pk).update(status=make_dead)

    response = client.get(url)
    text = response.content.decode()

    assert response.status_code == 404
    assert "This link can't be used" in text
    assert "Please call" in text
    for secret in ["Ana", "López", "Test procedure", "Dr Rivera", "MRN"]:
        assert secret not in text


def test_expired_link_marks_the_request_expired(client, case_a):
    with time_machine.travel(case_a.request.expires_at + datetime.timedelta(minutes=1)):
        response = client.get(case_a.url)

    assert response.status_code == 404
    assert case_a.refresh().status == Status.EXPIRED
    assert AuditEvent.objects.filter(request=case_a.request, action="expired").exists()


def test_welcome_page_shows_nothing_personal_before_the_identity_check(client, case_a):
    response = client.get(case_a.url)
    text = response.content.decode()

    assert response.status_code == 200
    assert "Step 1 of 10" in text
    assert "about 10 minutes" in text  # the small test procedure; see tests/test_time_estimate.py
    for secret in ["Ana", "López", "Test procedure", "Dr Rivera", "1950"]:
        assert secret not in text


def test_patient_pages_never_leak_the_link_and_are_not_cached(client, case_a):
    response = client.get(case_a.url)

    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]


# Identity -----------------------------------------------------------------------


def test_right_date_of_birth_opens_the_journey(client, case_a):
    response = verify(client, case_a)

    assert response["Location"].endswith("/about/")
    assert case_a.refresh().status == Status.OPENED
    assert AuditEvent.objects.filter(request=case_a.request, action="identity_verified").exists()
    about = client.get(f"{case_a.url}about/").content.decode()
    assert "Test procedure" in about
    assert "Dr Rivera" in about


def test_wrong_birth_date_counts_down_and_keeps_what_was_typed(client, case_a):
    response = client.post(f"{case_a.url}identity/", {"day": "15", "month": "3", "year": "1950"})
    text = response.content.decode()

    assert response.status_code == 200
    assert "doesn&#x27;t match our records" in text
    assert "You have 4 tries left." in text
    assert 'value="15"' in text and 'value="1950"' in text
    assert case_a.refresh().failed_identity_attempts == 1


def test_wrong_birth_date_five_times_locks_link(client, case_a):
    for _ in range(4):
        client.post(f"{case_a.url}identity/", dob_post(DOB + datetime.timedelta(days=1)))

    fifth = client.post(f"{case_a.url}identity/", dob_post(DOB + datetime.timedelta(days=1)))
    then_right = client.post(f"{case_a.url}identity/", dob_post(DOB))

    assert fifth.status_code == 404
    assert "This link can't be used" in fifth.content.decode()
    assert then_right.status_code == 404
    request = case_a.refresh()
    assert request.status == Status.LOCKED
    assert request.failed_identity_attempts == 5
    assert AuditEvent.objects.filter(request=request, action="locked").count() == 1


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"day": "31", "month": "2", "year": "1950"}, "That date doesn&#x27;t exist"),
        ({"day": "", "month": "3", "year": "1950"}, "Enter the day you were born"),
        ({"day": "12", "month": "3", "year": "50"}, "four digits"),
        ({"day": "x", "month": "3", "year": "1950"}, "Enter the day as a number"),
        ({"day": "1", "month": "1", "year": str(datetime.date.today().year + 1)}, "That date is in the future"),
    ],
)
def test_impossible_dates_get_a_message_and_do_not_count_as_tries(client, case_a, post, message):
    response = client.post(f"{case_a.url}identity/", post)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert case_a.refresh().failed_identity_attempts == 0


def test_pages_after_identity_need_the_identity_check_first(client, case_a):
    for page in ["about/", "risks/", "review/", "sign/consent/", "done/", "records.pdf", "information.pdf"]:
        response = client.get(f"{case_a.url}{page}")
        assert response.status_code == 302, page
        assert response["Location"].endswith("/identity/"), page


def test_another_patients_session_does_not_open_this_case(client, case_a, case_b):
    client.post(f"{case_b.url}identity/", dob_post(case_b.request.patient.date_of_birth))

    response = client.get(f"{case_a.url}about/")

    assert response["Location"].endswith("/identity/")


# Steps --------------------------------------------------------------------------


def test_skipping_a_step_by_url_goes_back_to_the_first_unfinished_step(client, case_a):
    verify(client, case_a)

    for page in ["preparing/", "understanding/", "questions/", "review/", "decide/", "sign/consent/"]:
        response = client.get(f"{case_a.url}{page}")
        assert response.status_code == 302, page
        assert response["Location"].endswith("/about/"), page


def test_progress_is_shown_as_step_n_of_8_with_a_back_link(client, case_a):
    verify(client, case_a)
    client.post(f"{case_a.url}about/")

    text = client.get(f"{case_a.url}risks/").content.decode()

    assert "Step 4 of 10" in text
    assert f'href="{case_a.url}about/"' in text


def test_every_risk_card_says_how_common_and_how_serious(client, case_a):
    verify(client, case_a)
    client.post(f"{case_a.url}about/")

    text = client.get(f"{case_a.url}risks/").content.decode()

    assert "Common: about 1 in 20 people" in text
    assert "Minor: Usually mild" in text


def test_continuing_with_a_material_risk_unticked_names_it_and_keeps_the_other_ticks(client, published_procedure):
    from procedures.models import Risk
    from procedures.services import publish_procedure
    from tests.conftest import make_case

    Risk.objects.create(
        procedure=published_procedure,
        title="Infection",
        description="Rarely, an infection.",
        frequency="rare",
        severity="serious",
        is_material=True,
    )
    publish_procedure(procedure=published_procedure, published_by=None, change_summary="Infection", is_material=True)
    case = make_case(published_procedure, PATIENT_A)
    verify(client, case)
    client.post(f"{case.url}about/")
    headache_key = next(r["key"] for r in case.request.content["risks"] if r["title"] == "Headache")

    response = client.post(
        f"{case.url}risks/", {**risks_post(case, skip=("Infection",)), f"discuss_{headache_key}": "on"}
    )
    text = response.content.decode()

    assert response.status_code == 200
    assert "Please tick to show you understand: Infection." in text
    assert "Headache." not in text
    assert (
        f'name="ack_{headache_key}" class="checkboxinput form-check-input" id="id_ack_{headache_key}" checked' in text
    )
    saved = case.request.acknowledgements.get(item_key=headache_key)
    assert saved.acknowledged_at is not None and saved.wants_to_discuss
    assert case.refresh().progress < 4


def test_preparation_steps_and_patient_questions_each_need_an_answer(client, case_a):
    verify(client, case_a)
    client.post(f"{case_a.url}about/")
    client.post(f"{case_a.url}risks/", risks_post(case_a))

    response = client.post(f"{case_a.url}preparing/", {})
    text = response.content.decode()

    assert response.status_code == 200
    assert "Please tick to show you will do this." in text
    assert "Please choose an answer. “Not sure” is fine." in text


def test_patient_answers_to_checklist_questions_are_kept(client, case_a):
    verify(client, case_a)
    client.post(f"{case_a.url}about/")
    client.post(f"{case_a.url}risks/", risks_post(case_a))

    client.post(f"{case_a.url}preparing/", preparing_post(case_a))

    answers = list(case_a.request.checklist_answers.values_list("answer", flat=True))
    assert answers == ["not_sure"]


def test_wrong_quiz_answer_shows_the_explanation_and_keeps_the_first_try_miss(client, case_a):
    verify(client, case_a)
    client.post(f"{case_a.url}about/")
    client.post(f"{case_a.url}risks/", risks_post(case_a))
    client.post(f"{case_a.url}preparing/", preparing_post(case_a))

    wrong = client.post(f"{case_a.url}understanding/", quiz_post(case_a, wrong=True))
    right = client.post(f"{case_a.url}understanding/", quiz_post(case_a))

    assert wrong.status_code == 200
    assert "That's not quite right." in wrong.content.decode()
    assert "Lying flat and drinking fluids helps." in wrong.content.decode()
    assert right["Location"].endswith("/questions/")
    answer = QuizAnswer.objects.get(request=case_a.request)
    assert answer.first_try_correct is False
    assert answer.is_correct is True
    assert answer.attempts == 2


def test_a_too_long_question_gets_a_message_and_keeps_the_text(client, case_a):
    complete_up_to_questions(client, case_a)
    text = "Will it hurt? " * 100

    response = client.post(f"{case_a.url}questions/", {"question": text})

    assert response.status_code == 200
    assert "Your question is too long" in response.content.decode()
    assert "Will it hurt? Will it hurt?" in response.content.decode()
    assert case_a.request.questions.count() == 0


def complete_up_to_questions(client, case):
    verify(client, case)
    client.post(f"{case.url}about/")
    client.post(f"{case.url}risks/", risks_post(case))
    client.post(f"{case.url}preparing/", preparing_post(case))
    client.post(f"{case.url}understanding/", quiz_post(case))


def test_question_text_is_shown_escaped(client, case_a):
    complete_up_to_questions(client, case_a)
    client.post(f"{case_a.url}questions/", {"question": "<script>alert(1)</script> Is it safe?"})

    text = client.get(f"{case_a.url}review/").content.decode()

    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Is it safe?" in text


def test_patient_can_leave_and_resume_on_another_device(client, case_a):
    complete_up_to_questions(client, case_a)

    other_device = Client()
    response = other_device.post(f"{case_a.url}identity/", dob_post(DOB))

    assert response["Location"].endswith("/questions/")


def test_review_lists_everything_with_links_to_change_it(client, case_a):
    complete_up_to_questions(client, case_a)
    client.post(f"{case_a.url}questions/", {"question": "Can I drive home?", "wants_discussion": "on"})

    text = client.get(f"{case_a.url}review/").content.decode()

    for expected in [
        "Headache",
        "You said you understand this risk.",
        "Bring your medicines.",
        "Do you take blood thinners?",
        "Not sure",
        "Lie flat and drink fluids",
        "Can I drive home?",
        "talk to someone before you decide",
    ]:
        assert expected in text, expected
    for page in ["risks/", "preparing/", "understanding/", "questions/"]:
        assert f'href="{case_a.url}{page}?from=review"' in text


def test_changing_an_answer_after_review_needs_a_new_review(client, case_a):
    walk_to_decision(client, case_a)
    client.post(f"{case_a.url}risks/", risks_post(case_a))

    response = client.get(f"{case_a.url}decide/")

    assert response["Location"].endswith("/review/")


def test_decision_choices_are_equal_name_the_procedure_and_none_is_preselected(client, case_a):
    walk_to_decision(client, case_a)

    text = client.get(f"{case_a.url}decide/").content.decode()

    assert text.count('type="radio" class="form-check-input"  name="decision"') == 3
    assert "checked" not in text
    for label in [
        "I agree to have the test procedure",
        "I do not want to have the test procedure",
        "I need to talk to someone first",
    ]:
        assert label in text
    assert "have this procedure" not in text


@pytest.mark.parametrize(
    ("name", "in_a_sentence"),
    [("Lumbar puncture", "lumbar puncture"), ("MRI-guided biopsy", "MRI-guided biopsy"), ("X", "X")],
)
def test_a_procedure_name_reads_naturally_inside_a_sentence(name, in_a_sentence):
    from journey.forms import procedure_in_a_sentence

    assert procedure_in_a_sentence(name) == in_a_sentence


def test_deciding_without_choosing_says_so(client, case_a):
    walk_to_decision(client, case_a)

    response = client.post(f"{case_a.url}decide/", {})

    assert "Choose one of the three options." in response.content.decode()


# Signing ------------------------------------------------------------------------


def test_whole_journey_to_signed_consent(client, case_a, django_capture_on_commit_callbacks):
    walk_to_decision(client, case_a)
    assert client.post(f"{case_a.url}decide/", {"decision": "consent"})["Location"].endswith("/sign/consent/")
    sign_page = client.get(f"{case_a.url}sign/consent/").content.decode()
    assert "I agree to have a test procedure." in sign_page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{case_a.url}sign/consent/", sign_post(name="  ana maria   LOPEZ ", drawn_signature="javascript:x")
        )

    assert response["Location"].endswith("/done/")
    request = case_a.refresh()
    assert request.status == Status.SIGNED
    signature = Signature.objects.get(request=request)
    assert signature.typed_name == "ana maria LOPEZ"
    assert signature.drawn_signature == ""
    assert signature.ip_address == "127.0.0.1"
    assert signature.procedure_version == request.procedure_version
    assert "I agree to have a test procedure." in signature.statement
    assert ConsentDocument.objects.filter(signature=signature).exists()
    done = client.get(f"{case_a.url}done/").content.decode()
    assert "your consent is recorded" in done
    assert signature.document_id in done
    pdf = client.get(f"{case_a.url}records.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    disposition = pdf["Content-Disposition"]
    assert "consent-test-procedure-" in disposition
    assert "Ana" not in disposition and "Lopez" not in disposition
    actions = list(AuditEvent.objects.filter(request=request).values_list("action", flat=True))
    assert actions[:3] == ["created", "identity_verified", "step_completed"]
    assert {"question_asked", "review_confirmed", "signed", "document_rendered"} <= set(actions)


def test_declining_is_signed_and_recorded(client, case_a):
    walk_to_decision(client, case_a)
    client.post(f"{case_a.url}decide/", {"decision": "decline"})

    response = client.post(f"{case_a.url}sign/decline/", sign_post())

    assert response["Location"].endswith("/done/")
    request = case_a.refresh()
    assert request.status == Status.DECLINED
    assert "I have decided not to have a test procedure." in request.signature.statement
    assert "Your decision is recorded" in client.get(f"{case_a.url}done/").content.decode()


def test_needing_to_talk_first_is_recorded_and_the_patient_can_decide_later(client, case_a):
    walk_to_decision(client, case_a)

    response = client.post(f"{case_a.url}decide/", {"decision": "discuss"})

    assert response["Location"].endswith("/done/")
    assert case_a.refresh().status == Status.NEEDS_DISCUSSION
    assert "We'll be in touch" in client.get(f"{case_a.url}done/").content.decode()
    assert not Signature.objects.filter(request=case_a.request).exists()
    client.post(f"{case_a.url}decide/", {"decision": "consent"})
    client.post(f"{case_a.url}sign/consent/", sign_post())
    assert case_a.refresh().status == Status.SIGNED


def test_a_name_that_does_not_match_is_refused_and_everything_else_is_kept(client, case_a):
    walk_to_decision(client, case_a)

    response = client.post(
        f"{case_a.url}sign/consent/",
        sign_post(name="Anna Lopes", interpreter_name="Marta Ruiz", interpreter_language="Spanish"),
    )
    text = response.content.decode()

    assert response.status_code == 200
    assert "The name you typed doesn&#x27;t match" in text
    assert 'value="Anna Lopes"' in text
    assert 'value="Marta Ruiz"' in text and 'value="Spanish"' in text
    assert not Signature.objects.filter(request=case_a.request).exists()


def test_a_representative_must_give_their_name_and_relationship(client, case_a):
    walk_to_decision(client, case_a)

    response = client.post(
        f"{case_a.url}sign/consent/",
        {"signer": "representative", "typed_name": "Carmen López", "representative_name": "Carmen López"},
    )

    assert "Say how you are related to the patient." in response.content.decode()
    assert not Signature.objects.filter(request=case_a.request).exists()


def test_a_representative_signs_with_their_own_name(client, case_a):
    walk_to_decision(client, case_a)

    client.post(
        f"{case_a.url}sign/consent/",
        {
            "signer": "representative",
            "typed_name": "carmen lopez",
            "representative_name": "Carmen López",
            "representative_relationship": "Daughter",
        },
    )

    signature = Signature.objects.get(request=case_a.request)
    assert (signature.signer, signature.representative_relationship) == ("representative", "Daughter")
    assert "I am signing for the patient" in signature.statement


def test_submitting_the_signature_twice_makes_one_signature_and_the_same_confirmation(client, case_a):
    walk_to_decision(client, case_a)

    first = client.post(f"{case_a.url}sign/consent/", sign_post())
    second = client.post(f"{case_a.url}sign/consent/", sign_post())
    other_tab = client.post(f"{case_a.url}sign/decline/", sign_post())

    assert first["Location"] == second["Location"] == other_tab["Location"]
    assert Signature.objects.filter(request=case_a.request).count() == 1
    assert case_a.refresh().status == Status.SIGNED


def test_a_signed_record_cannot_be_changed_through_the_journey(client, case_a):
    walk_to_decision(client, case_a)
    client.post(f"{case_a.url}sign/consent/", sign_post())

    for page in ["risks/", "questions/", "review/", "decide/"]:
        response = client.post(f"{case_a.url}{page}", {"question": "changed"})
        assert response["Location"].endswith("/done/"), page
    assert case_a.request.questions.count() == 1


# Withdrawal ---------------------------------------------------------------------


def test_withdrawing_before_the_appointment_keeps_the_pdf(client, case_a, django_capture_on_commit_callbacks):
    walk_to_decision(client, case_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{case_a.url}sign/consent/", sign_post())

    page = client.get(f"{case_a.url}withdraw/")
    response = client.post(f"{case_a.url}withdraw/", {"reason": "I want to wait"}, follow=True)

    assert page.status_code == 200
    request = case_a.refresh()
    assert request.status == Status.WITHDRAWN
    assert request.withdrawal_reason == "I want to wait"
    assert "Your consent has been withdrawn" in response.content.decode()
    assert ConsentDocument.objects.filter(signature__request=request).exists()
    assert AuditEvent.objects.filter(request=request, action="withdrawn").exists()


def test_withdrawing_after_the_appointment_is_refused_with_a_message(client, case_a, settings):
    settings.PROCEED_PATIENT_IDLE_MINUTES = 30 * 24 * 60  # the clock jumps a week here; not about timeouts
    walk_to_decision(client, case_a)
    client.post(f"{case_a.url}sign/consent/", sign_post())

    with time_machine.travel(case_a.request.appointment_at + datetime.timedelta(hours=1)):
        response = client.post(f"{case_a.url}withdraw/", {"reason": "late"}, follow=True)

    assert "appointment time has passed" in response.content.decode()
    assert case_a.refresh().status == Status.SIGNED


def test_procedure_information_can_be_downloaded_from_every_step_after_the_identity_check(client, case_a):
    verify(client, case_a)
    client.post(f"{case_a.url}about/")

    risks_page = client.get(f"{case_a.url}risks/").content.decode()
    response = client.get(f"{case_a.url}information.pdf")

    assert f'href="{case_a.url}information.pdf"' in risks_page
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="information-test-procedure-version-1.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_patient_pages_show_no_staff_controls_to_a_signed_in_nurse(client, nurse, case_a):
    client.force_login(nurse)

    text = client.get(case_a.url).content.decode()

    assert "Sign out" not in text
    assert "/accounts/logout/" not in text


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_consent_pdf_before_signing_goes_to_the_current_step_with_a_plain_message(client, case_a, language):
    ConsentRequest.objects.filter(pk=case_a.request.pk).update(language=language)
    verify(client, case_a)
    client.post(f"{case_a.url}about/")

    response = client.get(f"{case_a.url}records.pdf", follow=True)

    assert response.redirect_chain == [(f"{case_a.url}risks/", 302)]
    text = response.content.decode()
    expected = {
        "en": "Your signed record will be ready to download once you have signed.",
        "es": "Su registro firmado podrá descargarse cuando haya firmado.",
    }
    assert expected[language] in text.replace("&#x27;", "'")


def test_the_last_try_says_the_link_will_lock_and_what_to_do_then(client, case_a, settings):
    for _ in range(3):
        client.post(f"{case_a.url}identity/", dob_post(DOB + datetime.timedelta(days=1)))
    earlier = client.post(f"{case_a.url}identity/", dob_post(DOB + datetime.timedelta(days=2)))
    text = " ".join(earlier.content.decode().replace("&#x27;", "'").split())

    assert "You have 1 try left." in text
    assert (
        f"If this one is wrong too, the link will lock. Then call {settings.CLINIC_NAME} on {settings.CLINIC_PHONE} "
        "and they will send you a new link." in text
    )
    two_left = client.get(f"{case_a.url}identity/")
    assert "the link will lock" not in two_left.content.decode()


def test_coming_back_on_the_same_device_says_welcome_back_and_continue(client, case_a):
    def text(response) -> str:
        return " ".join(response.content.decode().replace("&#x27;", "'").split())

    first = text(client.get(case_a.url))
    verify(client, case_a)
    again = text(client.get(case_a.url))

    assert '<h1 class="mb-3">Welcome</h1>' in first and "we will check it's you" in first and ">Start<" in first
    assert "Welcome back" in again and "Continue where you left off" in again
    assert "we will check it's you" not in again and ">Start<" not in again


def test_each_page_counts_the_pages_the_patient_really_goes_through(client, case_a):
    def step_label(url: str) -> str:
        return re.search(r"Step (\d+) of (\d+)", client.get(url).content.decode()).group(0)

    assert step_label(case_a.url) == "Step 1 of 10"
    assert step_label(f"{case_a.url}identity/") == "Step 2 of 10"
    walk_to_decision(client, case_a)
    assert step_label(f"{case_a.url}questions/") == "Step 7 of 10"
    assert step_label(f"{case_a.url}review/") == "Step 8 of 10"
    assert step_label(f"{case_a.url}decide/") == "Step 9 of 10"
    assert step_label(f"{case_a.url}sign/consent/") == "Step 10 of 10"


def test_change_from_the_review_page_comes_back_to_it_after_saving(client, case_a):
    walk_to_decision(client, case_a)
    review = client.get(f"{case_a.url}review/").content.decode()
    assert f'href="{case_a.url}risks/?from=review"' in review

    page = client.get(f"{case_a.url}risks/?from=review").content.decode()
    assert '<input type="hidden" name="return_to" value="review">' in page
    # An error on the way keeps the way back.
    unticked = client.post(f"{case_a.url}risks/", {"return_to": "review"}).content.decode()
    assert '<input type="hidden" name="return_to" value="review">' in unticked
    response = client.post(f"{case_a.url}risks/", {**risks_post(case_a), "return_to": "review"})
    assert response["Location"].endswith("/review/")
    # Without the marker, saving goes on to the next step as usual; and the review must be confirmed again.
    assert client.post(f"{case_a.url}preparing/", preparing_post(case_a))["Location"].endswith("/understanding/")
    assert client.get(f"{case_a.url}decide/")["Location"].endswith("/review/")


def test_the_way_back_to_review_is_ignored_before_every_step_is_done(client, case_a):
    verify(client, case_a)
    client.post(f"{case_a.url}about/")
    response = client.post(f"{case_a.url}risks/", {**risks_post(case_a), "return_to": "review"})
    assert response["Location"].endswith("/preparing/")
