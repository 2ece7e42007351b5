"""Hostile input to every form a person can post: never a server error, never a record that breaks a page.

Property-based (hypothesis). Each form gets values no one should send: very
long strings, control characters (NUL, escape, right-to-left override), other
scripts, emoji and joiner sequences, SQL and HTML fragments, wrong types
(numbers, "NaN", "1e309", impossible dates), a list where one value goes
(duplicate fields) and missing fields, mixed with valid values so the later
checks are reached too. After each example the pages that show what was stored
are opened (the patient's, the nurse's case and dashboard, and the signed PDF's
HTML) and must answer without a 5xx and without the input's markup unescaped.

The test client raises a view's exception, so a 500 shows as its traceback.
The state a form needs is built once per test; each example runs in a
savepoint that is rolled back (and with the rate-limit cache emptied), so every
example starts from the same state. CI runs this file on SQLite and on
PostgreSQL, which refuses NUL characters in text columns.
"""

from __future__ import annotations

import datetime
import os
import string
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import quote, urlencode

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consent import services
from consent.models import ChecklistState, Decision, PatientQuestion, Signer, Status
from records import documents
from records.pdf import consent_pdf_html, information_pdf_html, render_consent_pdf
from tests.conftest import PASSWORD, PATIENT_A, make_case

# Hostile values -----------------------------------------------------------------------------

SCRIPTS = [
    "مرحبا، كيف حالك؟",
    "患者の同意書",
    "你好，世界",
    "नमस्ते, आप कैसे हैं?",
    "עברית ועוד",
    "Привет, мир",
    "ภาษาไทย",
    "Z̴̡̧a̸l̷g̶o̵ t̷e̸x̵t̶",
]
EMOJI = ["👩‍👩‍👧‍👦", "🏳️‍🌈", "👍🏽", "🧑🏿‍⚕️", "❤️‍🔥", "🇬🇧🇪🇸", "\U0001f600" * 3]
CONTROL = [
    "\x00",
    "a\x00b",
    "\x1b[2J\x1b[31mred",
    "\u202eevil\u202c",
    "\u200b\u200d\ufeff",
    "\x7f\x08\x0c",
    "line\r\nbreak",
    "\t\v\f",
    "\ufffe\uffff\U0010ffff",
    "\x85\u2028\u2029",
]
INJECTION = [
    "'; DROP TABLE consent_patient; --",
    '" OR "1"="1',
    "1); SELECT pg_sleep(5); --",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg/onload=alert(1)>",
    "javascript:alert(1)",
    "{{ request }}{% debug %}",
    "${7*7}#{7*7}",
    "%s%n%x%d",
    "../../../etc/passwd",
    "<!-- ]]> &amp;&lt;&#0;&#x0;",
    "**bold** <b>b</b> [x](javascript:alert(1))",
]
WRONG_TYPES = [
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "1e309",
    "-1e309",
    "-1",
    "0",
    "-0",
    "1.5",
    "0x1F",
    "1_000",
    "١٢",
    "²",
    "2147483648",
    "99999999999999999999",
    "9" * 5000,
    "2026-02-30",
    "9999-99-99",
    "0000-00-00",
    "9999-12-31",
    "0001-01-01",
    "31/02/2026",
    "24:61",
    "25:00",
    "true",
    "on",
    "None",
    "null",
    "[]",
    "{}",
    " ",
    "",
]
# A real drawn signature: a 1×1 PNG.
PNG_DATA_URL = "data:image/png;base64," + (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
# Unmistakable signs that the input's markup reached a page as markup, not as text.
RAW_MARKUP = ("<script>alert(1)", "<img src=x onerror", "<svg/onload")

# Any code point UTF-8 can carry (a lone surrogate can't be sent by a browser at all).
ANY_CHARACTER = st.characters(codec="utf-8")
LONG = st.builds(
    lambda piece, times: piece * times,
    st.sampled_from(["a", "é", "👩‍👩‍👧‍👦", "\u202e", "<script>alert(1)</script>", "'", " ", "\x00", "مرحبا"]),
    st.integers(400, 12_000),
)
ONE_VALUE = st.one_of(
    st.sampled_from(SCRIPTS + EMOJI + CONTROL + INJECTION + WRONG_TYPES),
    st.text(ANY_CHARACTER, max_size=30),
    LONG,
    st.integers(-(10**30), 10**30).map(str),
)
# A list posts the field several times (duplicate fields).
HOSTILE = st.one_of(ONE_VALUE, st.lists(ONE_VALUE, min_size=2, max_size=3))
# Where a number is expected: the edges of machine integers and of dates, then anything.
EDGE_NUMBERS = st.sampled_from(
    [0, -1, 2**31 - 1, 2**31, 2**32, 2**63 - 1, 2**63, 2**64, 10**20, -(2**31) - 1, -(2**63) - 1, 9999, 10_000]
).map(str)
HOSTILE_NUMBER = st.one_of(EDGE_NUMBERS, st.integers().map(str), EDGE_NUMBERS, HOSTILE)


# Where a date is expected: the ends of the calendar, leap days that are and aren't, then anything.
EDGE_DATES = st.sampled_from(
    ["9999-12-31", "9999-12-30", "0001-01-01", "1899-12-31", "1900-01-01", "2024-02-29", "2100-02-29", "2026-13-01"]
)
HOSTILE_DATE = st.one_of(EDGE_DATES, EDGE_DATES, HOSTILE)


@dataclass(frozen=True)
class Field:
    valid: st.SearchStrategy
    hostile: st.SearchStrategy = HOSTILE


def either(*valid: str) -> Field:
    """A field that takes one of these values, or anything hostile."""
    return Field(st.sampled_from(valid))


def number(*valid: str) -> Field:
    return Field(st.sampled_from(valid), HOSTILE_NUMBER)


def date(*valid: str) -> Field:
    return Field(st.sampled_from(valid), HOSTILE_DATE)


@st.composite
def form_data(draw, **fields: Field) -> dict:
    """Posted data: mostly valid, with some fields hostile (often just one, so the checks after the
    first failing field are reached too), now and then a field missing or an unexpected one added."""
    names = sorted(fields)
    hostile = set()
    if names and draw(st.integers(0, 4), label="how hostile") > 0:  # now and then all valid, to go on further
        hostile = {draw(st.sampled_from(names), label="hostile field")}
        if draw(st.integers(0, 2)) == 0:
            hostile |= draw(st.sets(st.sampled_from(names)), label="more hostile fields")
    missing = draw(st.sets(st.sampled_from(names), max_size=2)) if names and draw(st.integers(0, 4)) == 0 else set()
    data = {}
    for name in names:
        if name not in missing:
            field = fields[name]
            data[name] = draw(field.hostile if name in hostile else field.valid, label=name)
    if not names or draw(st.integers(0, 4)) == 0:
        data["unexpected"] = draw(HOSTILE, label="unexpected")
    return data


def text_for_the_database(value):
    """What a person can store through the admin: its forms refuse NUL, so it never reaches the database."""
    return value.replace("\x00", "") if isinstance(value, str) else "".join(value).replace("\x00", "")


# A deeper search than CI's, e.g. before a release: PROCEED_HOSTILE_EXAMPLES_SCALE=20 make test
SCALE = float(os.environ.get("PROCEED_HOSTILE_EXAMPLES_SCALE", "1"))


def hostile_settings(max_examples: int):
    return settings(
        max_examples=max(1, round(max_examples * SCALE)),
        deadline=None,
        database=None,  # nothing written into the working tree; a failure prints its example
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# Running one example --------------------------------------------------------------------------


@contextmanager
def fresh_example(*clients: Client) -> Iterator[None]:
    """Run one example from the test's starting state: its changes, cookies and rate limits undone after."""
    cookies = [{key: morsel.value for key, morsel in browser.cookies.items()} for browser in clients]
    cache.clear()
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        for browser, saved in zip(clients, cookies, strict=True):
            browser.cookies = SimpleCookie(saved)


def body_of(response) -> str:
    # Reading a streamed body to its end closes it (the test client's wrapper does, without closing
    # the database connection as a bare response.close() would on PostgreSQL).
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def assert_no_raw_markup(html: str, where: str) -> None:
    for markup in RAW_MARKUP:
        assert markup not in html, f"{where}: the input's markup {markup!r} is in the HTML unescaped"


def assert_served(response, where: str) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code}"
    text = body_of(response)
    if "html" in response.get("Content-Type", ""):
        assert_no_raw_markup(text, where)


def assert_pages_work(browser: Client, urls: list[str]) -> None:
    for url in urls:
        assert_served(browser.get(url), f"GET {url}")


def journey(token: str, *names: str) -> list[str]:
    return [reverse(f"journey:{name}", args=[token]) for name in names]


def staff_pages(consent_request, *extra: str) -> list[str]:
    pid = [consent_request.public_id]
    return [reverse("staff:case", args=pid), reverse("staff:checklist", args=pid), reverse("staff:index"), *extra]


def assert_pdf_html_is_safe(consent_request) -> None:
    consent_request.refresh_from_db()
    signature = getattr(consent_request, "signature", None)
    if signature is not None:
        assert_no_raw_markup(consent_pdf_html(signature), "the signed PDF's HTML")


# The cast ------------------------------------------------------------------------------------


@pytest.fixture
def nurse_browser(client, nurse):
    # The same kind of client as the `client` fixture's, whose force_login also passes the second step.
    browser = type(client)()
    browser.force_login(nurse)
    return browser


@pytest.fixture
def admin_browser(client, content_admin):
    client.force_login(content_admin)
    return client


def verified_browser(case) -> Client:
    """A patient's browser that passed the identity check of the case."""
    browser = Client()
    born = case.request.patient.date_of_birth
    response = browser.post(
        reverse("journey:identity", args=[case.token]), {"day": born.day, "month": born.month, "year": born.year}
    )
    assert response.status_code == 302
    case.refresh()
    return browser


def advance(case, *, through: str) -> None:
    """Complete the journey's steps up to and including `through`, as the patient would."""
    request, content, ip = case.request, case.request.content, "203.0.113.9"
    steps = {
        "about": lambda: services.read_about(consent_request=request, ip=ip),
        "risks": lambda: services.save_risk_answers(
            consent_request=request, acknowledged={r["key"] for r in content["risks"]}, to_discuss=set(), ip=ip
        ),
        "preparing": lambda: services.save_preparation_answers(
            consent_request=request,
            acknowledged={s["key"] for s in content["preparation_steps"]},
            answers={i["key"]: i["expected_answer"] for i in content["checklist_items"] if i["patient_question"]},
            ip=ip,
        ),
        "understanding": lambda: services.answer_quiz(
            consent_request=request, answers={q["key"]: q["correct_choice"] for q in content["questions"]}, ip=ip
        ),
        "questions": lambda: services.save_questions(
            consent_request=request, text="Can I drive afterwards?", wants_discussion=False, ip=ip
        ),
        "review": lambda: services.confirm_review(consent_request=request, ip=ip),
    }
    for name, step in steps.items():
        step()
        if name == through:
            break
    case.refresh()


@pytest.fixture
def patient(request, case_a) -> Client:
    """The browser of case A's patient, past the identity check and through the step the test names.

    Built once per test (a fixture), not once per example: each example starts from it.
    """
    browser = verified_browser(case_a)
    advance(case_a, through=request.param)
    return browser


@pytest.fixture
def signed_patient(signed_case) -> Client:
    return verified_browser(signed_case)


def at(step: str):
    """Give the test the `patient` fixture through `step`."""
    return pytest.mark.parametrize("patient", [step], indirect=True)


# The patient's forms ---------------------------------------------------------------------------


@hostile_settings(40)
@given(data=st.data())
def test_identity_check_survives_hostile_dates(case_a, nurse_browser, data):
    url = reverse("journey:identity", args=[case_a.token])
    fields = form_data(
        day=number("14", "1", "31", "29"),
        month=number("3", "2", "12"),
        year=number("1950", "1900", "2024", "3000"),
    )
    posted = data.draw(fields)
    with fresh_example(nurse_browser):
        browser = Client()

        assert_served(browser.post(url, posted), "the identity check")

        assert_pages_work(browser, journey(case_a.token, "welcome", "identity", "about"))
        assert_pages_work(nurse_browser, staff_pages(case_a.request))


def test_a_year_too_big_for_a_date_gets_a_plain_message(case_a):
    """Once a 500 (OverflowError from datetime.date), found by the test above."""
    url = reverse("journey:identity", args=[case_a.token])

    response = Client().post(url, {"day": "14", "month": "3", "year": "2147483648"})

    assert response.status_code == 200
    assert b"year" in response.content


@at("about")
@hostile_settings(20)
@given(data=st.data())
def test_risk_ticks_survive_hostile_values(case_a, patient, nurse_browser, data):
    browser = patient
    risks = case_a.request.content["risks"]
    fields = {f"ack_{risk['key']}": either("on", "") for risk in risks}
    fields |= {f"discuss_{risk['key']}": either("on", "") for risk in risks}
    with fresh_example(browser, nurse_browser):
        assert_served(
            browser.post(reverse("journey:risks", args=[case_a.token]), data.draw(form_data(**fields))), "risks"
        )

        assert_pages_work(browser, journey(case_a.token, "risks", "preparing"))
        assert_pages_work(nurse_browser, staff_pages(case_a.request))


@at("risks")
@hostile_settings(20)
@given(data=st.data())
def test_preparation_ticks_and_answers_survive_hostile_values(case_a, patient, nurse_browser, data):
    browser = patient
    content = case_a.request.content
    fields = {f"ack_{step['key']}": either("on") for step in content["preparation_steps"]}
    fields |= {
        f"answer_{item['key']}": either("yes", "no", "not_sure")
        for item in content["checklist_items"]
        if item["patient_question"]
    }
    with fresh_example(browser, nurse_browser):
        url = reverse("journey:preparing", args=[case_a.token])

        assert_served(browser.post(url, data.draw(form_data(**fields))), "preparing")

        assert_pages_work(browser, journey(case_a.token, "preparing", "understanding"))
        assert_pages_work(nurse_browser, staff_pages(case_a.request))


@at("preparing")
@hostile_settings(20)
@given(data=st.data())
def test_understanding_answers_survive_hostile_values(case_a, patient, nurse_browser, data):
    browser = patient
    fields = {f"q_{question['key']}": number("1", "2", "3") for question in case_a.request.content["questions"]}
    with fresh_example(browser, nurse_browser):
        url = reverse("journey:understanding", args=[case_a.token])

        assert_served(browser.post(url, data.draw(form_data(**fields))), "understanding")

        assert_pages_work(browser, journey(case_a.token, "understanding", "questions"))
        assert_pages_work(nurse_browser, staff_pages(case_a.request))


@at("understanding")
@hostile_settings(25)
@given(data=st.data())
def test_a_hostile_question_breaks_no_page_and_not_the_pdf(case_a, patient, nurse_browser, data):
    browser = patient
    fields = form_data(question=either("Can I drive afterwards?", ""), wants_discussion=either("on", ""))
    with fresh_example(browser, nurse_browser):
        url = reverse("journey:questions", args=[case_a.token])

        assert_served(browser.post(url, data.draw(fields)), "questions")

        assert_pages_work(browser, journey(case_a.token, "questions", "review"))
        assert_pages_work(nurse_browser, staff_pages(case_a.request, reverse("staff:index") + "?flag=questions"))
        case_a.refresh()
        if case_a.request.progress >= 7:  # the question was saved: sign, and the PDF shows it
            services.confirm_review(consent_request=case_a.request, ip=None)
            services.sign(
                consent_request=case_a.request,
                decision="consent",
                typed_name=PATIENT_A["full_name"],
                signer="patient",
                ip=None,
            )
            assert_pdf_html_is_safe(case_a.request)


@at("questions")
@hostile_settings(15)
@given(data=st.data())
def test_review_and_decision_survive_hostile_values(case_a, patient, nurse_browser, data):
    browser = patient
    with fresh_example(browser, nurse_browser):
        review = data.draw(form_data(confirmed=either("on")))
        assert_served(browser.post(reverse("journey:review", args=[case_a.token]), review), "review")
        decision = data.draw(form_data(decision=either(*Decision.values)))
        assert_served(browser.post(reverse("journey:decide", args=[case_a.token]), decision), "decide")

        assert_pages_work(browser, journey(case_a.token, "review", "decide", "done"))
        assert_pages_work(nurse_browser, staff_pages(case_a.request))


@at("review")
@hostile_settings(25)
@given(data=st.data())
def test_signing_with_hostile_names_breaks_no_page_and_not_the_pdf(case_a, patient, nurse_browser, data):
    browser = patient
    # The name typed must match the patient's, or the representative's: hostile names sign too.
    representative = data.draw(st.one_of(st.just("Rosa López"), HOSTILE), label="representative")
    fields = form_data(
        signer=either(*Signer.values),
        typed_name=Field(st.sampled_from([PATIENT_A["full_name"], " ana maria LOPEZ "]), st.just(representative)),
        representative_name=Field(st.just(representative)),
        representative_relationship=either("daughter", ""),
        interpreter_name=either("Lucía Pérez", ""),
        interpreter_language=either("Spanish", ""),
        drawn_signature=Field(
            st.sampled_from(["", PNG_DATA_URL]),
            st.one_of(HOSTILE, HOSTILE.map(lambda value: "data:image/png;base64," + text_for_the_database(value))),
        ),
    )
    decision = data.draw(st.sampled_from([Decision.CONSENT, Decision.DECLINE]))
    user_agent = data.draw(st.one_of(st.just("Mozilla/5.0"), ONE_VALUE.map(as_header)), label="user agent")
    with fresh_example(browser, nurse_browser):
        url = reverse("journey:sign", args=[case_a.token, decision])

        assert_served(browser.post(url, data.draw(fields), HTTP_USER_AGENT=user_agent), "sign")

        assert_pages_work(browser, journey(case_a.token, "done", "welcome"))
        assert_pages_work(nurse_browser, staff_pages(case_a.request))
        assert_pdf_html_is_safe(case_a.request)


def as_header(value: str) -> str:
    """A value as a WSGI server hands a request header to Django: its UTF-8 bytes read as Latin-1."""
    return value.encode("utf-8").decode("latin-1")


@at("review")
def test_a_nul_in_the_user_agent_doesnt_stop_signing(case_a, patient):
    """Once a 500 on PostgreSQL (which refuses NUL in text), found by the signing test."""
    url = reverse("journey:sign", args=[case_a.token, "consent"])

    response = patient.post(
        url, {"signer": "patient", "typed_name": PATIENT_A["full_name"]}, HTTP_USER_AGENT="Mozilla/5.0\x00(evil)"
    )

    assert response.status_code == 302
    assert case_a.refresh().status == Status.SIGNED


@hostile_settings(20)
@given(data=st.data())
def test_a_hostile_withdrawal_reason_breaks_no_page(signed_case, signed_patient, nurse_browser, data):
    browser = signed_patient
    with fresh_example(browser, nurse_browser):
        url = reverse("journey:withdraw", args=[signed_case.token])

        assert_served(browser.post(url, data.draw(form_data(reason=either("I changed my mind.", "")))), "withdraw")

        assert_pages_work(browser, journey(signed_case.token, "done", "withdraw"))
        assert_pages_work(nurse_browser, staff_pages(signed_case.request, reverse("staff:index") + "?flag=withdrawn"))


# The nurse's forms -----------------------------------------------------------------------------


@hostile_settings(30)
@given(data=st.data())
def test_a_new_request_with_hostile_details_breaks_no_page(published_procedure, nurse_browser, data):
    later = timezone.localdate() + datetime.timedelta(days=10)
    fields = form_data(
        mrn=either("MRN-H-1", "  mrn 2  "),
        full_name=either("Ana María López", "O'Brien-Nguyễn"),
        date_of_birth=date("1950-03-14", "1900-01-01"),
        email=either("ana@example.org", "x@ex.org"),
        phone=either("01234 567890", "+44 7700 900123"),
        preferred_language=either("en", "es"),
        procedure=number(str(published_procedure.pk)),
        appointment_date=date(later.isoformat()),
        appointment_time=either("09:30", "23:59:59"),
        clinician=either("Dr Rivera"),
        send_email=either("on", ""),
    )
    posted = data.draw(fields)
    with fresh_example(nurse_browser):
        response = nurse_browser.post(reverse("staff:new_request"), posted)

        link = (response.context or {}).get("link") if response.status_code == 200 else None
        assert_served(response, "new request")
        if link:
            created = response.context["consent_request"]
            token = link.rstrip("/").rsplit("/", 1)[-1]
            patient = created.patient
            assert_pages_work(
                nurse_browser,
                staff_pages(created, reverse("staff:index") + "?" + urlencode({"q": patient.full_name[:100]})),
            )
            browser = Client()
            born = patient.date_of_birth
            assert_served(
                browser.post(
                    reverse("journey:identity", args=[token]),
                    {"day": born.day, "month": born.month, "year": born.year},
                ),
                "the new patient's identity check",
            )
            assert_pages_work(browser, journey(token, "welcome", "about", "risks"))
            assert_no_raw_markup(information_pdf_html(created), "the information PDF's HTML")


def test_an_appointment_on_the_last_day_of_the_calendar_gets_a_plain_message(published_procedure, nurse_browser):
    """Once a 500 (OverflowError in link_expiry), found by the test above."""
    response = nurse_browser.post(
        reverse("staff:new_request"),
        {
            "mrn": "MRN-H-2",
            "full_name": "Ana María López",
            "date_of_birth": "1950-03-14",
            "preferred_language": "en",
            "procedure": published_procedure.pk,
            "appointment_date": "9999-12-31",
            "appointment_time": "09:30",
            "clinician": "Dr Rivera",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors


@hostile_settings(40)
@given(data=st.data())
def test_dashboard_filters_survive_hostile_values(case_a, nurse_browser, data):
    fields = form_data(
        start=date("", timezone.localdate().isoformat(), "01/02/2026"),
        end=date("", (timezone.localdate() + datetime.timedelta(days=7)).isoformat()),
        status=either("", *Status.values),
        flag=either("", "questions", "declined"),
        q=either("", "Ana", "MRN-A"),
        page=number("1", "2", "last"),
    )
    with fresh_example(nurse_browser):
        assert_served(nurse_browser.get(reverse("staff:index"), data.draw(fields)), "the dashboard")


@hostile_settings(25)
@given(data=st.data())
def test_checklist_marks_with_hostile_notes_break_no_page(signed_case, nurse_browser, data):
    item = signed_case.request.content["checklist_items"][0]
    prefix = f"item-{item['key']}"
    state, note = f"{prefix}-state", f"{prefix}-note"
    fields = form_data(**{state: either(*ChecklistState.values), note: either("Checked with the patient.", "")})
    with fresh_example(nurse_browser):
        url = reverse("staff:checklist_item", args=[signed_case.request.public_id, item["key"]])

        assert_served(nurse_browser.post(url, data.draw(fields)), "a checklist mark")

        assert_pages_work(nurse_browser, staff_pages(signed_case.request))
        from records.checklist_pdf import checklist_pdf_html

        signed_case.refresh()
        assert_no_raw_markup(checklist_pdf_html(signed_case.request), "the checklist PDF's HTML")


@hostile_settings(15)
@given(data=st.data())
def test_sign_off_and_confirm_survive_hostile_values(signed_case, nurse_browser, data):
    pid = [signed_case.request.public_id]
    with fresh_example(nurse_browser):
        sign_off = data.draw(form_data(password=either("correct horse battery staple")))
        assert_served(nurse_browser.post(reverse("staff:checklist_sign_off", args=pid), sign_off), "sign-off")
        confirm = data.draw(form_data(confirm=either("Yes, confirm consent for today")))
        assert_served(nurse_browser.post(reverse("staff:confirm", args=pid), confirm), "confirm")

        assert_pages_work(nurse_browser, staff_pages(signed_case.request, reverse("staff:confirm", args=pid)))


@hostile_settings(20)
@given(data=st.data())
def test_a_hostile_reply_note_breaks_no_page(signed_case, nurse_browser, data):
    question = PatientQuestion.objects.get(request=signed_case.request)
    fields = form_data(**{f"question-{question.pk}-reply_note": either("Phoned, explained.")})
    with fresh_example(nurse_browser):
        url = reverse("staff:answer_question", args=[question.pk])

        assert_served(nurse_browser.post(url, data.draw(fields)), "answering a question")

        assert_pages_work(nurse_browser, staff_pages(signed_case.request))


@hostile_settings(20)
@given(data=st.data())
def test_reissue_cancel_and_reconsent_survive_hostile_values(case_a, nurse_browser, data):
    action = data.draw(st.sampled_from(["reissue", "cancel", "reconsent"]))
    fields = form_data(send_email=either("on", ""))
    with fresh_example(nurse_browser):
        url = reverse(f"staff:{action}", args=[case_a.request.public_id])

        assert_served(nurse_browser.post(url, data.draw(fields)), action)

        assert_pages_work(nurse_browser, staff_pages(case_a.request))


# The content admin's publish form ----------------------------------------------------------------


@at("about")
@hostile_settings(15)
@given(data=st.data())
def test_publishing_hostile_content_and_summary_breaks_no_page(case_a, patient, admin_browser, nurse_browser, data):
    """The publish form, after hostile text was written into the working copy (as the admin's form allows)."""
    client = admin_browser
    procedure = case_a.request.procedure_version.procedure
    with fresh_example(client, nurse_browser, patient):
        risk = procedure.risks.first()
        risk.description = text_for_the_database(data.draw(HOSTILE, label="risk description"))
        risk.save()
        procedure.summary = text_for_the_database(data.draw(HOSTILE, label="summary"))
        procedure.save()
        # Mostly a valid, material publish, so the hostile text reaches the patient's pages and the PDF.
        valid = {"change_summary": "Headache figure updated.", "is_material": "yes"}
        fields = form_data(change_summary=either(valid["change_summary"]), is_material=either("yes", "no"))

        url = reverse("admin:procedures_procedure_publish", args=[procedure.pk])
        response = client.post(url, data.draw(st.one_of(st.just(valid), fields), label="publish form"))
        assert_served(response, "publish")

        admin_pages = [
            reverse("admin:procedures_procedure_change", args=[procedure.pk]),
            reverse("admin:procedures_procedure_content_history", args=[procedure.pk]),
            reverse("admin:procedures_procedure_preview_step", args=[procedure.pk, "risks"]),
            reverse("admin:procedures_procedureversion_changelist"),
        ]
        assert_pages_work(client, admin_pages)
        assert_pages_work(
            nurse_browser, [reverse("staff:procedure", args=[procedure.slug]), *staff_pages(case_a.request)]
        )
        assert_pages_work(patient, journey(case_a.token, "welcome", "about", "risks"))
        case_a.refresh()
        assert_no_raw_markup(information_pdf_html(case_a.request), "the information PDF's HTML")


# Public and account forms ------------------------------------------------------------------------


@pytest.fixture
def sealed_pdf(signed_case) -> bytes:
    """A real sealed consent record, as the clinic stored it."""
    from consent.models import ConsentDocument

    document = ConsentDocument.objects.filter(signature__request=signed_case.request).first()
    if document is None:
        documents.store_consent_document(signed_case.request.signature)
        document = ConsentDocument.objects.get(signature__request=signed_case.request)
    with document.file.open("rb") as file:
        return file.read()


@st.composite
def damaged(draw, pdf: bytes) -> bytes:
    """The record cut short, with bytes changed, or with something appended."""
    how = draw(st.sampled_from(["truncate", "flip", "append", "splice"]))
    if how == "truncate":
        return pdf[: draw(st.integers(0, len(pdf)))]
    if how == "append":
        return pdf + draw(st.binary(max_size=2000))
    position = draw(st.integers(0, len(pdf) - 1))
    if how == "flip":
        return pdf[:position] + bytes([pdf[position] ^ draw(st.integers(1, 255))]) + pdf[position + 1 :]
    return pdf[:position] + draw(st.binary(max_size=500)) + pdf[position:]


@hostile_settings(25)
@given(data=st.data())
def test_the_verify_page_survives_hostile_uploads(sealed_pdf, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = data.draw(
        st.one_of(
            damaged(sealed_pdf),
            st.binary(max_size=3000),
            st.binary(max_size=2000).map(lambda tail: b"%PDF-1.7\n" + tail),
            st.sampled_from([b"", b"%PDF-", b"%PDF-1.4\n%%EOF", sealed_pdf]),
        ),
        label="file",
    )
    name = data.draw(st.one_of(st.just("records.pdf"), ONE_VALUE.map(lambda v: v[:200] or "x")), label="file name")
    content_type = data.draw(st.sampled_from(["application/pdf", "text/html", "", "image/png; charset=<script>"]))
    upload = st.builds(lambda: SimpleUploadedFile(name.replace("\x00", "") or "x", content, content_type=content_type))
    with fresh_example():
        response = Client().post(reverse("verify"), data.draw(form_data(document=Field(upload))))

        text = body_of(response)
        assert response.status_code < 500 or response.status_code == 503, response.status_code
        assert_no_raw_markup(text, "the verify page")
        assert "Ana María López" not in text and "MRN-A-1001" not in text, "the verify page showed patient data"


@hostile_settings(20)
@given(data=st.data())
def test_signing_in_survives_hostile_values(nurse, data):
    fields = form_data(
        username=either("nina.nurse", "NINA.NURSE"), password=either(PASSWORD, "wrong"), next=either("/staff/")
    )
    code = form_data(code=either("123456", "1234 5678"), next=either("/staff/"))
    sign_in = data.draw(fields)
    with fresh_example():
        browser = Client()

        assert_served(browser.post(reverse("login"), sign_in), "sign in")
        assert_served(browser.post(reverse("two_factor"), data.draw(code)), "the code step")
        assert_served(browser.post(reverse("two_factor_setup"), data.draw(code)), "authenticator set-up")


def test_a_very_long_username_gets_the_sign_in_page_again(db):
    """Once a 500 on PostgreSQL (django-axes records the username in 255 characters), found by the test above."""
    response = Client().post(reverse("login"), {"username": "a" * 256, "password": "anything"})

    assert response.status_code == 200


@hostile_settings(15)
@given(data=st.data())
def test_changing_the_password_survives_hostile_values(nurse_browser, data):
    new = data.draw(st.one_of(st.just("a much longer new passphrase"), HOSTILE), label="new password")
    fields = form_data(
        old_password=either(PASSWORD, "wrong"), new_password1=Field(st.just(new)), new_password2=Field(st.just(new))
    )
    with fresh_example(nurse_browser):
        assert_served(nurse_browser.post(reverse("password_change"), data.draw(fields)), "change password")
        assert_served(nurse_browser.post(reverse("recovery_codes"), data.draw(form_data())), "new recovery codes")


# Hostile addresses ------------------------------------------------------------------------------

URL_TEXT = st.one_of(
    st.sampled_from(["consent", "decline", "discuss", "..", ".", "%00", "%2F", "%252e"]),
    st.text(ANY_CHARACTER.filter(lambda ch: ch not in "/?#"), min_size=1, max_size=60),
    st.text(st.sampled_from(string.ascii_letters + "-_"), min_size=40, max_size=5000),
)


@at("review")
@hostile_settings(30)
@given(data=st.data())
def test_hostile_tokens_and_decisions_in_the_address_break_nothing(case_a, patient, data):
    browser = patient
    token = data.draw(st.one_of(st.just(case_a.token), URL_TEXT), label="token")
    decision = data.draw(URL_TEXT, label="decision")
    with fresh_example(browser):
        for url in (f"/c/{quote(token)}/", f"/c/{quote(token)}/sign/{quote(decision)}/"):
            assert_served(browser.get(url), f"GET {url}")
            assert_served(browser.post(url, {"typed_name": PATIENT_A["full_name"]}), f"POST {url}")


@hostile_settings(20)
@given(value=st.one_of(EDGE_NUMBERS, st.integers(min_value=0).map(str)))
def test_hostile_numbers_in_addresses_break_nothing(signed_case, admin_browser, nurse_browser, value):
    """Numbers the <int:...> converters accept, however large: a 404, never a database error."""
    with fresh_example(admin_browser, nurse_browser):
        for url in (
            f"/admin/procedures/procedure/{value}/preview/",
            f"/admin/procedures/procedure/{value}/publish/",
            f"/admin/procedures/procedure/{value}/content-history/",
            f"/admin/procedures/procedure/{value}/change/",
        ):
            assert_served(admin_browser.get(url), f"GET {url}")
        assert_served(nurse_browser.post(f"/staff/questions/{value}/answer/"), "answering a question")


@hostile_settings(20)
@given(data=st.data())
def test_hostile_preview_addresses_break_nothing(published_procedure, admin_browser, data):
    step = data.draw(st.one_of(st.sampled_from(["risks", "sign", "done"]), URL_TEXT), label="step")
    query = data.draw(form_data(decision=either("consent", "decline", "discuss")), label="query")
    with fresh_example(admin_browser):
        url = f"/admin/procedures/procedure/{published_procedure.pk}/preview/{quote(step)}/"

        assert_served(admin_browser.get(url, query), f"GET {url}")


# The PDF itself, rendered --------------------------------------------------------------------------

PRINTABLE_NAME = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=60).filter(
    lambda name: name.strip()
)


@hostile_settings(4)
@given(data=st.data())
def test_the_signed_pdf_renders_whatever_the_patient_and_nurse_typed(published_procedure, data):
    """Real WeasyPrint rendering, with a hostile name (the footer of every page), question and signer details."""
    name = data.draw(st.one_of(st.sampled_from(SCRIPTS + EMOJI + INJECTION + CONTROL[1:]), PRINTABLE_NAME))
    with fresh_example():
        case = make_case(
            published_procedure,
            {"mrn": "MRN-H-PDF", "full_name": name, "date_of_birth": datetime.date(1950, 3, 14)},
        )
        verified_browser(case)
        advance(case, through="understanding")
        services.save_questions(
            consent_request=case.request,
            text=data.draw(PRINTABLE_NAME, label="question"),
            wants_discussion=True,
            ip=None,
        )
        services.confirm_review(consent_request=case.request, ip=None)
        signature = services.sign(
            consent_request=case.request,
            decision="consent",
            typed_name=case.request.patient.full_name,
            signer="patient",
            interpreter_name=data.draw(PRINTABLE_NAME, label="interpreter"),
            interpreter_language=data.draw(st.sampled_from(SCRIPTS), label="language"),
            ip="203.0.113.9",
            user_agent=data.draw(PRINTABLE_NAME, label="user agent"),
        )
        assert_no_raw_markup(consent_pdf_html(signature), "the signed PDF's HTML")

        pdf, pages = render_consent_pdf(signature)

        assert pdf.startswith(b"%PDF")
        assert pages >= 1


@at("review")
def test_signing_is_possible_at_all_in_these_tests(case_a, patient):
    """The sign test reaches the signature: a valid post signs (so hostile ones are compared with success)."""
    browser = patient

    response = browser.post(
        reverse("journey:sign", args=[case_a.token, "consent"]),
        {"signer": "patient", "typed_name": PATIENT_A["full_name"]},
    )

    assert response.status_code == 302
    assert case_a.refresh().status == Status.SIGNED
