"""Preparation steps tied to the real date: "by Thursday 10 December", and a step whose day has passed."""

from __future__ import annotations

import datetime

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import dateformat, timezone

from consent.models import Acknowledgement, AuditEvent
from procedures.models import PreparationStep
from procedures.sample_content import SAMPLE_PROCEDURES
from procedures.services import publish_procedure
from tests.conftest import make_case

NOW = datetime.datetime(2026, 12, 6, 10, 0, tzinfo=datetime.UTC)  # a Sunday


def dated_case(procedure, *, days_ahead: int):
    PreparationStep.objects.filter(procedure=procedure).update(timing="7 days before", days_before=7)
    PreparationStep.objects.create(
        procedure=procedure, instruction="Arrange a lift home.", timing="The day before", days_before=1, order=5
    )
    publish_procedure(procedure=procedure, published_by=None, change_summary="Dates", is_material=True)
    return make_case(
        procedure,
        {"mrn": "D-1", "full_name": "Dee Day", "date_of_birth": datetime.date(1950, 2, 2)},
        days_ahead=days_ahead,
    )


def open_preparing(case) -> tuple[Client, str]:
    client = Client()
    dob = case.request.patient.date_of_birth
    client.post(f"{case.url}identity/", {"day": dob.day, "month": dob.month, "year": dob.year})
    client.post(f"{case.url}about/")
    client.post(f"{case.url}risks/", {f"ack_{r['key']}": "on" for r in case.request.content["risks"]})
    return client, " ".join(client.get(f"{case.url}preparing/").content.decode().replace("&#x27;", "'").split())


@time_machine.travel(NOW, tick=False)
def test_each_step_shows_its_real_date_and_a_passed_one_says_what_to_do(published_procedure, settings):
    case = dated_case(published_procedure, days_ahead=3)  # appointment Wednesday 9 December
    appointment = timezone.localdate(case.request.appointment_at)
    week_before = appointment - datetime.timedelta(days=7)
    day_before = appointment - datetime.timedelta(days=1)

    _client, page = open_preparing(case)

    assert f"7 days before</strong> · by {dateformat.format(week_before, 'l j F')}" in page
    assert f"The day before</strong> · by {dateformat.format(day_before, 'l j F')}" in page
    assert (
        f"This should have been done by {dateformat.format(week_before, 'l j F')}, which has passed. "
        f"Please call {settings.CLINIC_NAME} on {settings.CLINIC_PHONE} to ask what to do now." in page
    )
    assert page.count("proceed-step-overdue") == 1, "only the step whose day has passed"


@time_machine.travel(NOW, tick=False)
def test_a_step_shown_after_its_day_is_flagged_to_the_nurse(published_procedure, client, nurse):
    case = dated_case(published_procedure, days_ahead=3)
    patient, _page = open_preparing(case)
    content = case.request.content
    patient.post(f"{case.url}preparing/", {"action": "autosave"})

    late = Acknowledgement.objects.get(request=case.request, shown_late_on__isnull=False)
    assert late.shown_late_on == timezone.localdate() and late.due_on == timezone.localdate(
        case.request.appointment_at
    ) - datetime.timedelta(days=7)
    event = AuditEvent.objects.get(request=case.request, action="step_shown_late")
    assert event.message == f"A preparation step due {late.due_on:%-d %B} was shown on {late.shown_late_on:%-d %B}"
    assert str(late.item_key) == content["preparation_steps"][0]["key"]

    client.force_login(nurse)
    case_page = " ".join(client.get(reverse("staff:case", args=[case.request.public_id])).content.decode().split())
    assert f"Preparation step due {late.due_on:%-d %B} was shown on {late.shown_late_on:%-d %B}" in case_page
    dashboard = client.get(reverse("staff:index"), {"flag": "late_steps"}).content.decode()
    assert "Preparation shown after its date" in dashboard and "Dee Day" in dashboard
    patient.post(f"{case.url}preparing/", {"action": "autosave"})
    assert AuditEvent.objects.filter(action="step_shown_late").count() == 1, "recorded once"


@time_machine.travel(NOW, tick=False)
def test_the_date_is_in_the_patients_language(published_procedure):
    case = dated_case(published_procedure, days_ahead=10)
    case.request.language = "es"
    case.request.save(update_fields=["language"])
    _client, page = open_preparing(case)
    assert "antes del " in page and " de diciembre" in page


def test_a_version_published_before_dates_existed_still_shows_its_words(case_a):
    # The test procedure's step has no set day: its words only, no date, nothing overdue.
    _client, page = open_preparing(case_a)
    assert "Morning of</strong></p>" in page and "proceed-step-overdue" not in page


def test_every_sample_step_before_the_procedure_has_a_set_day():
    for procedure in SAMPLE_PROCEDURES:
        for step in procedure["preparation_steps"]:
            no_set_day = step["timing"].startswith(("After", "As soon as"))
            assert ("days_before" in step) is not no_set_day, (procedure["slug"], step["timing"])
