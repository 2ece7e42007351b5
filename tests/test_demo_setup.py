"""manage.py setup_demo: demo accounts, a demo patient and fresh links on every run (DEBUG only)."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from consent import services, state
from consent.models import ConsentRequest, Patient, Status
from procedures.roles import CONTENT_ADMINS, NURSES

LINK_PATTERN = re.compile(r"^  (.+): (http\S+/c/([A-Za-z0-9_-]+)/)$", re.MULTILINE)


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def setup_demo() -> dict[str, str]:
    """Run the command; return each procedure name with the token of its printed link."""
    out = io.StringIO()
    call_command("setup_demo", stdout=out)
    output = out.getvalue()
    assert "Demo patient links (date of birth: 12 April 1958):" in output
    return {name: token for name, _, token in LINK_PATTERN.findall(output.split("Demo patient links")[1])}


def test_creates_the_demo_accounts_patient_and_one_request_per_sample_procedure(db, debug):
    links = setup_demo()

    assert User.objects.get(username="nurse").groups.filter(name=NURSES).exists()
    editor = User.objects.get(username="editor")
    assert editor.is_staff and editor.groups.filter(name=CONTENT_ADMINS).exists()
    assert User.objects.get(username="admin").is_superuser
    patient = Patient.objects.get(mrn="DEMO-0001")
    assert (patient.full_name, patient.date_of_birth) == ("Alex Morgan", datetime.date(1958, 4, 12))
    assert patient.email == "alex.morgan@example.org"

    requests = list(ConsentRequest.objects.filter(patient=patient).order_by("appointment_at"))
    assert len(requests) == 4
    today = timezone.localdate()
    assert [timezone.localtime(r.appointment_at).date() for r in requests] == [
        today + datetime.timedelta(days=days) for days in (3, 4, 5, 6)
    ]
    assert {timezone.localtime(r.appointment_at).time() for r in requests} == {datetime.time(9, 0)}
    assert {r.clinician for r in requests} == {"Dr Priya Shah"}
    assert {r.status for r in requests} == {Status.INVITED}

    assert set(links) == {r.content["name"] for r in requests}
    for name, token in links.items():
        assert services.find_request_by_token(token).content["name"] == name


def test_running_twice_reissues_the_links_without_piling_up_requests(db, debug, client):
    first = setup_demo()
    second = setup_demo()

    assert ConsentRequest.objects.filter(status__in=state.OPEN).count() == 4
    assert ConsentRequest.objects.count() == 4
    assert User.objects.count() == 4  # nurse, clinician, editor, admin
    for name in first:
        assert services.find_request_by_token(first[name]) is None
        assert services.find_request_by_token(second[name]).content["name"] == name
    assert client.get(f"/c/{next(iter(second.values()))}/").status_code == 200


def test_a_finished_demo_request_is_replaced_by_a_new_one(db, debug):
    links = setup_demo()
    signed = services.find_request_by_token(next(iter(links.values())))
    ConsentRequest.objects.filter(pk=signed.pk).update(status=Status.SIGNED)

    setup_demo()

    assert ConsentRequest.objects.count() == 5
    assert ConsentRequest.objects.filter(status__in=state.OPEN).count() == 4


def test_refuses_to_run_without_debug(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only runs with DJANGO_DEBUG=1"):
        call_command("setup_demo", stdout=io.StringIO())

    assert not User.objects.exists()
