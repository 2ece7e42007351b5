"""A Spanish-speaking patient in a real browser: picks Spanish on the welcome page, does the whole
journey in Spanish (every page checked by axe), signs and downloads a Spanish record."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from consent.models import AuditEvent, ConsentRequest
from procedures.services import publish_procedure
from tests.browser.audit import AxeAudit
from tests.browser.helpers import PATIENT, new_case, submit, walk_to_sign
from tests.browser.test_journey import download_signed_record, pdf_text
from tests.conftest import add_spanish, build_procedure

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def bilingual_procedure(db):
    procedure = add_spanish(build_procedure())
    publish_procedure(procedure=procedure, published_by=None, change_summary="With Spanish", is_material=False)
    return procedure


def test_a_patient_picks_spanish_and_completes_the_journey_and_record_in_spanish(page, bilingual_procedure):
    case = new_case(bilingual_procedure)  # preferred language English: the picker is how Spanish is chosen
    audit = AxeAudit()
    page.goto(case.url)
    audit(page, "welcome in English, with the picker")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("button", name="Español")).to_have_attribute("aria-pressed", "true")
    assert AuditEvent.objects.filter(request=case.request, action="language_chosen").exists()

    walk_to_sign(page, case, visit=audit, with_errors=False)
    expect(page.locator("main h1")).to_contain_text("Firme")
    page.fill("#id_typed_name", PATIENT["full_name"])
    submit(page)
    page.wait_for_url("**/done/")
    audit(page, "done")
    audit.assert_clean({"journey:welcome", "journey:identity", "journey:risks", "journey:sign", "journey:done"})

    text = " ".join(pdf_text(download_spanish_record(page)).split())
    assert "Idioma: Español" in text and "in Spanish" in text
    assert "Prueba de ejemplo" in text and "Dolor de cabeza" in text
    assert ConsentRequest.objects.get(pk=case.request.pk).language == "es"


def download_spanish_record(page) -> bytes:
    return download_signed_record(page, name="Descargar su documento firmado (PDF)")
