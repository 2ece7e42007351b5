"""Steps the browser tests share: walking the patient journey, signing staff in."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.conftest import PASSWORD, totp_code

PATIENT = {"mrn": "MRN-BR-3003", "full_name": "Zoë Ann O'Neill", "date_of_birth": datetime.date(1948, 6, 2)}

# Called with (page, name) on every page the walk reaches, errors included.
Visit = Callable[[object, str], None]


def _nothing(page, name: str) -> None:
    return None


def new_case(procedure, patient=PATIENT, **kwargs):
    from tests.conftest import make_case

    return make_case(procedure, patient, **kwargs)


def submit(page) -> None:
    """The form's own button: not "Save and come back later" or the sign page's "Back" (name="action")."""
    page.locator("main form button[type=submit]:not([name=action])").last.click()


def choose_in_every_group(page, index: int) -> None:
    names = dict.fromkeys(page.locator("main input[type=radio]").evaluate_all("els => els.map(e => e.name)"))
    for name in names:
        page.locator(f"main input[name='{name}']").nth(index).check()


def walk_to_sign(page, case, patient=PATIENT, *, visit: Visit = _nothing, with_errors: bool = True) -> None:
    """From the link to the sign page, by pointer, making the mistakes patients make when
    `with_errors` (wrong date of birth, a missing tick, a wrong quiz answer), calling `visit` on each page."""
    dob = patient["date_of_birth"]
    page.goto(case.url)
    visit(page, "welcome")
    page.locator("main a[href$='/identity/']").first.click()  # "Start", in whichever language
    page.wait_for_url("**/identity/")
    visit(page, "identity")
    page.fill("#id_day", str(dob.day if not with_errors else (dob.day % 28) + 1))
    page.fill("#id_month", str(dob.month))
    page.fill("#id_year", str(dob.year))
    if with_errors:
        submit(page)
        expect(page.locator("#error-summary")).to_be_visible()
        visit(page, "identity with errors")
        page.fill("#id_day", str(dob.day))
    submit(page)
    page.wait_for_url("**/about/")
    visit(page, "about")
    submit(page)
    page.wait_for_url("**/risks/")
    visit(page, "risks")
    if with_errors:
        submit(page)
        expect(page.locator("#error-summary")).to_be_visible()
        visit(page, "risks with errors")
    for tick in page.locator("main input[name^=ack_]").all():
        tick.check()
    submit(page)
    page.wait_for_url("**/preparing/")
    visit(page, "preparing")
    for tick in page.locator("main input[name^=ack_]").all():
        tick.check()
    choose_in_every_group(page, 1)  # "No" to "Do you take blood thinners?": the expected answer
    submit(page)
    page.wait_for_url("**/understanding/")
    visit(page, "understanding")
    if with_errors:
        choose_in_every_group(page, 1)  # the wrong answer
        submit(page)
        expect(page.get_by_text("That's not quite right.")).to_be_visible()
        visit(page, "understanding with a wrong answer")
    choose_in_every_group(page, 0)
    submit(page)
    page.wait_for_url("**/questions/")
    visit(page, "questions")
    page.fill("#id_question", "Can my daughter stay with me?")
    submit(page)
    page.wait_for_url("**/review/")
    visit(page, "review")
    page.check("#id_confirmed")
    submit(page)
    page.wait_for_url("**/decide/")
    visit(page, "decide")
    page.check("#id_decision_0")
    submit(page)
    page.wait_for_url("**/sign/consent/")
    visit(page, "sign")


def sign_in_staff(page, user, next_url: str = "/staff/") -> None:
    """Both steps of the staff sign-in, through the real pages, with a code from the user's authenticator."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Phone", confirmed=True
    )
    page.goto(f"/accounts/login/?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    submit(page)
    page.wait_for_url("**/accounts/two-step/**")
    page.fill("#id_code", totp_code(device))
    submit(page)
    page.wait_for_url(f"**{next_url}")


def appointment_in(days: int) -> datetime.datetime:
    return timezone.localtime() + datetime.timedelta(days=days)


def sign_in_staff_with_mistakes(page, user, next_url: str = "/staff/", *, visit: Visit = _nothing) -> None:
    """The staff sign-in through its real pages, with a wrong password and a wrong code first."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Phone", confirmed=True
    )
    page.goto(f"/accounts/login/?next={next_url}")
    visit(page, "sign-in")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "not my password")
    submit(page)
    expect(page.locator(".alert-danger, #error-summary, .invalid-feedback").first).to_be_visible()
    visit(page, "sign-in with errors")
    page.fill("#id_password", PASSWORD)
    submit(page)
    page.wait_for_url("**/accounts/two-step/**")
    visit(page, "second step")
    page.fill("#id_code", "000000" if totp_code(device) != "000000" else "111111")
    submit(page)
    expect(page.locator("#error-summary")).to_be_visible()
    visit(page, "second step with errors")
    page.wait_for_timeout(1100)  # after a wrong code django-otp refuses any code for a second
    page.fill("#id_code", totp_code(device))
    submit(page)
    page.wait_for_url(f"**{next_url}")


NEW_PATIENT = {"mrn": "MRN-NEW-4004", "full_name": "Priya Natarajan", "date_of_birth": "1961-09-23"}


def nurse_creates_a_request(page, procedure, *, visit: Visit = _nothing) -> str:
    """From the dashboard, through the new-request page (once with nothing filled in), back to the
    dashboard and on to the new request's case page. Returns the case page's URL."""
    page.get_by_role("link", name="New request").click()
    page.wait_for_url("**/staff/requests/new/")
    visit(page, "new request")
    page.get_by_role("button", name="Create request").click()
    expect(page.locator("#error-summary, .invalid-feedback").first).to_be_visible()
    visit(page, "new request with errors")
    page.fill("#id_mrn", NEW_PATIENT["mrn"])
    page.fill("#id_full_name", NEW_PATIENT["full_name"])
    page.fill("#id_date_of_birth", NEW_PATIENT["date_of_birth"])
    page.select_option("#id_procedure", label=procedure.name)
    when = appointment_in(3)
    page.fill("#id_appointment_date", when.strftime("%Y-%m-%d"))
    page.fill("#id_appointment_time", "09:30")
    page.fill("#id_clinician", "Dr Priya Shah")
    page.get_by_role("button", name="Create request").click()
    page.get_by_role("heading", name="Request created").wait_for()
    visit(page, "request created")
    page.get_by_role("link", name="Back to appointments").click()
    page.get_by_role("link", name=NEW_PATIENT["full_name"]).click()
    page.wait_for_url("**/staff/requests/*/")
    visit(page, "case")
    return page.url


def nurse_works_the_checklist(page, *, visit: Visit = _nothing) -> None:
    """From the case page: mark every checklist item done, save them together, then sign off."""
    page.get_by_role("link", name="Checklist").first.click()
    page.get_by_role("heading", name="Pre-procedure checklist").wait_for()
    visit(page, "checklist")
    items = page.locator("fieldset.proceed-checklist-item")
    assert items.count() > 0
    for index in range(items.count()):
        items.nth(index).get_by_label("Done", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save the marked items").click()
    expect(page.locator("main [role=status]").filter(has_text="is done.")).to_be_visible()
    page.get_by_role("link", name="Sign off the checklist").click()
    page.wait_for_url("**/checklist/sign-off/")
    visit(page, "checklist sign-off")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign off the checklist").click()
    page.get_by_text("Checklist signed off by you").wait_for()


def walk_to_withdraw(page, case, patient=PATIENT, *, visit: Visit = _nothing) -> None:
    """The whole journey with its mistakes (see walk_to_sign), an empty signature first, then signing
    with the typed name, to the done page and on to the withdraw page, calling `visit` on each."""
    walk_to_sign(page, case, patient, visit=visit)
    submit(page)
    expect(page.locator("#error-summary")).to_be_visible()
    visit(page, "sign with errors")
    page.fill("#id_typed_name", patient["full_name"])
    submit(page)
    page.wait_for_url("**/done/")
    visit(page, "done")
    page.get_by_role("link", name="Withdraw my consent").click()
    page.wait_for_url("**/withdraw/")
    visit(page, "withdraw")
