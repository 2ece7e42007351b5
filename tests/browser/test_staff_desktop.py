"""The nurse's case and checklist pages on a clinic desktop (1366×768): they use the width, and the
checklist saves every mark at once, with or without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from consent.models import ChecklistEntry
from procedures.models import ChecklistItem
from tests.browser.helpers import sign_in_staff
from tests.conftest import complete_journey

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
CLINIC_DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def busy_case(published_procedure, case_a):
    """A signed case with a question waiting and a checklist of several items, as a nurse meets it."""
    for order, (text, category) in enumerate(
        [("Identity checked", "identity"), ("Allergies recorded", "allergies"), ("Fasting confirmed", "fasting")],
        start=1,
    ):
        ChecklistItem.objects.create(procedure=published_procedure, text=text, category=category, order=order)
    from procedures.services import publish_procedure

    publish_procedure(procedure=published_procedure, published_by=None, change_summary="Items", is_material=False)
    from tests.conftest import PATIENT_B, make_case

    case = make_case(published_procedure, PATIENT_B)
    complete_journey(case)
    case.refresh()
    return case


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def page_height(page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def test_the_case_page_puts_the_record_notes_and_timeline_beside_the_patients_story(new_page, nurse, busy_case):
    url = f"/staff/requests/{busy_case.request.public_id}/"
    desktop = new_page(viewport=CLINIC_DESKTOP)
    sign_in_staff(desktop, nurse, url)
    phone = new_page(viewport=PHONE)
    phone.context.add_cookies(desktop.context.cookies())  # the same session (a code is good only once)
    phone.goto(url)

    main, side = box(desktop, ".proceed-case-main"), box(desktop, ".proceed-case-side")

    assert side["x"] >= main["x"] + main["width"], "the side column is beside the main one, not under it"
    assert abs(side["y"] - main["y"]) < 5, "both start at the top"
    assert main["width"] + side["width"] > 1200, "the page uses the desktop's width"
    assert page_height(desktop) < 0.6 * page_height(phone), (page_height(desktop), page_height(phone))
    assert desktop.evaluate("document.documentElement.scrollWidth") <= CLINIC_DESKTOP["width"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "a phone still reflows"


def test_the_checklist_shows_each_items_details_beside_its_marks_and_keeps_save_in_sight(new_page, nurse, busy_case):
    url = f"/staff/requests/{busy_case.request.public_id}/checklist/"
    page = new_page(viewport=CLINIC_DESKTOP)
    sign_in_staff(page, nurse, url)
    item = page.locator("fieldset.proceed-checklist-item").first

    details, marks = (
        item.locator(".card-body > div").nth(0).bounding_box(),
        item.locator(".proceed-checklist-form").bounding_box(),
    )
    assert marks["x"] >= details["x"] + details["width"] - 1, "the marks are beside the item's details"
    summary, heading = box(page, "#summary-heading"), box(page, "h1")
    assert summary["x"] > heading["x"] + heading["width"], "where the checklist stands sits beside the heading"
    save = page.get_by_role("button", name="Save the marked items")
    expect(save).to_be_in_viewport()  # at the top of a long checklist, the save button is in sight
    page.mouse.wheel(0, 1500)
    expect(save).to_be_in_viewport()


@pytest.mark.parametrize("javascript", [False, True], ids=["without JavaScript", "with JavaScript"])
def test_the_nurse_marks_several_items_and_saves_them_with_one_click(new_page, nurse, busy_case, javascript):
    url = f"/staff/requests/{busy_case.request.public_id}/checklist/"
    page = new_page(viewport=CLINIC_DESKTOP, java_script_enabled=javascript)
    sign_in_staff(page, nurse, url)
    items = page.locator("fieldset.proceed-checklist-item")
    identity = items.filter(has_text="Identity checked")
    allergies = items.filter(has_text="Allergies recorded")
    fasting = items.filter(has_text="Fasting confirmed")

    identity.get_by_label("Done", exact=True).check()
    allergies.get_by_label("Done", exact=True).check()
    fasting.get_by_label("Problem", exact=True).check()  # a problem needs a note: the save is refused
    if javascript:
        expect(page.locator("#checklist-unsaved")).to_have_text("3 items marked, not saved yet")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the marked items").click()

    expect(page.locator("#error-summary")).to_contain_text("Nothing was saved yet: 1 item needs something more.")
    assert not ChecklistEntry.objects.filter(request=busy_case.request).exists()
    expect(identity.get_by_label("Done", exact=True)).to_be_checked()  # every mark is still there
    expect(allergies.get_by_label("Done", exact=True)).to_be_checked()
    expect(fasting.get_by_label("Problem", exact=True)).to_be_checked()
    fasting.get_by_label("Note (required for a problem)").fill("Ate breakfast at 7")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the marked items").click()

    expect(page.locator("main [role=status]")).to_contain_text("“Fasting confirmed” is problem.")
    saved = {entry.state for entry in ChecklistEntry.objects.filter(request=busy_case.request)}
    assert ChecklistEntry.objects.filter(request=busy_case.request).count() == 3 and saved == {"done", "problem"}
    expect(identity.locator(".proceed-checklist-state")).to_contain_text("Done")
    expect(fasting).to_contain_text("Problem: Ate breakfast at 7")
