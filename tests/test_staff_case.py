"""The nurse's view of one case: what the patient flagged, asked and signed."""

import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from consent import services
from tests.conftest import complete_journey, sign_case


def case_url(case):
    return reverse("staff:case", args=[case.request.public_id])


def test_nurse_sees_the_risks_the_patient_wants_to_talk_about_and_their_questions(client, nurse, case_a):
    complete_journey(case_a)
    risk = case_a.request.content["risks"][0]
    services.save_risk_answers(
        consent_request=case_a.request, acknowledged={risk["key"]}, to_discuss={risk["key"]}, ip=None
    )
    client.force_login(nurse)

    text = client.get(case_url(case_a)).content.decode()

    assert "Ana María López" in text
    assert "<li>Wants to talk about the risk: Headache</li>" in text
    assert "<li>Unanswered question: “Can I drive afterwards?”</li>" in text
    assert "Nothing flagged so far." not in text
    assert "Identity checked" in text


def test_a_case_whose_only_question_is_answered_says_nothing_is_flagged(client, nurse, case_a):
    complete_journey(case_a)  # one question asked, every answer as expected, every quiz answer right
    services.answer_patient_question(question=case_a.request.questions.get(), reply_note="Phoned", user=nurse)
    client.force_login(nurse)

    text = client.get(case_url(case_a)).content.decode()

    assert "Nothing flagged so far." in text
    assert "Unanswered question" not in text


def test_nurse_sees_first_try_quiz_misses_and_flagged_answers(client, nurse, case_a):
    request = case_a.request
    question = request.content["questions"][0]
    item = request.content["checklist_items"][0]
    services.verify_identity(consent_request=request, date_of_birth=request.patient.date_of_birth, ip=None)
    services.read_about(consent_request=request, ip=None)
    services.save_risk_answers(
        consent_request=request, acknowledged={r["key"] for r in request.content["risks"]}, to_discuss=set(), ip=None
    )
    services.save_preparation_answers(
        consent_request=request,
        acknowledged={s["key"] for s in request.content["preparation_steps"]},
        answers={item["key"]: "yes"},
        ip=None,
    )
    services.answer_quiz(consent_request=request, answers={question["key"]: 2}, ip=None)
    client.force_login(nurse)

    text = client.get(case_url(case_a)).content.decode()

    assert f"Got this wrong at first: “{question['question']}”" in text
    assert "Patient said “Yes” to: Do you take blood thinners? (checklist: Blood thinners held)" in text
    assert "Nothing flagged so far." not in text, "a flagged answer alone is something flagged"


def test_nurse_downloads_the_signed_pdf(client, nurse, case_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign_case(case_a)
    client.force_login(nurse)

    response = client.get(reverse("staff:case_pdf", args=[case_a.request.public_id]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{signature.document_id}.pdf"'
    assert "no-store" in response["Cache-Control"]


def test_an_unknown_case_is_a_404(client, nurse, case_a):
    client.force_login(nurse)

    assert client.get(reverse("staff:case", args=[uuid.uuid4()])).status_code == 404
    assert client.get(reverse("staff:case_pdf", args=[case_a.request.public_id])).status_code == 404


@pytest.mark.parametrize("page", ["staff:case", "staff:case_pdf"])
def test_only_nurses_see_a_case(client, content_admin, case_a, page):
    url = reverse(page, args=[case_a.request.public_id])

    anonymous = client.get(url)
    client.force_login(content_admin)
    admin = client.get(url)

    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert admin.status_code == 403
    assert "Ana" not in admin.content.decode()


def test_nurse_sees_every_acknowledgement_and_quiz_result(client, nurse, case_a):
    complete_journey(case_a)
    client.force_login(nurse)

    rows = [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr>(.*?)</tr>", client.get(case_url(case_a)).content.decode(), re.S)
    ]
    today = timezone.localtime().strftime("%-d %b %Y")

    assert any(row.startswith(f"Headache {today}, ") for row in rows), rows
    assert any(row.startswith(f"Morning of Bring your medicines. {today}, ") for row in rows), rows
    assert "What should you do if you get a headache? right first time" in rows
