"""Steps the browser tests share: walking the patient journey, signing staff in."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

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
    page.locator("main form button[type=submit]").last.click()


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
    page.get_by_role("link", name="Start").click()
    page.wait_for_url("**/identity/")
    visit(page, "identity")
    page.fill("#id_day", str(dob.day if not with_errors else (dob.day % 28) + 1))
    page.select_option("#id_month", str(dob.month))
    page.fill("#id_year", str(dob.year))
    if with_errors:
        submit(page)
        assert page.locator("#error-summary").is_visible()
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
        assert page.locator("#error-summary").is_visible()
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
        assert page.get_by_text("That's not quite right.").is_visible()
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


def sign_in_staff(page, user) -> None:
    """Both steps of the staff sign-in, through the real pages, with a code from the user's authenticator."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Phone", confirmed=True
    )
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    submit(page)
    page.wait_for_url("**/accounts/two-step/**")
    page.fill("#id_code", totp_code(device))
    submit(page)
    page.wait_for_url(lambda url: "/accounts/" not in url)


def appointment_in(days: int) -> datetime.datetime:
    return timezone.localtime() + datetime.timedelta(days=days)
