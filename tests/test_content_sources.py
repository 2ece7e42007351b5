"""What correct content needs: a source for every figure, a risk's own severity wording, the leaflet's
details and review date, questions to ask, and whom to call, shown where staff and patients need them."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader

from procedures.diff import content_diff
from procedures.models import Risk
from procedures.services import (
    PublishError,
    overdue_review,
    overdue_reviews,
    publish_procedure,
    publishing_problems,
    snapshot,
)
from records.pdf import consent_pdf_html, render_information_pdf
from tests.conftest import PATIENT_A, make_case, sign_case

SOURCE = "Nath S, et al. Atraumatic versus conventional lumbar puncture needles. Lancet. 2018;391:1197-1204."


def publish(procedure, summary="Changed."):
    return publish_procedure(procedure=procedure, published_by=None, change_summary=summary, is_material=True)


def pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def patient_page(client, case, page: str) -> str:
    client.post(f"{case.url}identity/", {"day": 14, "month": 3, "year": 1950})
    return client.get(f"{case.url}{page}/").content.decode()


# A source for every figure --------------------------------------------------------------


def test_a_figure_without_its_source_cannot_be_published(procedure):
    Risk.objects.filter(procedure=procedure).update(source="")

    assert any("say where “about 1 in 20” comes from" in problem for problem in publishing_problems(procedure))
    with pytest.raises(PublishError) as refused:
        publish(procedure)
    assert "or clear the figure and keep the band" in str(refused.value)


def test_a_risk_with_a_band_and_no_figure_needs_no_source(procedure):
    Risk.objects.filter(procedure=procedure).update(source="", frequency_n=None, frequency_m=None)

    assert publishing_problems(procedure) == []


def test_the_content_admin_sees_the_source_beside_the_figure(client, content_admin, published_procedure):
    client.force_login(content_admin)

    page = client.get(reverse("admin:procedures_procedure_change", args=[published_procedure.pk])).content.decode()

    figure, source = page.index('name="risks-0-frequency_m"'), page.index('name="risks-0-source"')
    assert 0 < source - figure < 3000  # the next row of the same risk
    assert "Test Headache Study" in page
    assert "Required to publish a figure" in page


def test_the_leaflet_prints_each_source_once_as_a_numbered_reference(procedure):
    Risk.objects.filter(procedure=procedure).update(source=SOURCE, source_url="https://doi.org/10.1016/x")
    Risk.objects.create(
        procedure=procedure,
        title="Back pain",
        description="Your back may ache.",
        frequency="very_common",
        frequency_n=1,
        frequency_m=6,
        source=SOURCE,
        source_url="https://doi.org/10.1016/x",
        severity="minor",
        is_material=False,
        order=20,
    )
    publish(procedure)
    case = make_case(procedure, PATIENT_A)

    text = pdf_text(render_information_pdf(case.request))

    assert text.count("Source of the figure: reference 1.") == 2
    references = text.split("References", 1)[1]
    assert references.count("Nath S, et al.") == 1 and "https://doi.org/10.1016/x" in references


# Severity in the risk's own words ------------------------------------------------------


def test_a_risk_says_how_serious_in_its_own_words_where_the_band_would_mislead(client, procedure):
    Risk.objects.filter(procedure=procedure).update(severity="moderate", severity_note="Can mean another operation.")
    publish(procedure)
    case = make_case(procedure, PATIENT_A)
    client.post(f"{case.url}identity/", {"day": 14, "month": 3, "year": 1950})
    client.post(f"{case.url}about/")

    risks = client.get(f"{case.url}risks/").content.decode()
    leaflet = pdf_text(render_information_pdf(case.request))

    assert "Moderate: Can mean another operation." in risks
    assert "Moderate: Can mean another operation." in leaflet
    assert "usually gets better" not in risks


def test_without_its_own_words_a_moderate_risk_promises_nothing(client, procedure):
    Risk.objects.filter(procedure=procedure).update(severity="moderate")
    publish(procedure)
    case = make_case(procedure, PATIENT_A)
    client.post(f"{case.url}identity/", {"day": 14, "month": 3, "year": 1950})
    client.post(f"{case.url}about/")

    assert "Moderate: May need treatment or a longer recovery.</p>" in client.get(f"{case.url}risks/").content.decode()


# The leaflet's details and its review date ----------------------------------------------


def test_the_leaflet_says_who_wrote_and_reviewed_it_and_when_it_is_next_reviewed(procedure):
    procedure.author = "Spine pain nursing team"
    procedure.clinical_reviewer = "Dr A. Rivera, consultant in pain medicine"
    procedure.review_by = datetime.date(2027, 6, 30)
    procedure.save()
    publish(procedure)
    case = make_case(procedure, PATIENT_A)

    text = pdf_text(render_information_pdf(case.request))

    assert "Written by Spine pain nursing team." in text
    assert "Reviewed for patients by Dr A. Rivera, consultant in pain medicine." in text
    assert "Next review due by 30 June 2027." in text


def test_unreviewed_information_says_so(published_procedure, case_a):
    assert "Not yet reviewed by a clinician." in pdf_text(render_information_pdf(case_a.request))


def test_a_change_to_the_leaflets_details_shows_in_the_diff(published_procedure):
    before = published_procedure.current_version.content
    published_procedure.review_by = datetime.date(2028, 1, 31)
    published_procedure.save()

    diff = content_diff(before, snapshot(published_procedure))

    assert [(change.label, str(change.diff)) for change in diff.procedure_fields] == [
        ("Leaflet details", "<ins>Review by: 2028-01-31</ins>")
    ]


def overdue_procedure(procedure, days=1):
    procedure.review_by = datetime.date.today() - datetime.timedelta(days=days)
    procedure.save()
    publish(procedure)
    return procedure


def test_information_past_its_review_date_is_flagged_to_content_admins(client, content_admin, procedure):
    overdue_procedure(procedure)
    client.force_login(content_admin)

    change = client.get(reverse("admin:procedures_procedure_change", args=[procedure.pk]), follow=True)
    changelist = client.get(reverse("admin:procedures_procedure_changelist")).content.decode()

    assert "was due for review on" in change.content.decode()
    assert 'class="proceed-review-overdue"' in changelist


def test_information_past_its_review_date_is_flagged_on_the_nurses_dashboard(client, nurse, procedure):
    overdue_procedure(procedure)
    client.force_login(nurse)

    page = client.get(reverse("staff:index")).content.decode()

    assert "The published information for Test procedure was due for review on" in page
    assert "Ask the content team to review it" in page


def test_information_within_its_review_date_raises_nothing(procedure):
    procedure.review_by = datetime.date.today()
    procedure.save()
    version = publish(procedure)

    assert overdue_review(version) is None
    assert overdue_reviews() == []
    assert overdue_review(version, today=datetime.date.today() + datetime.timedelta(days=1))


def test_only_the_latest_version_counts_for_the_review_date(procedure):
    overdue_procedure(procedure)
    procedure.review_by = datetime.date.today() + datetime.timedelta(days=365)
    procedure.save()
    publish(procedure, "Reviewed again.")

    assert overdue_reviews() == []


# Questions to ask, and whom to call -----------------------------------------------------


def test_the_patient_reads_the_questions_they_may_want_to_ask(client, procedure):
    procedure.questions_to_ask = "Which needle will you use?\nWhat if I say no?"
    procedure.save()
    publish(procedure)
    case = make_case(procedure, PATIENT_A)

    about = patient_page(client, case, "about")
    leaflet = pdf_text(render_information_pdf(case.request))

    assert "<li>Which needle will you use?</li><li>What if I say no?</li>" in about
    assert "Which needle will you use?" in leaflet and "Questions you may want to ask" in leaflet


@override_settings(EMERGENCY_NUMBER="999", CLINIC_PHONE="0161 496 0000", OUT_OF_HOURS_PHONE="0161 496 0999")
def test_whom_to_call_is_beside_the_warning_signs_with_the_clinics_own_numbers(client, published_procedure):
    case = make_case(published_procedure, PATIENT_A)

    about = patient_page(client, case, "about")
    leaflet = pdf_text(render_information_pdf(case.request))
    record = consent_pdf_html(sign_case(case))

    recovery = about.split("Recovery", 1)[1]
    assert 'href="tel:999"' in recovery and "In an emergency" in recovery
    assert 'href="tel:01614960000"' in recovery and "during office hours" in recovery
    assert 'href="tel:01614960999"' in recovery and "At night and on weekends" in recovery
    assert "call 999 now" in leaflet and "0161 496 0999" in leaflet
    assert "0161 496 0999" in record


def test_whom_to_call_is_in_the_patients_language(client, published_procedure):
    from tests.conftest import add_spanish

    add_spanish(published_procedure)
    publish(published_procedure)
    case = make_case(published_procedure, PATIENT_A)
    client.post(f"{case.url}identity/", {"day": 14, "month": 3, "year": 1950})
    client.post(f"{case.url}language/", {"language": "es"})

    about = client.get(f"{case.url}about/").content.decode()

    assert "En una emergencia" in about
