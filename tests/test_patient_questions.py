"""Questions put to the patient: asked only of those they concern; an answer needing follow-up says what to do."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from consent import services
from consent.models import ChecklistAnswer, ConsentRequest
from procedures.models import ChecklistItem
from procedures.services import load_sample_procedures, publish_procedure
from tests.conftest import make_case


def patient(born: datetime.date, pregnancy: str = "") -> dict:
    return {"mrn": f"Q-{born:%Y%m%d}-{pregnancy or 'x'}", "full_name": "Sam Lee", "date_of_birth": born}


def preparing_page(case) -> str:
    client = Client()
    dob = case.request.patient.date_of_birth
    client.post(f"{case.url}identity/", {"day": dob.day, "month": dob.month, "year": dob.year})
    services.read_about(consent_request=case.request, ip=None)
    services.save_risk_answers(
        consent_request=case.request,
        acknowledged={r["key"] for r in case.request.content["risks"]},
        to_discuss=set(),
        ip=None,
    )
    return client.get(f"{case.url}preparing/").content.decode()


@pytest.fixture
def lumbar(db):
    load_sample_procedures()
    from procedures.models import Procedure

    return Procedure.objects.get(slug="lumbar-puncture")


PREGNANCY = "Is there any chance you could be pregnant?"


@pytest.mark.parametrize(
    ("age", "pregnancy", "asked"),
    [
        (68, "no", False),  # the 68-year-old man: too old, and his record says he cannot be
        (68, "", False),  # past the age range, whatever the record says
        (30, "no", False),  # the record says she cannot be pregnant
        (30, "", True),  # not recorded: asked, safe by default
        (30, "yes", True),
        (10, "", False),  # too young
    ],
)
def test_the_pregnancy_question_is_asked_only_of_patients_it_concerns(lumbar, age, pregnancy, asked):
    appointment = timezone.now() + datetime.timedelta(days=7)
    born = (appointment - datetime.timedelta(days=int(365.25 * age) + 30)).date()
    case = make_case(lumbar, patient(born))
    case.request.patient.could_be_pregnant = pregnancy
    case.request.patient.save()

    page = preparing_page(case)

    assert (PREGNANCY in page) is asked
    assert "Do you take a medicine that thins your blood?" in page, "other questions are asked of everyone"
    # The nurse's checklist item stays, whatever is asked.
    assert any(item["category"] == "pregnancy" for item in case.request.content["checklist_items"])
    # Answering every question asked is enough to finish the page.
    content = case.request.content
    services.save_preparation_answers(
        consent_request=case.request,
        acknowledged={s["key"] for s in content["preparation_steps"]},
        answers={i["key"]: i["expected_answer"] for i in case.request.patient_questions(content)},
        ip=None,
    )
    case.refresh()
    assert case.request.progress >= 5


def test_an_answer_needing_follow_up_says_what_to_do_at_once_and_after_saving(published_procedure, case_a):
    ChecklistItem.objects.filter(procedure=published_procedure).update(
        patient_prompt="Please call the clinic before you stop or change any medicine."
    )
    publish_procedure(procedure=published_procedure, published_by=None, change_summary="Prompt", is_material=False)
    case = make_case(
        published_procedure, {"mrn": "P-1", "full_name": "Pat Doe", "date_of_birth": datetime.date(1960, 1, 1)}
    )
    client = Client()
    client.post(f"{case.url}identity/", {"day": 1, "month": 1, "year": 1960})
    client.post(f"{case.url}about/")
    client.post(f"{case.url}risks/", {f"ack_{r['key']}": "on" for r in case.request.content["risks"]})
    page = client.get(f"{case.url}preparing/").content.decode()
    assert "Please call the clinic before you stop or change any medicine." in page
    assert 'proceed-answer-prompt" role="status" hidden' in page, "hidden until an answer needs it"
    assert "js/answer-prompts.js" in page

    item = case.request.content["checklist_items"][0]
    step = case.request.content["preparation_steps"][0]
    response = client.post(
        f"{case.url}preparing/", {f"ack_{step['key']}": "on", f"answer_{item['key']}": "yes"}, follow=True
    )

    assert "Please call the clinic before you stop or change any medicine." in response.content.decode()
    assert ChecklistAnswer.objects.get(request=case.request).needs_attention
    again = client.get(f"{case.url}preparing/").content.decode()
    assert 'proceed-answer-prompt" role="status">' in again, "shown beside the saved answer"


def test_without_a_prompt_written_the_patient_is_asked_to_call_the_clinic(case_a, settings):
    from journey.views import answer_prompt

    item = case_a.request.content["checklist_items"][0]
    assert answer_prompt(item) == (
        f"Thank you for telling us. Please call {settings.CLINIC_NAME} on {settings.CLINIC_PHONE} "
        "before your appointment to talk about this."
    )


def test_the_nurse_records_whether_the_patient_could_be_pregnant(client, nurse, published_procedure):
    client.force_login(nurse)
    form = {
        "mrn": "NEW-1",
        "full_name": "Rae Smith",
        "date_of_birth": "1990-05-05",
        "preferred_language": "en",
        "could_be_pregnant": "no",
        "procedure": published_procedure.pk,
        "appointment_date": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(),
        "appointment_time": "09:30",
        "clinician": "Dr Shah",
    }
    response = client.post("/staff/requests/new/", form)
    assert response.status_code == 200, response.content.decode()[:500]
    request = ConsentRequest.objects.get(patient__mrn="NEW-1")
    assert request.patient.could_be_pregnant == "no"
    bad = client.post("/staff/requests/new/", {**form, "mrn": "NEW-2", "could_be_pregnant": "maybe"})
    assert (
        "Choose one of the answers in the list" in bad.content.decode() and 'value="Rae Smith"' in bad.content.decode()
    )
