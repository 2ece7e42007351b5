""" "About how long this takes" comes from the length of what the patient reads, not a fixed 15 minutes."""

from __future__ import annotations

import copy

from django.core import mail
from django.test import Client

from consent import services
from procedures.models import Procedure
from procedures.readability import estimated_minutes
from procedures.services import load_sample_procedures
from tests.conftest import PATIENT_B, make_case


def test_the_estimate_grows_with_the_text_and_differs_by_procedure(db):
    load_sample_procedures()
    estimates = {p.slug: estimated_minutes(p.current_version.content) for p in Procedure.objects.all()}
    assert all(20 <= minutes <= 40 for minutes in estimates.values()), estimates
    assert len(set(estimates.values())) > 1, "not the same for every procedure"
    content = Procedure.objects.get(slug="lumbar-puncture").current_version.content
    longer = copy.deepcopy(content)
    longer["what_happens"] += " More words to read." * 300
    assert estimated_minutes(longer) > estimated_minutes(content)


def test_the_welcome_page_the_email_and_the_letter_give_the_cases_own_estimate(case_a, nurse, client, db):
    load_sample_procedures()
    lumbar = make_case(Procedure.objects.get(slug="lumbar-puncture"), PATIENT_B, email="bob@example.org")
    for case in (case_a, lumbar):
        minutes = case.request.minutes_to_complete
        welcome = Client().get(case.url).content.decode()
        assert f"This will take about {minutes} minutes." in welcome and "15 minutes" not in welcome
    assert case_a.request.minutes_to_complete == 10 and lumbar.request.minutes_to_complete >= 20

    services.send_invite_email(consent_request=lumbar.request, token=lumbar.token)
    assert f"It takes about {lumbar.request.minutes_to_complete} minutes." in mail.outbox[0].body
