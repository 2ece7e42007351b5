"""Free-text notes on a case, and a reason when cancelling: kept, shown, audited without their words."""

from __future__ import annotations

from django.urls import reverse

from consent.models import AuditEvent, CaseNote, Status


def test_a_nurse_adds_a_note_that_shows_on_the_case_and_is_audited_without_its_words(client, nurse, case_a):
    client.force_login(nurse)
    url = reverse("staff:add_note", args=[case_a.request.public_id])

    client.post(url, {"text": "Daughter will bring her; prefers mornings."})
    empty = client.post(url, {"text": "   "}, follow=True)

    note = CaseNote.objects.get()
    assert note.written_by == nurse
    page = client.get(reverse("staff:case", args=[case_a.request.public_id])).content.decode()
    assert "Daughter will bring her; prefers mornings." in page
    assert "Write the note first." in empty.content.decode()
    event = AuditEvent.objects.get(action="note_added")
    assert event.message == "Added a case note" and "Daughter" not in str(event.detail)
    assert client.get(url).status_code == 405


def test_cancelling_asks_why_and_keeps_the_reason(client, nurse, case_a):
    client.force_login(nurse)
    url = reverse("staff:cancel", args=[case_a.request.public_id])

    refused = client.post(url, {"reason": ""})
    response = client.post(url, {"reason": "Booked again for March"})

    assert "Say why the request is cancelled" in refused.content.decode()
    assert response.status_code == 302
    case_a.refresh()
    assert case_a.request.status == Status.CANCELLED and case_a.request.cancel_reason == "Booked again for March"
    page = client.get(reverse("staff:case", args=[case_a.request.public_id])).content.decode()
    assert "Cancelled: “Booked again for March”" in page
    assert "March" not in AuditEvent.objects.get(action="cancelled").message
