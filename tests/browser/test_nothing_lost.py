"""In a real browser with JavaScript: ticks saved as they are made, the sign page's draft kept when the
patient leaves it, the representative's fields only when someone signs for the patient."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PATIENT, new_case, submit, walk_to_sign
from tests.browser.test_journey import draw_signature

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def open_link(page, case) -> None:
    dob = PATIENT["date_of_birth"]
    page.goto(case.url + "identity/")
    page.fill("#id_day", str(dob.day))
    page.fill("#id_month", str(dob.month))
    page.fill("#id_year", str(dob.year))
    submit(page)
    page.wait_for_url(lambda url: "/identity/" not in url)


def test_ticks_are_saved_as_they_are_made_and_survive_closing_the_browser(new_page, published_procedure):
    case = new_case(published_procedure)
    page = new_page()
    open_link(page, case)
    submit(page)  # about
    page.wait_for_url("**/risks/")
    page.locator("main input[name^=discuss_]").first.check()
    expect(page.locator(".proceed-autosave-status")).to_have_text("Your ticks are saved as you make them.")
    page.locator("main input[name^=ack_]").first.check()
    page.context.close()  # the browser closed halfway: "Continue" never pressed

    again = new_page()
    open_link(again, case)
    again.goto(case.url + "risks/")
    expect(again.locator("main input[name^=discuss_]").first).to_be_checked()
    expect(again.locator("main input[name^=ack_]").first).to_be_checked()


def test_leaving_the_sign_page_keeps_the_typed_name_and_the_drawing(new_page, published_procedure):
    case = new_case(published_procedure)
    page = new_page()
    walk_to_sign(page, case, with_errors=False)
    draw_signature(page)
    page.fill("#id_typed_name", "Zoë Ann")
    drawing = page.input_value("input[name=drawn_signature]")
    assert drawing.startswith("data:image/png;base64,")

    page.go_back()  # the browser's own back button: the page sends its draft as it goes
    page.wait_for_url("**/decide/")
    page.goto(case.url + "decide/")  # afresh from the server, not the browser's memory of it
    page.check("#id_decision_0")
    submit(page)
    page.wait_for_url("**/sign/consent/")
    expect(page.locator("#id_typed_name")).to_have_value("Zoë Ann")
    assert page.input_value("input[name=drawn_signature]") == drawing

    # The page's own "Back" button keeps them too, and the drawing is on the pad again.
    page.fill("#id_typed_name", "Zoë Ann O'Neill")
    page.get_by_role("button", name="Back to your decision").click()
    page.wait_for_url("**/decide/")
    page.check("#id_decision_0")
    submit(page)
    page.wait_for_url("**/sign/consent/")
    expect(page.locator("#id_typed_name")).to_have_value("Zoë Ann O'Neill")
    blank = page.evaluate(
        "() => { const c = document.querySelector('canvas.proceed-signature-canvas');"
        " return !c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some(v => v !== 0); }"
    )
    assert not blank, "the drawing is shown on the pad again"
    submit(page)
    page.wait_for_url("**/done/")


def test_the_representatives_fields_show_only_for_someone_signing_for_the_patient(new_page, published_procedure):
    case = new_case(published_procedure)
    page = new_page()
    walk_to_sign(page, case, with_errors=False)
    group = page.locator(".proceed-representative")

    expect(group).to_be_hidden()
    page.get_by_label("I am signing for the patient").check()
    expect(group).to_be_visible()
    expect(page.get_by_text("Only if you are signing for someone else")).to_be_visible()
    page.get_by_label("I am the patient").check()
    expect(group).to_be_hidden()
    # A mistake shows the fields with their message, whatever is chosen.
    page.get_by_label("I am signing for the patient").check()
    submit(page)
    expect(page.locator("#error-summary")).to_be_visible()
    expect(group).to_be_visible()


def test_an_answer_needing_follow_up_says_what_to_do_as_it_is_chosen(new_page, published_procedure):
    from procedures.models import ChecklistItem
    from procedures.services import publish_procedure

    ChecklistItem.objects.filter(procedure=published_procedure).update(
        patient_prompt="Please call the clinic before you stop or change any medicine."
    )
    publish_procedure(procedure=published_procedure, published_by=None, change_summary="Prompt", is_material=False)
    case = new_case(published_procedure)
    page = new_page()
    open_link(page, case)
    submit(page)  # about
    for tick in page.locator("main input[name^=ack_]").all():
        tick.check()
    submit(page)
    page.wait_for_url("**/preparing/")
    prompt = page.get_by_text("Please call the clinic before you stop or change any medicine.")
    expect(prompt).to_be_hidden()
    page.get_by_label("Yes").check()
    expect(prompt).to_be_visible()
    page.get_by_label("No", exact=True).check()
    expect(prompt).to_be_hidden()
    page.get_by_label("Not sure").check()
    expect(prompt).to_be_visible()
