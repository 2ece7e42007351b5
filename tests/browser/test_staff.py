"""Staff in a real browser: a nurse's request, checklist and sign-off; a content admin's published change."""

from __future__ import annotations

import pytest

from consent.models import ChecklistEntry, ChecklistSignOff, ConsentRequest
from procedures.models import ProcedureVersion
from tests.browser.helpers import NEW_PATIENT, nurse_creates_a_request, nurse_works_the_checklist, sign_in_staff

# The live server needs committed data, so each test's database is flushed after it; the rows the
# migrations made (the staff groups and their permissions) are put back for the next.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
DESKTOP = {"width": 1280, "height": 900}


def test_nurse_creates_a_request_works_the_checklist_and_signs_it_off(new_page, nurse, published_procedure):
    page = new_page(viewport=DESKTOP)
    sign_in_staff(page, nurse)
    assert page.url.endswith("/staff/"), "a nurse lands on the dashboard"

    case_url = nurse_creates_a_request(page, published_procedure)
    request = ConsentRequest.objects.get(patient__mrn=NEW_PATIENT["mrn"])
    assert request.procedure_version.procedure == published_procedure
    assert request.created_by == nurse
    assert NEW_PATIENT["full_name"] in page.locator("main").inner_text()

    page.goto(case_url)
    nurse_works_the_checklist(page)
    items = {item["key"] for item in request.content["checklist_items"]}
    entries = ChecklistEntry.objects.filter(request=request)
    assert {str(entry.item_key) for entry in entries} == items
    assert {entry.state for entry in entries} == {"done"}
    sign_off = ChecklistSignOff.objects.get(request=request)
    assert sign_off.signed_off_by == nurse
    assert "Signed off by" in page.locator("main").inner_text()


def test_content_admin_edits_a_risk_and_publishes_a_new_version(new_page, content_admin, published_procedure):
    page = new_page(viewport=DESKTOP)
    sign_in_staff(page, content_admin, f"/admin/procedures/procedure/{published_procedure.pk}/change/")
    page.locator("#risks-group summary").first.click()  # the risks are folded until opened
    description = page.locator("textarea[name$='-description'][name^='risks']").first
    description.fill("You may get a headache. It usually goes within a day.")
    page.locator("input[name=_continue]").click()
    page.locator(".messagelist").wait_for()

    page.get_by_role("link", name="Publish…").click()
    page.fill("#id_change_summary", "Said how long a headache usually lasts.")
    page.get_by_label("No: wording, spelling or layout only").check()
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Published version 2 of Test procedure.").wait_for()

    version = ProcedureVersion.objects.get(procedure=published_procedure, number=2)
    assert "It usually goes within a day." in str(version.content)
    assert version.published_by == content_admin
    page.goto("/admin/procedures/procedure/")
    assert page.locator("td.field-current_version_number").first.inner_text().strip() == "2"
