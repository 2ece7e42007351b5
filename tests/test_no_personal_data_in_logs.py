"""The whole journey, logged at DEBUG by every logger, writes nothing personal.

A nurse creates the request (emailing the link), the patient gets a date of
birth wrong once, then goes from the identity check to the signed PDF and
downloads it; a second patient signs and withdraws; the nurse opens the case,
marks the checklist, signs it off and, on the day, confirms consent; and
someone tries a link that doesn't exist. Every record any logger makes is kept
and searched for the patients' names (and each part of them), dates of birth in
the usual formats, record numbers, emails, phone numbers and link tokens: in
the formatted message, its arguments and any exception text.

Two things are searched: every record as it is made (a handler placed before
the project's own, so nothing has been redacted yet), and what the project's
own handlers write (their streams, after `config.logging.RedactPatientLinks`).
Nothing personal may reach a logger at all; a link token may reach one (Django
logs the path of a 404) but must never be written.
"""

from __future__ import annotations

import datetime
import io
import logging
import re
import secrets
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consent.models import ConsentRequest, Status
from tests.conftest import PASSWORD, PATIENT_A

ANA = {
    "mrn": "MRN-A-1001",
    "full_name": "Ana María López",
    "date_of_birth": datetime.date(1950, 3, 14),
    "email": "ana.lopez@example.org",
    "phone": "+44 7700 900123",
}
BOB = {
    "mrn": "MRN-B-2002",
    "full_name": "Bob Brown",
    "date_of_birth": datetime.date(1962, 11, 2),
    "email": "bob.brown@example.org",
    "phone": "+44 7700 900456",
}


def personal_data(patient: dict) -> list[str]:
    """Regular expressions for everything that would identify the patient."""
    name = patient["full_name"]
    born = patient["date_of_birth"]
    words = name.split()
    plain = [_without_accents(word) for word in words]
    values = [
        name,
        _without_accents(name),
        "".join(plain).casefold(),  # the name as compared when signing
        patient["mrn"],
        *[patient[key] for key in ("email", "phone") if patient.get(key)],
        *[patient["phone"].replace(" ", "") for key in ["phone"] if patient.get(key)],
        born.isoformat(),
        born.strftime("%d/%m/%Y"),
        born.strftime("%m/%d/%Y"),
        born.strftime("%d.%m.%Y"),
        born.strftime("%Y%m%d"),
        f"{born.day} {born:%B %Y}",
        f"{born:%B} {born.day}, {born.year}",
        f"{born.day} {born:%b %Y}",
        repr(born),  # datetime.date(1950, 3, 14)
    ]
    # As they would appear in a URL's query string.
    values += [quote(value) for value in (name, patient.get("email", "")) if value]
    values += [quote_plus(name)]
    # Each part of the name on its own, as a word (so "Ana" is found, "Analysis" is not), also URL-encoded.
    parts = {*words, *plain, *(quote(word) for word in words)}
    return [re.escape(value) for value in values] + [rf"(?<![\w%]){re.escape(word)}(?!\w)" for word in parts]


def _without_accents(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


# Capturing ---------------------------------------------------------------------------------------


@dataclass
class Written:
    logger: str
    level: str
    message: str  # the message as formatted, its arguments and its template
    exception: str = ""  # any exception's text and stack

    @property
    def text(self) -> str:
        return f"{self.message}\n{self.exception}"


class Recorder(logging.Handler):
    """Keeps each record's message, arguments and exception text, formatted when it is emitted
    (a filter further along may change the record afterwards)."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.written: list[Written] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = "\n".join([record.getMessage(), repr(record.args), str(record.msg)])
        exception = [record.exc_text or "", record.stack_info or ""]
        if record.exc_info:
            exception.append(logging.Formatter().formatException(record.exc_info))
        self.written.append(Written(record.name, record.levelname, message, "\n".join(exception)))


@dataclass
class Logs:
    raw: list[Written]  # every record, as made
    written: io.StringIO  # what the project's handlers wrote
    caplog: pytest.LogCaptureFixture


@pytest.fixture
def logs(caplog):
    """Every logger at DEBUG; its records as made, and what the project's handlers write."""
    caplog.set_level(logging.DEBUG)
    raw, written = Recorder(), io.StringIO()
    loggers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    levels = {logger: logger.level for logger in loggers}
    # Where records stop: the root, and every logger that doesn't pass them on ("django" doesn't).
    ends = [logger for logger in loggers if logger is logging.getLogger() or not logger.propagate]
    # The project's own handlers (not pytest's), writing into `written` for the test.
    ours = {
        handler
        for logger in ends
        for handler in logger.handlers
        if isinstance(handler, logging.StreamHandler) and not type(handler).__module__.startswith("_pytest")
    }
    streams = {handler: handler.setStream(written) for handler in ours}
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    for logger in ends:
        logger.handlers.insert(0, raw)
    try:
        yield Logs(raw.written, written, caplog)
    finally:
        for logger in ends:
            logger.removeHandler(raw)
        for logger, level in levels.items():
            logger.setLevel(level)
        for handler, stream in streams.items():
            handler.setStream(stream)


def findings(records: list[Written], patterns: list[str]) -> list[str]:
    found = []
    for record in records:
        for pattern in patterns:
            if re.search(pattern, record.text):
                found.append(f"{record.logger} {record.level}: {pattern!r} in {record.text[:300]!r}")
    return found


def findings_in_text(text: str, patterns: list[str]) -> list[str]:
    found = []
    for pattern in patterns:
        for match in re.finditer(pattern, text):
            line_start = text.rfind("\n", 0, match.start()) + 1
            found.append(f"{pattern!r} written: {text[line_start : match.end() + 80]!r}")
            break
    return found


# The journey ---------------------------------------------------------------------------------------


def create_request(nurse_browser, procedure, patient: dict, appointment: datetime.datetime) -> tuple[str, object]:
    """The nurse's new-request form, emailing the link. Returns the token and the request."""
    response = nurse_browser.post(
        reverse("staff:new_request"),
        {
            "mrn": patient["mrn"],
            "full_name": patient["full_name"],
            "date_of_birth": patient["date_of_birth"].isoformat(),
            "email": patient["email"],
            "phone": patient["phone"],
            "preferred_language": "en",
            "procedure": procedure.pk,
            "appointment_date": appointment.date().isoformat(),
            "appointment_time": appointment.strftime("%H:%M"),
            "clinician": "Dr Rivera",
            "send_email": "on",
        },
    )
    assert response.status_code == 200, response.content[:500]
    token = response.context["link"].rstrip("/").rsplit("/", 1)[-1]
    return token, response.context["consent_request"]


def pass_identity(browser: Client, token: str, born: datetime.date) -> None:
    response = browser.post(
        reverse("journey:identity", args=[token]), {"day": born.day, "month": born.month, "year": born.year}
    )
    assert response.status_code == 302


def walk_to_signature(browser: Client, token: str, consent_request, patient: dict, question: str) -> None:
    """Every step of the journey through its own form, as the patient's browser posts it."""
    content = consent_request.content
    url = lambda name, *args: reverse(f"journey:{name}", args=[token, *args])  # noqa: E731
    steps = [
        ("about", {}),
        ("risks", {f"ack_{risk['key']}": "on" for risk in content["risks"] if risk["is_material"]}),
        (
            "preparing",
            {f"ack_{step['key']}": "on" for step in content["preparation_steps"]}
            | {
                f"answer_{item['key']}": item["expected_answer"]
                for item in content["checklist_items"]
                if item["patient_question"]
            },
        ),
        ("understanding", {f"q_{q['key']}": str(q["correct_choice"]) for q in content["questions"]}),
        ("questions", {"question": question}),
        ("review", {"confirmed": "on"}),
        ("decide", {"decision": "consent"}),
    ]
    for name, data in steps:
        assert browser.get(url(name)).status_code == 200, name
        response = browser.post(url(name), data)
        assert response.status_code == 302, (name, response.content[:300])
    response = browser.post(
        url("sign", "consent"),
        {
            "signer": "patient",
            "typed_name": patient["full_name"].upper(),
            "interpreter_name": "",
            "drawn_signature": "data:image/png;base64,"
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
        },
        HTTP_USER_AGENT=f"Mozilla/5.0 ({patient['full_name']}'s phone)",
    )
    assert response.status_code == 302, response.content[:300]


def test_the_whole_journey_logs_nothing_personal(
    client, nurse, published_procedure, logs, django_capture_on_commit_callbacks, time_machine
):
    # django.template's DEBUG records print whole template contexts, the link among them: that is the
    # finding test_the_link_is_redacted_from_exception_text_too shows. Here it stays at its own level.
    logging.getLogger("django.template").setLevel(logging.INFO)
    appointment = timezone.localtime() + datetime.timedelta(days=3)
    appointment = appointment.replace(hour=9, minute=30, second=0, microsecond=0)
    client.force_login(nurse)

    # The nurse creates both requests, emailing the links.
    token, consent_request = create_request(client, published_procedure, ANA, appointment)
    bob_token, bob_request = create_request(client, published_procedure, BOB, appointment)
    client.get(reverse("staff:index"))

    # Ana: a wrong date of birth, then the right one, every step, the signature and the PDFs.
    patient = Client()
    patient.get(reverse("journey:welcome", args=[token]))
    patient.post(reverse("journey:identity", args=[token]), {"day": 15, "month": 3, "year": 1950})
    pass_identity(patient, token, ANA["date_of_birth"])
    with django_capture_on_commit_callbacks(execute=True):
        walk_to_signature(patient, token, consent_request, ANA, question=f"I'm {ANA['full_name']}: can I drive after?")
    assert patient.get(reverse("journey:done", args=[token])).status_code == 200
    for pdf in ("consent_pdf", "information_pdf"):
        response = patient.get(reverse(f"journey:{pdf}", args=[token]))
        assert response.status_code == 200, pdf
        b"".join(response.streaming_content)

    # Bob signs, then withdraws with a reason.
    bob = Client()
    pass_identity(bob, bob_token, BOB["date_of_birth"])
    with django_capture_on_commit_callbacks(execute=True):
        walk_to_signature(bob, bob_token, bob_request, BOB, question="")
    response = bob.post(
        reverse("journey:withdraw", args=[bob_token]), {"reason": f"{BOB['full_name']} changed his mind."}
    )
    assert response.status_code == 302
    assert ConsentRequest.objects.get(pk=bob_request.pk).status == Status.WITHDRAWN

    # Links that don't work: an unknown token, a page that doesn't exist under a real one.
    assert Client().get(f"/c/{secrets.token_urlsafe(32)}/").status_code == 404
    assert Client().get(f"/c/{token}/no-such-page/").status_code == 404

    # The nurse: the case, the answered question, the checklist and its sign-off.
    pid = [consent_request.public_id]
    assert client.get(reverse("staff:case", args=pid)).status_code == 200
    question = consent_request.questions.get()
    client.post(
        reverse("staff:answer_question", args=[question.pk]),
        {f"question-{question.pk}-reply_note": f"Phoned {ANA['full_name']} on {ANA['phone']}."},
    )
    for item in consent_request.content["checklist_items"]:
        client.post(
            reverse("staff:checklist_item", args=[*pid, item["key"]]),
            {f"item-{item['key']}-state": "done", f"item-{item['key']}-note": f"Checked with {ANA['full_name']}"},
        )
    assert client.get(reverse("staff:checklist", args=pid)).status_code == 200
    client.post(reverse("staff:checklist_sign_off", args=pid), {"password": "not my password"})
    response = client.post(reverse("staff:checklist_sign_off", args=pid), {"password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("staff:checklist_pdf", args=pid)).status_code == 200
    assert client.get(reverse("staff:case_pdf", args=pid)).status_code == 200

    # On the day, the nurse confirms consent (signing in again: the idle session has ended).
    time_machine.move_to(appointment - datetime.timedelta(hours=1))
    client.force_login(nurse)
    response = client.post(reverse("staff:confirm", args=pid))
    assert response.status_code == 302
    assert ConsentRequest.objects.get(pk=consent_request.pk).status == Status.CONFIRMED

    # The capture works: the 404s were logged, as made and as written.
    assert sum(r.logger == "django.request" and "Not Found" in r.message for r in logs.raw) >= 2
    assert logs.written.getvalue().count("Not Found: /c/<token>/") >= 2
    personal = personal_data(ANA) + personal_data(BOB)
    tokens = [re.escape(token), re.escape(bob_token)]
    # Nothing personal reaches any logger at all.
    found = findings(logs.raw, personal)
    assert not found, "\n".join(found)
    # Tokens may reach a logger (Django logs a 404's path) but are never written.
    found = findings_in_text(logs.written.getvalue(), personal + tokens)
    found += findings([as_written(record) for record in logs.caplog.records], personal + tokens)
    assert not found, "\n".join(found)


def as_written(record: logging.LogRecord) -> Written:
    exception = logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
    return Written(record.name, record.levelname, record.getMessage(), exception)


def test_the_link_is_redacted_from_exception_text_too(case_a, logs):
    browser = Client()

    browser.get(reverse("journey:welcome", args=[case_a.token]))

    assert any(r.logger == "django.template" and case_a.token in r.exception for r in logs.raw)
    found = findings_in_text(logs.written.getvalue(), [re.escape(case_a.token)])
    assert not found, "\n".join(found)


def test_template_debug_records_hold_no_record_number(client, nurse, signed_case, logs):
    """Once a finding: django.template's DEBUG record of a variable it can't resolve carries the whole
    template context, and a patient's str() was "Patient <record number>"."""
    raw = logs.raw
    client.force_login(nurse)
    pid = [signed_case.request.public_id]
    for item in signed_case.request.content["checklist_items"]:
        client.post(reverse("staff:checklist_item", args=[*pid, item["key"]]), {f"item-{item['key']}-state": "done"})

    # The sign-off form, shown again after a wrong password: crispy's field template looks up
    # variables the context doesn't have, and each miss is logged with the context.
    client.post(reverse("staff:checklist_sign_off", args=pid), {"password": "wrong"})

    template_records = [r for r in raw if r.logger == "django.template"]
    assert template_records, "no django.template record: the page no longer shows this"
    found = findings(template_records, personal_data(PATIENT_A))
    assert not found, "\n".join(found[:3])


def test_searching_the_dashboard_logs_no_name_or_record_number(client, nurse, case_a, logs):
    raw = logs.raw
    client.force_login(nurse)

    for search in ("López", PATIENT_A["mrn"]):
        # As the page does it: the search is posted and kept in the session, never put in a URL.
        response = client.post(reverse("staff:index"), {"q": search}, follow=True)
        assert search not in response.redirect_chain[-1][0]
        assert [row.patient.mrn for row in response.context["page"].object_list] == [PATIENT_A["mrn"]]

    found = findings(raw, personal_data(PATIENT_A))
    assert not found, "\n".join(found[:3])


def test_the_checks_find_what_they_look_for():
    """The search is right: each form of the data is found in a line that holds it."""
    lines = [
        "Ana María López",
        "ana maria lopez -> anamarialopez",
        "born 14/03/1950",
        "born 14 March 1950",
        "born datetime.date(1950, 3, 14)",
        "record MRN-A-1001",
        "Ana",
        "mail ana.lopez@example.org",
        "phone +447700900123",
        "GET /staff/?q=L%C3%B3pez",
        "GET /staff/?q=Ana+Mar%C3%ADa+L%C3%B3pez",
    ]
    patterns = personal_data(ANA)

    for line in lines:
        assert findings([Written("x", "INFO", line)], patterns), line
    assert not findings([Written("x", "INFO", "Analysis of request 12: 3 risks")], patterns)
