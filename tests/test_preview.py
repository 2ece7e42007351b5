"""Preview as a patient: the admin walks the working copy through the real journey pages, saving nothing."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.test import Client

from procedures.models import Risk
from tests.conftest import PATIENT_A, StaffClient, make_user

BANNER = "Preview of the unpublished working copy — nothing is saved; patients see only published versions"
PAGES = [
    "welcome",
    "identity",
    "about",
    "risks",
    "preparing",
    "understanding",
    "questions",
    "review",
    "decide",
    "sign",
    "sign/?decision=decline",
    "done",
    "done/?decision=decline",
    "done/?decision=discuss",
]


def preview_url(procedure, page="") -> str:
    base = f"/admin/procedures/procedure/{procedure.pk}/preview/"
    return f"{base}{page}/" if page and "?" not in page else base + page


def signed_in(user) -> Client:
    client = StaffClient()
    client.force_login(user)
    return client


def row_counts() -> dict:
    return {model: model.objects.count() for model in apps.get_models()}


class LinkCollector(HTMLParser):
    """Every link and form on a page, as (href) and (method, action)."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and "href" in attributes:
            self.links.append(attributes["href"])
        if tag == "form":
            self.forms.append((attributes.get("method", "get").lower(), attributes.get("action", "")))


def links_and_forms(html: str) -> LinkCollector:
    collector = LinkCollector()
    collector.feed(html)
    return collector


# Who may preview ----------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ["content_admin", "superuser"])
def test_content_admins_and_superusers_can_open_every_preview_page(request, procedure, role, page):
    client = signed_in(request.getfixturevalue(role))

    response = client.get(preview_url(procedure, page))

    assert response.status_code == 200
    assert response.context["preview"] is True
    text = response.content.decode()
    assert BANNER in text
    assert f'href="/admin/procedures/procedure/{procedure.pk}/change/"' in text


def test_preview_opens_on_the_welcome_page(procedure, content_admin):
    response = signed_in(content_admin).get(preview_url(procedure))

    assert response.status_code == 200
    assert "Step 1 of 10" in response.content.decode()
    assert "Welcome" in response.content.decode()


def test_nurse_is_sent_to_the_admin_sign_in(procedure, nurse):
    response = signed_in(nurse).get(preview_url(procedure, "risks"))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_signed_out_visitor_is_sent_to_the_admin_sign_in(client, procedure):
    response = client.get(preview_url(procedure, "risks"))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_without_permission_to_view_procedures_gets_403(procedure, django_user_model):
    staff = make_user(django_user_model, "stan.staff", is_staff=True)

    response = signed_in(staff).get(preview_url(procedure, "risks"))

    assert response.status_code == 403


def test_staff_with_only_the_view_permission_can_preview(procedure, django_user_model):
    staff = make_user(django_user_model, "vera.viewer", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_procedure"))

    assert signed_in(staff).get(preview_url(procedure, "risks")).status_code == 200


# What it shows ------------------------------------------------------------------


def test_risks_page_shows_the_drafts_risks_with_their_tick_boxes(procedure, content_admin):
    Risk.objects.create(
        procedure=procedure,
        title="Bleeding",
        description="A little bleeding where the needle went in.",
        frequency="uncommon",
        severity="minor",
        is_material=False,
    )

    text = signed_in(content_admin).get(preview_url(procedure, "risks")).content.decode()

    assert "Headache" in text
    assert "Bleeding" in text
    assert "I understand this risk" in text
    assert "Common: about 1 in 20 people" in text


def test_unpublished_edit_shows_in_the_preview_but_not_to_patients(client, case_a, published_procedure, content_admin):
    risk = published_procedure.risks.get()
    risk.title = "Headache after the test (edited, not published)"
    risk.save()

    preview = signed_in(content_admin).get(preview_url(published_procedure, "risks")).content.decode()
    born = PATIENT_A["date_of_birth"]
    client.post(f"{case_a.url}identity/", {"day": born.day, "month": born.month, "year": born.year})
    client.post(f"{case_a.url}about/")
    patient = client.get(f"{case_a.url}risks/").content.decode()

    assert "Headache after the test (edited, not published)" in preview
    assert "Headache after the test (edited, not published)" not in patient
    assert "Headache" in patient


def test_about_page_shows_a_made_up_appointment_and_clinician(procedure, content_admin):
    text = signed_in(content_admin).get(preview_url(procedure, "about")).content.decode()

    assert "Test procedure" in text
    assert "09:00 with Dr Example" in text
    assert "A nurse helps you lie down." in text


def test_sign_page_shows_the_statement_for_the_next_version(published_procedure, content_admin):
    client = signed_in(content_admin)

    consent = client.get(preview_url(published_procedure, "sign")).content.decode()
    decline = client.get(preview_url(published_procedure, "sign/?decision=decline")).content.decode()

    assert "Sign your consent" in consent
    assert "version 2 of the information" in consent
    assert "I agree to have a test procedure." in consent
    assert "Sign your decision" in decline
    assert "I have decided not to have a test procedure." in decline


def test_choosing_to_talk_first_goes_to_the_matching_done_page(procedure, content_admin):
    client = signed_in(content_admin)

    response = client.get(preview_url(procedure, "sign/?decision=discuss"))

    assert response.status_code == 302
    assert response["Location"] == preview_url(procedure, "done/?decision=discuss")
    assert "We'll be in touch" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("page", "heading"),
    [
        ("done", "Thank you: your consent is recorded"),
        ("done/?decision=decline", "Your decision is recorded"),
        ("done/?decision=discuss", "We'll be in touch"),
    ],
)
def test_done_page_shows_each_outcome(procedure, content_admin, page, heading):
    assert heading in signed_in(content_admin).get(preview_url(procedure, page)).content.decode()


def test_review_page_shows_a_patient_who_ticked_everything(procedure, content_admin):
    text = signed_in(content_admin).get(preview_url(procedure, "review")).content.decode()

    assert "You said you understand this risk." in text
    assert "You said you will do this." in text
    assert "Not ticked yet" not in text
    assert "Lie flat and drink fluids" in text


def test_each_form_moves_to_the_next_preview_page_by_get(procedure, content_admin):
    client = signed_in(content_admin)
    expected_next = {
        "identity": "about",
        "about": "risks",
        "risks": "preparing",
        "preparing": "understanding",
        "understanding": "questions",
        "questions": "review",
        "review": "decide",
        "decide": "sign",
        "sign": "done",
    }
    for page, next_page in expected_next.items():
        html = client.get(preview_url(procedure, page)).content.decode()
        journey_forms = [form for form in links_and_forms(html).forms if form[0] != "post"]

        assert journey_forms == [("get", preview_url(procedure, next_page))], page
        assert "csrfmiddlewaretoken" not in html, page  # no form posts anything, and no staff header


@pytest.mark.parametrize("page", PAGES)
def test_preview_links_go_only_to_preview_pages_or_the_admin(procedure, content_admin, page):
    html = signed_in(content_admin).get(preview_url(procedure, page)).content.decode()
    found = links_and_forms(html)

    assert "/c/" not in html
    for href in found.links:
        assert href.startswith((preview_url(procedure), "/admin/", "tel:", "#")) or href == "/", href
    for method, action in found.forms:
        # The only form that posts is the header's "sign out".
        assert (method == "get" and action.startswith(preview_url(procedure))) or action == "/accounts/logout/", action


def test_pdf_and_withdraw_buttons_are_shown_but_are_not_links(procedure, content_admin):
    html = signed_in(content_admin).get(preview_url(procedure, "done")).content.decode()
    links = links_and_forms(html).links

    assert "Download your signed record (PDF)" in html
    assert "Withdraw my consent" in html
    assert "Download the information about this procedure (PDF)" in html
    assert not [href for href in links if "pdf" in href or "withdraw" in href]


# Nothing is saved ---------------------------------------------------------------


def test_walking_every_page_creates_no_rows(procedure, content_admin):
    client = signed_in(content_admin)
    before = row_counts()

    for page in PAGES:
        assert client.get(preview_url(procedure, page)).status_code == 200
    client.get(preview_url(procedure, "sign/?decision=discuss"))

    assert row_counts() == before


@pytest.mark.parametrize("page", PAGES)
def test_posting_to_a_preview_page_is_refused_and_creates_nothing(procedure, content_admin, page):
    client = signed_in(content_admin)
    before = row_counts()

    response = client.post(
        preview_url(procedure, page),
        {"day": 14, "month": 3, "year": 1950, "question": "Will it hurt?", "confirmed": "on", "decision": "consent"},
    )

    assert response.status_code == 405
    assert row_counts() == before


def test_submitting_preview_forms_with_answers_creates_nothing(procedure, content_admin):
    client = signed_in(content_admin)
    risk_key = procedure.risks.get().key
    before = row_counts()

    preparing = client.get(preview_url(procedure, "preparing"), {f"ack_{risk_key}": "on"})
    review = client.get(preview_url(procedure, "review"), {"question": "Will it hurt?", "wants_discussion": "on"})
    done = client.get(
        preview_url(procedure, "done"), {"signer": "patient", "typed_name": "Sample Patient", "decision": "decline"}
    )

    assert row_counts() == before
    # What was entered is dropped from the address; only the page (and a decision) stays.
    assert preparing["Location"] == preview_url(procedure, "preparing")
    assert review["Location"] == preview_url(procedure, "review")
    assert done["Location"] == preview_url(procedure, "done/?decision=decline")


# Unknown pages ------------------------------------------------------------------


def test_unknown_page_is_404(procedure, content_admin):
    assert signed_in(content_admin).get(preview_url(procedure, "withdraw")).status_code == 404


def test_unknown_procedure_is_404(db, content_admin):
    assert signed_in(content_admin).get("/admin/procedures/procedure/999999/preview/").status_code == 404


def test_change_page_links_to_the_preview(procedure, content_admin):
    text = signed_in(content_admin).get(f"/admin/procedures/procedure/{procedure.pk}/change/").content.decode()

    assert f'href="{preview_url(procedure)}"' in text
    assert "Preview as a patient" in text
