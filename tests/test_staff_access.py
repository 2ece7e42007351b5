"""Every staff page, visited by every role: only nurses, clinicians (and superusers) get in; countersigning
is for clinicians (and superusers) only."""

import pytest
from django.urls import reverse

from consent.models import PatientQuestion
from tests.conftest import sign_case


@pytest.fixture
def signed_with_question(case_a, django_capture_on_commit_callbacks, monkeypatch):
    # Access is the point here, not the PDF's contents: a stand-in keeps these tests fast.
    monkeypatch.setattr("records.pdf.render_consent_pdf", lambda signature: (b"%PDF-1.4 stand-in", 1))
    with django_capture_on_commit_callbacks(execute=True):
        sign_case(case_a)
    return case_a


def staff_pages(case):
    request = case.request
    key = request.content["checklist_items"][0]["key"]
    question = PatientQuestion.objects.get(request=request)
    pid = [request.public_id]
    return {
        # name: (url, status for a nurse doing a GET)
        "index": (reverse("staff:index"), 200),
        "new_request": (reverse("staff:new_request"), 200),
        "procedures": (reverse("staff:procedures"), 200),
        "procedure": (reverse("staff:procedure", args=[request.procedure_version.procedure.slug]), 200),
        "case": (reverse("staff:case", args=pid), 200),
        "case_pdf": (reverse("staff:case_pdf", args=pid), 200),
        # The case is signed, not withdrawn: nothing to download (tests/test_withdrawal_record.py downloads one).
        "withdrawal_pdf": (reverse("staff:withdrawal_pdf", args=pid), 404),
        "add_note": (reverse("staff:add_note", args=pid), 405),
        "assign": (reverse("staff:assign", args=pid), 405),
        "correct": (reverse("staff:correct", args=pid), 200),
        "day_list": (reverse("staff:day_list"), 200),
        "reissue": (reverse("staff:reissue", args=pid), 200),
        "cancel": (reverse("staff:cancel", args=pid), 200),
        "reconsent": (reverse("staff:reconsent", args=pid), 200),
        "checklist": (reverse("staff:checklist", args=pid), 200),
        "checklist_item": (reverse("staff:checklist_item", args=[request.public_id, key]), 405),
        "checklist_sign_off": (reverse("staff:checklist_sign_off", args=pid), 200),
        "checklist_pdf": (reverse("staff:checklist_pdf", args=pid), 200),
        "confirm": (reverse("staff:confirm", args=pid), 200),
        "answer_question": (reverse("staff:answer_question", args=[question.pk]), 405),
        # Clinicians only: a nurse gets the 403 page (CLINICIANS_ONLY below).
        "countersign": (reverse("staff:countersign", args=pid), 403),
        # Not countersigned yet: nothing to download (tests/test_countersign.py downloads one).
        "clinician_pdf": (reverse("staff:clinician_pdf", args=pid), 404),
        # Signed through the link: the page says plainly that there is nothing to record.
        "record_consent": (reverse("staff:record_consent", args=pid), 200),
        # Nothing recorded by staff here: no scan and no cover record (tests/test_staff_recorded_consent.py).
        "staff_record_scan": (reverse("staff:staff_record_scan", args=pid), 404),
        "staff_record_pdf": (reverse("staff:staff_record_pdf", args=pid), 404),
        "blood_thinners": (reverse("staff:blood_thinners", args=pid), 200),
        "records": (reverse("staff:records"), 200),
        # Case A is signed: a one-row CSV.
        "records_export": (reverse("staff:records_export"), 200),
    }


# Pages a clinician and a superuser open that a nurse is refused.
CLINICIANS_ONLY = {"countersign": 200}


PAGES = [
    "index",
    "new_request",
    "procedures",
    "procedure",
    "case",
    "case_pdf",
    "withdrawal_pdf",
    "add_note",
    "assign",
    "correct",
    "day_list",
    "reissue",
    "cancel",
    "reconsent",
    "checklist",
    "checklist_item",
    "checklist_sign_off",
    "checklist_pdf",
    "confirm",
    "answer_question",
    "countersign",
    "clinician_pdf",
    "record_consent",
    "staff_record_scan",
    "staff_record_pdf",
    "blood_thinners",
    "records",
    "records_export",
]


def test_the_list_covers_every_staff_url(signed_with_question):
    from staff import urls as staff_urls

    names = set()
    for pattern in staff_urls.urlpatterns:
        names |= {p.name for p in pattern.url_patterns} if hasattr(pattern, "url_patterns") else {pattern.name}
    assert names == set(PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, signed_with_question, page):
    url, _ = staff_pages(signed_with_question)[page]

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("page", PAGES)
def test_content_admins_are_refused_and_see_no_patient_data(client, content_admin, signed_with_question, page):
    url, _ = staff_pages(signed_with_question)[page]
    client.force_login(content_admin)

    response = client.get(url)

    assert response.status_code == 403
    assert b"Ana Mar" not in response.content


@pytest.mark.parametrize("user_fixture", ["nurse", "clinician", "superuser"])
@pytest.mark.parametrize("page", PAGES)
def test_nurses_clinicians_and_superusers_get_in(client, request, signed_with_question, page, user_fixture):
    url, expected = staff_pages(signed_with_question)[page]
    if user_fixture != "nurse":
        expected = CLINICIANS_ONLY.get(page, expected)
    client.force_login(request.getfixturevalue(user_fixture))

    response = client.get(url)

    assert response.status_code == expected


def test_a_patients_session_opens_no_staff_page(client, signed_with_question):
    client.post(f"{signed_with_question.url}identity/", {"day": 14, "month": 3, "year": 1950})

    for page in PAGES:
        url, _ = staff_pages(signed_with_question)[page]
        assert client.get(url).status_code == 302, page
