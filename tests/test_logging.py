"""Log output never holds a patient's link token."""

import io
import logging

import pytest
from django.test import Client

from config.logging import RedactPatientLinks


@pytest.fixture
def console_output():
    """What the configured console handler writes, captured."""
    handler = logging.getLogger("django").handlers[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_404_on_a_patient_link_logs_the_path_without_the_token(client, case_a, console_output):
    client.get(f"{case_a.url}no-such-page/")

    written = console_output.getvalue()
    assert "Not Found: /c/<token>/no-such-page/" in written
    assert case_a.token not in written


def test_a_refused_csrf_check_logs_no_token(case_a, console_output):
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(f"{case_a.url}identity/", {"day": "1", "month": "1", "year": "1950"})

    assert response.status_code == 403
    assert "Forbidden" in console_output.getvalue()
    assert case_a.token not in console_output.getvalue()


def test_every_handler_of_djangos_loggers_redacts_links():
    for name in ["django", "django.server"]:
        # pytest adds its own capturing handlers; every other handler must be ours, with the filter.
        handlers = [h for h in logging.getLogger(name).handlers if not type(h).__module__.startswith("_pytest")]
        assert handlers, name
        for handler in handlers:
            assert any(isinstance(f, RedactPatientLinks) for f in handler.filters), (name, handler)


def test_a_dead_link_logs_no_token(client, case_a, console_output):
    type(case_a.request).objects.filter(pk=case_a.request.pk).update(status="locked")

    client.get(case_a.url)

    assert case_a.token not in console_output.getvalue()
