"""The day list: one day's appointments to print, and a bad date handled plainly."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from tests.conftest import PATIENT_B, make_case


def test_the_day_list_shows_that_days_appointments_with_their_state(client, nurse, published_procedure, case_a):
    tomorrow = make_case(published_procedure, PATIENT_B, days_ahead=1)
    client.force_login(nurse)
    day = timezone.localdate(tomorrow.request.appointment_at)

    page = " ".join(client.get(reverse("staff:day_list"), {"date": day.isoformat()}).content.decode().split())

    assert "Bob Brown" in page and "MRN-B-2002" in page and "Test procedure" in page and "Created" in page
    assert "Ana María López" not in page, "another day's appointment"
    assert "proceed-day-list" in page and "@media print" not in page


def test_a_bad_date_shows_todays_list_and_says_so(client, nurse):
    client.force_login(nurse)
    page = client.get(reverse("staff:day_list"), {"date": "2026-13-45"}).content.decode()
    assert "That date couldn" in page
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in page
