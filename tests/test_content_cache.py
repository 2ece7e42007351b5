"""Fragments of patient pages reused from a published version (journey.content_cache) never show the wrong thing."""

from __future__ import annotations

import pytest
from django.template import Context, Origin, Template
from django.test import Client
from django.utils import translation

from editor.preview import DraftVersion
from journey import content_cache
from procedures.models import Risk
from procedures.services import publish_procedure
from tests.conftest import PATIENT_B, make_case
from tests.test_patient_journey import DOB, dob_post, risks_post

FRAGMENT_SOURCE = (
    "{% load content_cache i18n %}"
    '{% published_fragment form version "test" %}{% get_current_language as lang %}{{ lang }} {{ n }}'
    "{% endpublished_fragment %}"
)


@pytest.fixture(autouse=True)
def _no_fragments():
    content_cache.clear()
    yield
    content_cache.clear()


@pytest.fixture
def fragment(tmp_path):
    """A template file whose fragment shows the language and `n` (deliberately not among its keys)."""
    path = tmp_path / "fragment.html"
    path.write_text(FRAGMENT_SOURCE)
    template = Template(FRAGMENT_SOURCE, origin=Origin(name=str(path)))
    return lambda **context: template.render(Context(context))


def on_risks_page(case, dob=DOB) -> Client:
    """A patient's browser that has confirmed the date of birth and read the About page."""
    patient = Client()
    assert patient.post(f"{case.url}identity/", dob_post(dob)).status_code == 302
    assert patient.post(f"{case.url}about/").status_code == 302
    return patient


def test_each_patient_sees_the_risks_of_their_own_version(case_a):
    ana = on_risks_page(case_a)
    assert "Headache" in ana.get(f"{case_a.url}risks/").content.decode()  # now kept for version 1

    procedure = case_a.request.procedure_version.procedure
    Risk.objects.filter(procedure=procedure).update(title="Headache after the test")
    publish_procedure(procedure=procedure, published_by=None, change_summary="Clearer title", is_material=False)
    case_b = make_case(procedure, PATIENT_B)
    assert case_b.request.procedure_version.number == 2
    assert case_a.refresh().procedure_version.number == 1

    bob = on_risks_page(case_b, dob=PATIENT_B["date_of_birth"])
    assert "Headache after the test" in bob.get(f"{case_b.url}risks/").content.decode()
    again = ana.get(f"{case_a.url}risks/").content.decode()
    assert "Headache" in again
    assert "Headache after the test" not in again


def test_a_ticked_risk_shows_ticked_when_the_patient_comes_back(case_a):
    patient = on_risks_page(case_a)
    first = patient.get(f"{case_a.url}risks/").content.decode()
    assert "checked" not in first

    patient.post(f"{case_a.url}risks/", risks_post(case_a))
    back = patient.get(f"{case_a.url}risks/").content.decode()

    assert "checked" in back


def test_a_missing_tick_is_named_after_the_page_was_kept(case_a):
    patient = on_risks_page(case_a)
    patient.get(f"{case_a.url}risks/")

    response = patient.post(f"{case_a.url}risks/", risks_post(case_a, skip=("Headache",)))

    assert "Please tick to show you understand: Headache." in response.content.decode()


def test_a_kept_fragment_follows_the_active_language(published_procedure, fragment):
    version = published_procedure.current_version
    with translation.override("en"):
        english = fragment(version=version, n=1)
    with translation.override("es"):
        spanish = fragment(version=version, n=1)
    with translation.override("en"):
        english_again = fragment(version=version, n=2)

    assert english == "en 1"
    assert spanish == "es 1"
    assert english_again == "en 1"  # kept: the same version, language and template


def test_a_draft_in_preview_or_a_posted_form_is_never_kept(published_procedure, fragment):
    draft = DraftVersion(number=2, content={})

    assert fragment(version=draft, n=1) == "en 1"
    assert fragment(version=draft, n=2) == "en 2"

    class PostedForm:
        is_bound = True

    version = published_procedure.current_version
    assert fragment(version=version, form=PostedForm(), n=3) == "en 3"
    assert fragment(version=version, form=PostedForm(), n=4) == "en 4"
