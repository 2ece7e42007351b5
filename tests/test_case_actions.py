"""A nurse's actions on a case: reissue the link, cancel, answer the patient's questions."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from consent import services
from consent.models import AuditEvent, PatientQuestion, Status
from tests.conftest import complete_journey, sign_case

LINK = re.compile(r"/c/([A-Za-z0-9_-]{20,})/")


def reissue_url(case):
    return reverse("staff:reissue", args=[case.request.public_id])


def cancel_url(case):
    return reverse("staff:cancel", args=[case.request.public_id])


@pytest.mark.parametrize("page", ["staff:reissue", "staff:cancel"])
def test_case_actions_are_for_nurses_only(client, content_admin, case_a, page):
    url = reverse(page, args=[case_a.request.public_id])

    anonymous = client.get(url)
    client.force_login(content_admin)
    forbidden = client.post(url)

    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert forbidden.status_code == 403
    assert case_a.refresh().status == Status.CREATED


@pytest.mark.parametrize("user_fixture", ["nurse", "superuser"])
def test_reissue_asks_first_then_shows_the_new_link_once_and_the_old_one_stops_working(
    client, request, case_a, user_fixture
):
    client.force_login(request.getfixturevalue(user_fixture))

    confirm = client.get(reissue_url(case_a))
    response = client.post(reissue_url(case_a))
    text = response.content.decode()

    assert "current link will stop working" in confirm.content.decode()
    assert response.status_code == 200
    new_token = LINK.search(text).group(1)
    assert new_token != case_a.token
    assert services.find_request_by_token(case_a.token) is None
    assert services.find_request_by_token(new_token) == case_a.request
    assert client.get(case_a.url).status_code == 404
    assert "<svg" in text and "QR code of the patient" in text
    assert "Dear Ana María López" in text
    assert AuditEvent.objects.filter(request=case_a.request, action="link_reissued").exists()
    assert "no-store" in response["Cache-Control"]


def test_reissue_unlocks_a_locked_link(client, nurse, case_a):
    for _ in range(5):
        services.verify_identity(
            consent_request=case_a.request, date_of_birth=case_a.request.patient.date_of_birth.replace(day=1), ip=None
        )
    assert case_a.refresh().status == Status.LOCKED
    client.force_login(nurse)

    client.post(reissue_url(case_a))

    request = case_a.refresh()
    assert request.status == Status.INVITED
    assert request.failed_identity_attempts == 0


def test_reissue_can_email_the_new_link(client, nurse, case_a):
    client.force_login(nurse)

    response = client.post(reissue_url(case_a), {"send_email": "on"})

    new_token = LINK.search(response.content.decode()).group(1)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@example.org"]
    assert new_token in mail.outbox[0].body
    assert "We emailed the new link" in response.content.decode()


def test_reissue_on_a_signed_request_gives_a_link_to_the_record_and_keeps_the_decision(client, nurse, case_a):
    sign_case(case_a)
    client.force_login(nurse)

    page = client.get(reissue_url(case_a)).content.decode()
    response = client.post(reissue_url(case_a))

    assert "Their decision stays as recorded" in page
    assert response.status_code == 200 and LINK.search(response.content.decode())
    assert services.find_request_by_token(case_a.token) is None, "the old link no longer works"
    case_a.refresh()
    assert case_a.request.status == Status.SIGNED


def test_reissue_on_a_cancelled_request_is_refused_with_a_message(client, nurse, case_a):
    services.cancel_request(consent_request=case_a.request, user=nurse)
    client.force_login(nurse)

    response = client.post(reissue_url(case_a))

    assert response.status_code == 200
    assert "can&#x27;t be reissued" in response.content.decode()
    assert services.find_request_by_token(case_a.token) == case_a.request
    assert not AuditEvent.objects.filter(request=case_a.request, action="link_reissued").exists()


def test_cancel_asks_first_then_cancels_and_kills_the_link(client, nurse, case_a):
    client.force_login(nurse)

    confirm = client.get(cancel_url(case_a))
    response = client.post(cancel_url(case_a), {"reason": "No longer needed"})

    assert "Cancel this request?" in confirm.content.decode()
    assert response.status_code == 302
    assert case_a.refresh().status == Status.CANCELLED
    assert AuditEvent.objects.filter(request=case_a.request, action="cancelled").exists()
    assert client.get(case_a.url).status_code == 404


def test_cancelling_a_signed_request_is_refused(client, nurse, case_a):
    sign_case(case_a)
    client.force_login(nurse)

    response = client.post(cancel_url(case_a), {"reason": "No longer needed"})

    assert response.status_code == 200
    assert "can&#x27;t be cancelled" in response.content.decode()
    assert case_a.refresh().status == Status.SIGNED


def answer_url(question):
    return reverse("staff:answer_question", args=[question.pk])


def test_nurse_marks_a_question_answered_with_a_note(client, nurse, case_a):
    complete_journey(case_a)
    question = PatientQuestion.objects.get(request=case_a.request)
    client.force_login(nurse)

    response = client.post(
        answer_url(question), {f"question-{question.pk}-reply_note": "Phoned: yes, after 24 hours."}, follow=True
    )

    question.refresh_from_db()
    assert question.answered_by == nurse
    assert question.reply_note == "Phoned: yes, after 24 hours."
    assert "Marked as answered." in response.content.decode()
    assert "Phoned: yes, after 24 hours." in response.content.decode()
    assert AuditEvent.objects.filter(request=case_a.request, action="question_answered").exists()


@pytest.mark.parametrize("note", ["", "   ", "x" * 2001])
def test_answering_without_a_usable_note_is_refused(client, nurse, case_a, note):
    complete_journey(case_a)
    question = PatientQuestion.objects.get(request=case_a.request)
    client.force_login(nurse)

    response = client.post(answer_url(question), {f"question-{question.pk}-reply_note": note}, follow=True)

    assert "Write a short note" in response.content.decode()
    question.refresh_from_db()
    assert question.answered_at is None


def test_answering_is_for_nurses_only(client, content_admin, case_a):
    complete_journey(case_a)
    question = PatientQuestion.objects.get(request=case_a.request)
    client.force_login(content_admin)

    response = client.post(answer_url(question), {f"question-{question.pk}-reply_note": "Done"})

    assert response.status_code == 403
    question.refresh_from_db()
    assert question.answered_at is None


def test_the_new_request_page_shows_a_qr_code_and_a_printable_letter(client, nurse, published_procedure):
    import datetime

    from django.utils import timezone

    client.force_login(nurse)
    day = timezone.localdate() + datetime.timedelta(days=5)

    response = client.post(
        reverse("staff:new_request"),
        {
            "mrn": "MRN-9911",
            "full_name": "Olu Adeyemi",
            "date_of_birth": "1970-05-05",
            "preferred_language": "en",
            "procedure": published_procedure.pk,
            "appointment_date": day.isoformat(),
            "appointment_time": "09:30",
            "clinician": "Dr Shah",
        },
    )
    text = response.content.decode()

    assert response.status_code == 200, text[:3000]
    assert "<svg" in text
    assert "Dear Olu Adeyemi" in text
    assert "print-letter.js" in text
