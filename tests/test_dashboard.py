"""The nurse dashboard at /staff/: who is coming, in what state, and what needs attention."""

from __future__ import annotations

import datetime
import html
import zoneinfo
from collections import Counter

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consent import services
from consent.models import (
    Acknowledgement,
    BloodThinnerAnswer,
    ChecklistEntry,
    ChecklistState,
    ConsentRequest,
    Patient,
    Signature,
    Status,
)
from staff.dashboard import FLAG_CHOICES, Flag, dashboard_rows, row_flags
from tests.conftest import PASSWORD, PATIENT_A, PATIENT_B, complete_journey, make_case, sign_case

URL = reverse("staff:index")
LOCAL = zoneinfo.ZoneInfo(settings.TIME_ZONE)
# A fixed "now" (a Monday at noon, clinic time), so day boundaries don't depend on when the tests run.
NOW = datetime.datetime(2030, 6, 10, 12, 0, tzinfo=LOCAL)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def nurse_client(client, nurse):
    client.force_login(nurse)
    return client


def local(days: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(TODAY + datetime.timedelta(days=days), datetime.time(hour, minute), tzinfo=LOCAL)


def patient_fields(n: int, name: str | None = None) -> dict:
    return {
        "mrn": f"MRN-T-{n:04d}",
        "full_name": name or f"Test Patient {n}",
        "date_of_birth": datetime.date(1960, 1, 1),
    }


def move(case, when: datetime.datetime):
    """Put the appointment (and the link's expiry with it) at `when`, as if it had been booked then."""
    ConsentRequest.objects.filter(pk=case.request.pk).update(appointment_at=when, expires_at=services.link_expiry(when))
    return case.refresh()


def shown_ids(response) -> list:
    return [row.public_id for row in response.context["page"].object_list]


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def table_of(response) -> str:
    """The table's text only (the filter form's menus name every status and flag too)."""
    text = text_of(response)
    return text[text.index("<table") : text.index("</table>")] if "<table" in text else ""


# Who may see it ------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={URL}"


def test_content_admin_gets_a_403(client, content_admin):
    client.force_login(content_admin)

    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("role", ["nurse", "superuser"])
def test_nurse_and_superuser_see_the_dashboard(client, request, case_a, role):
    client.force_login(request.getfixturevalue(role))

    response = client.get(URL)

    assert response.status_code == 200
    text = text_of(response)
    assert "Ana María López" in text
    assert "MRN-A-1001" in text
    assert "Test procedure" in text
    assert reverse("staff:new_request") in text
    assert reverse("staff:case", args=[case_a.request.public_id]) in text
    assert "no-store" in response["Cache-Control"]


# What it shows -----------------------------------------------------------------------


def test_default_range_is_today_and_the_next_seven_days(nurse_client, published_procedure):
    cases = {
        "yesterday": move(make_case(published_procedure, patient_fields(1)), local(-1, 16)),
        "early today": move(make_case(published_procedure, patient_fields(2)), local(0, 0, 0)),
        "day 7 late": move(make_case(published_procedure, patient_fields(3)), local(7, 23, 59)),
        "day 8": move(make_case(published_procedure, patient_fields(4)), local(8, 0, 0)),
    }

    response = nurse_client.get(URL)

    shown = shown_ids(response)
    assert cases["early today"].public_id in shown
    assert cases["day 7 late"].public_id in shown
    assert cases["yesterday"].public_id not in shown
    assert cases["day 8"].public_id not in shown
    form = response.context["form"]
    assert form["start"].value() == TODAY.isoformat()
    assert form["end"].value() == (TODAY + datetime.timedelta(days=7)).isoformat()


def test_a_chosen_range_shows_those_days(nurse_client, published_procedure):
    yesterday = move(make_case(published_procedure, patient_fields(1)), local(-1, 16))
    day_8 = move(make_case(published_procedure, patient_fields(2)), local(8, 9))

    response = nurse_client.get(URL, {"start": (TODAY - datetime.timedelta(days=1)).isoformat(), "end": TODAY})

    assert shown_ids(response) == [yesterday.public_id]
    assert day_8.public_id not in shown_ids(response)


def test_rows_are_sorted_by_appointment_time(nurse_client, published_procedure):
    later = move(make_case(published_procedure, patient_fields(1, "Later Patient")), local(2, 15))
    sooner = move(make_case(published_procedure, patient_fields(2, "Sooner Patient")), local(2, 9))
    soonest = move(make_case(published_procedure, patient_fields(3, "Soonest Patient")), local(1, 16))

    response = nurse_client.get(URL)

    assert shown_ids(response) == [soonest.public_id, sooner.public_id, later.public_id]
    text = text_of(response)
    assert text.index("Soonest Patient") < text.index("Sooner Patient") < text.index("Later Patient")
    assert "09:00" in text


def test_each_row_shows_status_and_checklist_progress(nurse_client, nurse, case_a):
    item = case_a.request.content["checklist_items"][0]
    services.record_checklist_entry(consent_request=case_a.request, item_key=item["key"], state="done", user=nurse)

    table = table_of(nurse_client.get(URL))

    assert "1 of 1" in table
    assert "Created" in table


# Flags -----------------------------------------------------------------------------------


def _quiz_miss(case):
    request = case.request
    content = request.content
    services.verify_identity(consent_request=request, date_of_birth=request.patient.date_of_birth, ip=None)
    services.read_about(consent_request=request, ip=None)
    services.save_risk_answers(
        consent_request=request, acknowledged={r["key"] for r in content["risks"]}, to_discuss=set(), ip=None
    )
    services.save_preparation_answers(
        consent_request=request,
        acknowledged={s["key"] for s in content["preparation_steps"]},
        answers={i["key"]: i["expected_answer"] for i in content["checklist_items"] if i["patient_question"]},
        ip=None,
    )
    question = content["questions"][0]
    wrong = 2 if question["correct_choice"] == 1 else 1
    services.answer_quiz(consent_request=request, answers={question["key"]: wrong}, ip=None)
    services.answer_quiz(consent_request=request, answers={question["key"]: question["correct_choice"]}, ip=None)


def _blood_thinner_yes(case):
    request = case.request
    content = request.content
    services.verify_identity(consent_request=request, date_of_birth=request.patient.date_of_birth, ip=None)
    services.read_about(consent_request=request, ip=None)
    services.save_risk_answers(
        consent_request=request, acknowledged={r["key"] for r in content["risks"]}, to_discuss=set(), ip=None
    )
    services.save_preparation_answers(
        consent_request=request,
        acknowledged={s["key"] for s in content["preparation_steps"]},
        answers={i["key"]: "yes" for i in content["checklist_items"] if i["patient_question"]},
        ip=None,
    )


def _late_step(case):
    # The patient saw a preparation step after its day (how it is recorded: tests/test_preparation_dates.py).
    step = case.request.content["preparation_steps"][0]
    today = timezone.localdate()
    Acknowledgement.objects.create(
        request=case.request,
        kind="step",
        item_key=step["key"],
        due_on=today - datetime.timedelta(days=2),
        shown_late_on=today,
    )


def _checklist_problem(case):
    item = case.request.content["checklist_items"][0]
    nurse = get_user_model().objects.create_user(username="flag.nurse", password="x")
    services.record_checklist_entry(consent_request=case.request, item_key=item["key"], state="done", user=nurse)
    services.record_checklist_entry(
        consent_request=case.request, item_key=item["key"], state="problem", note="INR too high", user=nurse
    )


def _needs_discussion(case):
    complete_journey(case)
    services.need_to_talk(consent_request=case.request, ip=None)


def _withdrawn(case):
    sign_case(case)
    services.withdraw_consent(consent_request=case.refresh(), reason="Changed my mind", ip=None)


def _locked(case):
    for _ in range(services.MAX_IDENTITY_ATTEMPTS):
        services.verify_identity(consent_request=case.request, date_of_birth=datetime.date(1900, 1, 1), ip=None)


def _expired(case):
    move(case, local(-2, 9))


def _content_changed(case):
    sign_case(case)
    ConsentRequest.objects.filter(pk=case.request.pk).update(content_changed_at=timezone.now())


def _blood_thinner_named(case):
    # A blood thinner named from the clinic's table, no plan confirmed (tests/test_blood_thinners.py has the rest).
    from procedures.models import BloodThinner

    drug = BloodThinner.objects.create(name="Testaban", kind="anticoagulant", stop_hours_intermediate=72, source="T")
    BloodThinnerAnswer.objects.create(
        request=case.request, kind="listed", drug=drug, name=drug.name, medicine_key=f"drug:{drug.pk}"
    )


FLAG_CASES = {
    Flag.QUESTIONS: (complete_journey, "1 question waiting"),
    Flag.ANSWERS: (_blood_thinner_yes, "Answer needs follow-up"),
    Flag.LATE_STEPS: (_late_step, "Preparation shown after its date"),
    Flag.CHECKLIST_PROBLEMS: (_checklist_problem, "Checklist problem"),
    Flag.QUIZ_MISSES: (_quiz_miss, "Missed 1 quiz question first time"),
    Flag.NEEDS_DISCUSSION: (_needs_discussion, "Needs discussion"),
    Flag.DECLINED: (lambda case: sign_case(case, decision="decline"), "Declined"),
    Flag.WITHDRAWN: (_withdrawn, "Withdrawn"),
    Flag.LOCKED: (_locked, "Link locked"),
    Flag.EXPIRED: (_expired, "Link expired"),
    Flag.CONTENT_CHANGED: (_content_changed, "Content changed since signing"),
    # The PDF renders after the commit, which never comes inside a test's transaction: it stays pending.
    Flag.PDF_PENDING: (sign_case, "PDF pending"),
    Flag.BLOOD_THINNER: (_blood_thinner_named, "Blood thinner: plan to confirm"),
    # Consent e-signed and not yet countersigned (tests/test_countersign.py: countersigned, it goes).
    Flag.AWAITING_CLINICIAN: (sign_case, "Awaiting clinician"),
}
SHOW_PAST_DAYS = {"start": (TODAY - datetime.timedelta(days=3)).isoformat(), "end": TODAY + datetime.timedelta(days=7)}


def test_every_flag_filter_value_has_a_case():
    assert set(FLAG_CASES) == {value for value, _ in FLAG_CHOICES}


@pytest.mark.parametrize("flag", list(FLAG_CASES))
def test_a_flag_shows_in_words_and_its_filter_finds_exactly_those_cases(nurse_client, case_a, case_b, flag):
    make_flag, words = FLAG_CASES[flag]
    make_flag(case_a)

    everything = nurse_client.get(URL, SHOW_PAST_DAYS)
    filtered = nurse_client.get(URL, {**SHOW_PAST_DAYS, "flag": flag})

    assert words in table_of(everything)
    assert words not in table_of(post_filters(nurse_client, {**SHOW_PAST_DAYS, "q": "Bob Brown"}))
    nurse_client.get(URL, {"clear": 1})
    assert set(shown_ids(everything)) == {case_a.request.public_id, case_b.request.public_id}
    assert shown_ids(filtered) == [case_a.request.public_id]
    assert words in table_of(filtered)


def test_an_open_request_past_its_expiry_is_flagged_though_its_status_has_not_changed(nurse_client, case_a):
    _expired(case_a)
    assert case_a.request.status == Status.CREATED

    response = nurse_client.get(URL, {**SHOW_PAST_DAYS, "flag": Flag.EXPIRED})

    assert shown_ids(response) == [case_a.request.public_id]
    assert "Link expired" in table_of(response)


def test_a_risk_the_patient_wants_to_discuss_is_flagged(nurse_client, case_a, case_b):
    complete_journey(case_a)
    risk = case_a.request.content["risks"][0]
    services.save_risk_answers(
        consent_request=case_a.request, acknowledged={risk["key"]}, to_discuss={risk["key"]}, ip=None
    )

    response = nurse_client.get(URL, {"flag": Flag.NEEDS_DISCUSSION})

    assert shown_ids(response) == [case_a.request.public_id]


def test_answered_questions_are_not_waiting(nurse_client, nurse, case_a):
    complete_journey(case_a)
    question = case_a.request.questions.get()
    services.answer_patient_question(question=question, reply_note="Phoned, explained", user=nurse)

    response = nurse_client.get(URL, {"flag": Flag.QUESTIONS})

    assert shown_ids(response) == []
    assert "question waiting" not in table_of(nurse_client.get(URL))


def test_flag_filters_and_the_flags_shown_always_agree(nurse, published_procedure):
    call_command("seed_demo_requests", count=150, seed=7, days_back=3, days_ahead=7, force=True)
    start, end = TODAY - datetime.timedelta(days=3), TODAY + datetime.timedelta(days=7)
    everything = list(dashboard_rows(start=start, end=end))
    assert len(everything) == 150

    for flag, _ in FLAG_CHOICES:
        filtered = {row.pk for row in dashboard_rows(start=start, end=end, flag=flag)}
        flagged = {row.pk for row in everything if flag in {f.key for f in row_flags(row)}}
        assert filtered == flagged, flag


# Status filter and search ------------------------------------------------------------------


def test_status_filter_shows_only_that_status(nurse_client, case_a, case_b):
    sign_case(case_a)

    response = nurse_client.get(URL, {"status": Status.SIGNED})

    assert shown_ids(response) == [case_a.request.public_id]


def post_filters(client, params):
    """As a nurse does it: the filters are posted, and the page shown is the redirect's."""
    return client.post(URL, params, follow=True)


@pytest.mark.parametrize(
    ("search", "patient"),
    [
        ("maría", PATIENT_A),
        ("  ANA  ", PATIENT_A),
        ("brown", PATIENT_B),
        ("MRN-B-2002", PATIENT_B),
        ("mrn-a", PATIENT_A),
    ],
)
def test_search_by_part_of_a_name_or_the_start_of_a_record_number(nurse_client, case_a, case_b, search, patient):
    response = post_filters(nurse_client, {"q": search})

    assert [row.patient.mrn for row in response.context["page"].object_list] == [patient["mrn"]]
    assert response.context["form"]["q"].value() == " ".join(search.split())


def test_a_search_that_finds_nothing_says_so(nurse_client, case_a):
    text = text_of(post_filters(nurse_client, {"q": "Nobody"}))

    assert "No appointments" in text
    assert "clear the filters" in text


# Pagination --------------------------------------------------------------------------------


@pytest.fixture
def fifty_one(published_procedure):
    for n in range(51):
        move(make_case(published_procedure, patient_fields(n)), local(1 + n % 5, 8 + n % 9, 0))


def test_fifty_one_rows_make_two_pages_and_the_filters_follow_the_page_links(nurse_client, fifty_one):
    first = post_filters(nurse_client, {"status": Status.CREATED, "q": "test patient"})
    second = nurse_client.get(URL, {"status": Status.CREATED, "searching": "1", "page": 2})

    assert len(shown_ids(first)) == 50
    assert len(shown_ids(second)) == 1
    assert "51 appointments" in text_of(first)
    assert "?status=created&amp;searching=1&amp;page=2" in first.content.decode()
    assert "test+patient" not in first.content.decode()  # a search never goes in a URL
    assert "Page 2 of 2" in text_of(second)


@pytest.mark.parametrize(("page", "expected"), [("999", 2), ("x", 1), ("0", 2), ("-1", 2), ("", 1)])
def test_a_page_number_out_of_range_or_not_a_number_shows_a_page(nurse_client, fifty_one, page, expected):
    response = nurse_client.get(URL, {"page": page})

    assert response.status_code == 200
    assert response.context["page"].number == expected


def test_links_carry_no_patient_names(nurse_client, fifty_one):
    text = nurse_client.get(URL).content.decode()

    hrefs = [part.split('"', 1)[0] for part in text.split('href="')[1:]]
    assert hrefs
    assert not [href for href in hrefs if "Patient" in href or "MRN" in href]


# Bad filter input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2030-06-12", "end": "2030-06-11"}, "The “To” date is before the “From” date."),
        ({"start": "soon", "end": "2030-06-11"}, "Enter a full date, for example"),
        ({"start": "2030-06-10", "end": "31/02/2030"}, "Enter a full date, for example"),
        ({"start": "2030-06-10", "end": "2030-12-27"}, "Show at most 92 days"),
        ({"start": "9999-12-30", "end": "9999-12-31"}, "Check the year"),
    ],
)
def test_bad_dates_show_a_message_keep_the_values_and_fall_back_to_the_default_range(
    nurse_client, case_a, params, message
):
    response = post_filters(nurse_client, {**params, "status": Status.CREATED, "q": "Ana"})

    assert response.status_code == 200
    text = text_of(response)
    assert message in text
    assert "the table shows today and the next 7 days" in text
    form = response.context["form"]
    assert form["start"].value() == params["start"]
    assert form["end"].value() == params["end"]
    assert form["q"].value() == "Ana"
    assert (response.context["start"], response.context["end"]) == (TODAY, TODAY + datetime.timedelta(days=7))
    # The valid filters still apply.
    assert shown_ids(response) == [case_a.request.public_id]


def test_a_made_up_status_or_flag_is_refused_plainly(nurse_client, case_a):
    response = nurse_client.get(URL, {"status": "party", "flag": "glitter"})

    assert response.status_code == 200
    text = text_of(response)
    assert "Choose a status from the list." in text
    assert "Choose a flag from the list." in text
    assert shown_ids(response) == [case_a.request.public_id]


# Speed -----------------------------------------------------------------------------------------


def _count_queries(client, params=None) -> int:
    params = dict(params or {})
    if "q" in params:
        client.post(URL, {"q": params.pop("q")})  # the search is kept in the session
        params["searching"] = "1"  # as the redirect after it says
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{}, {"flag": Flag.PDF_PENDING}, {"q": "a"}])
def test_the_page_runs_the_same_few_queries_for_10_or_200_requests(nurse_client, params):
    seed = {"days_back": 0, "days_ahead": 7, "force": True}
    call_command("seed_demo_requests", count=10, seed=1, **seed)
    at_10 = _count_queries(nurse_client, params)

    call_command("seed_demo_requests", count=190, seed=2, **seed)
    assert ConsentRequest.objects.count() == 200
    at_200 = _count_queries(nurse_client, params)

    assert at_10 == at_200
    assert at_200 <= 8


# The seed command ------------------------------------------------------------------------------


def _seeded() -> list[tuple]:
    return [
        (r.patient.full_name, r.patient.date_of_birth, r.status, r.appointment_at, r.checklist_complete)
        for r in ConsentRequest.objects.filter(patient__mrn__startswith="SEED-")
        .select_related("patient")
        .order_by("patient__mrn")
    ]


def test_seed_command_makes_requests_across_the_statuses_the_same_way_each_time(db, settings):
    settings.DEBUG = True
    call_command("seed_demo_requests", count=60, seed=1)
    first = _seeded()
    call_command("seed_demo_requests", count=60, seed=1)
    both = _seeded()

    assert len(first) == 60
    assert len(Counter(row[2] for row in first)) >= 8
    assert both[60:] == first  # the same names, birth dates, statuses, times and checklists again
    assert Patient.objects.filter(mrn__startswith="SEED-").count() == 120
    assert Patient.objects.order_by("mrn").last().mrn == "SEED-000120"


def test_seeded_requests_are_consistent_with_their_status(db):
    call_command("seed_demo_requests", count=200, seed=3, force=True)

    for request in ConsentRequest.objects.all():
        signed = request.status in {Status.SIGNED, Status.DECLINED, Status.WITHDRAWN, Status.CONFIRMED}
        assert Signature.objects.filter(request=request).exists() == signed
        latest = {}
        for entry in ChecklistEntry.objects.filter(request=request).order_by("recorded_at", "id"):
            latest[entry.item_key] = entry.state
        done = sum(state in (ChecklistState.DONE, ChecklistState.NOT_APPLICABLE) for state in latest.values())
        assert request.checklist_complete == done
        assert request.checklist_total == len(request.content["checklist_items"])
        assert request.audit_events.filter(action="created").count() == 1
        if request.status == Status.LOCKED:
            assert request.failed_identity_attempts == services.MAX_IDENTITY_ATTEMPTS
        if request.status == Status.CONFIRMED:
            assert hasattr(request, "checklist_sign_off")
            assert request.checklist_complete == request.checklist_total
    for signature in Signature.objects.select_related("request__procedure_version"):
        assert signature.statement == services.signing_statement(
            consent_request=signature.request, decision=signature.decision, signer=signature.signer
        )


def test_seed_command_refuses_without_debug_or_force(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DJANGO_DEBUG=1"):
        call_command("seed_demo_requests", count=5)
    assert not ConsentRequest.objects.exists()


@pytest.mark.parametrize("start", ["9999-12-30", "0001-01-01"])
def test_a_start_date_at_the_ends_of_the_calendar_is_refused_plainly(nurse_client, case_a, start):
    response = nurse_client.get(URL, {"start": start})

    assert response.status_code == 200
    assert "Check the year" in text_of(response)
    assert shown_ids(response) == [case_a.request.public_id]


def test_rows_show_day_headings_dates_and_times_in_clinic_time(nurse_client, published_procedure):
    # Half past midnight in British Summer Time is still the day before in UTC: the heading and the
    # time must be the clinic's, as Django's |date and |time filters would print them.
    after_midnight = move(make_case(published_procedure, patient_fields(1, "Early Patient")), local(1, 0, 30))
    move(make_case(published_procedure, patient_fields(2, "Late Patient")), local(1, 23, 45))
    move(make_case(published_procedure, patient_fields(3, "Next Day Patient")), local(2, 9))

    page = nurse_client.get(URL).content.decode()

    assert page.count('class="proceed-day"') == 2
    assert '<th scope="rowgroup" colspan="7">Tuesday 11 June 2030</th>' in page
    assert '<th scope="rowgroup" colspan="7">Wednesday 12 June 2030</th>' in page
    assert (
        '<time datetime="2030-06-11T00:30:00+01:00"><span class="visually-hidden">Tue 11 Jun, </span>00:30</time>'
        in page
    )
    assert ">23:45</time>" in page
    case_url = reverse("staff:case", args=[after_midnight.public_id])
    assert f'<a href="{case_url}">Early Patient</a>' in page


def test_the_filter_form_keeps_its_csrf_token_its_values_and_its_errors_from_one_request_to_the_next(
    nurse_client, case_a
):
    first = nurse_client.get(URL, {"status": "party"}).content.decode()
    again = text_of(nurse_client.get(URL, {"status": "party"}))
    declined = nurse_client.get(URL, {"status": Status.DECLINED}).content.decode()

    assert 'name="csrfmiddlewaretoken"' in first[first.index('class="proceed-filters') :]
    assert "Choose a status from the list." in again
    assert '<option value="declined" selected>' in declined
    assert "Choose a status from the list." not in text_of(nurse_client.get(URL))


def test_a_search_term_is_never_kept_with_the_form_html(nurse_client, case_a):
    from staff.dashboard_forms import RENDERED_FIELDS

    response = nurse_client.post(URL, {"q": "López"}, follow=True)

    assert 'value="López"' in response.content.decode()
    assert RENDERED_FIELDS
    assert not [html for html in RENDERED_FIELDS.values() if "López" in html]


def test_a_problem_put_right_is_no_longer_flagged_and_a_signed_off_checklist_says_so(nurse_client, nurse, case_a):
    item = case_a.request.content["checklist_items"][0]
    services.record_checklist_entry(
        consent_request=case_a.request, item_key=item["key"], state="problem", note="INR", user=nurse
    )
    assert "Checklist problem" in table_of(nurse_client.get(URL))
    services.record_checklist_entry(consent_request=case_a.request, item_key=item["key"], state="done", user=nurse)
    table = table_of(nurse_client.get(URL))
    assert "Checklist problem" not in table and "1 of 1" in table and "signed off" not in table
    services.sign_off_checklist(consent_request=case_a.request, user=nurse, password=PASSWORD)
    assert "1 of 1, signed off" in table_of(nurse_client.get(URL))


def test_a_search_finds_accents_and_parts_of_record_numbers_on_any_date_and_does_not_stick(
    nurse_client, published_procedure
):
    far = make_case(
        published_procedure,
        {"mrn": "SEED-000297", "full_name": "María Fernández", "date_of_birth": datetime.date(1970, 5, 5)},
        days_ahead=40,  # outside the default week
    )
    assert far.request.patient.search_name == "maria fernandez"

    for term in ("Fernandez", "fernández", "maria fern", "000297", "seed-0002"):
        response = nurse_client.post(URL, {"q": term}, follow=True)
        table = table_of(response)
        assert "María Fernández" in table, term
        assert "on any date match" in response.content.decode() or "on any date matches" in response.content.decode()
    # The search was in the session, never the URL; leaving and coming back shows the dashboard unsearched.
    assert "Fernandez" not in response.redirect_chain[0][0]
    assert "María Fernández" not in table_of(nurse_client.get(URL))
