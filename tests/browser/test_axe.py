"""axe-core in Chromium on every patient and staff page: no WCAG 2.2 AA violations.

The pages are reached as people reach them (with their error states on the way). Every
named URL pattern of the project must be either checked by one of these tests or listed
in NOT_CHECKED with the reason, so a new page cannot be left out silently.
"""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from procedures.models import Picture
from procedures.pictures import store_picture
from procedures.sample_content import SAMPLE_DIR
from procedures.services import publish_procedure
from records import documents
from tests.browser.audit import AxeAudit
from tests.browser.helpers import (
    PATIENT,
    nurse_creates_a_request,
    nurse_works_the_checklist,
    sign_in_staff,
    sign_in_staff_with_mistakes,
    submit,
    walk_to_withdraw,
)
from tests.conftest import PATIENT_B, add_spanish, make_case, sign_case, totp_code

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
DESKTOP = {"width": 1280, "height": 900}

PATIENT_ROUTES = {
    "home",
    "journey:welcome",
    "journey:identity",
    "journey:about",
    "journey:risks",
    "journey:preparing",
    "journey:understanding",
    "journey:questions",
    "journey:review",
    "journey:decide",
    "journey:sign",
    "journey:done",
    "journey:withdraw",
    "journey:consent_pdf",  # the "your PDF is being prepared" page
    "verify",
}
STAFF_ROUTES = {
    "login",
    "two_factor",
    "two_factor_setup",
    "recovery_codes",
    "password_change",
    "staff:index",
    "staff:new_request",
    "staff:case",
    "staff:checklist",
    "staff:checklist_sign_off",
    "staff:confirm",
    "staff:correct",
    "staff:day_list",
    "staff:reissue",
    "staff:reconsent",
    "staff:cancel",
    "staff:procedures",
    "staff:procedure",
    "staff:records",
}
CONTENT_ADMIN_ROUTES = {
    "admin:index",
    "admin:procedures_procedure_changelist",
    "admin:procedures_procedure_change",
    "admin:procedures_procedure_publish",
    "admin:procedures_procedure_preview",
    "admin:procedures_procedure_preview_step",
    "admin:procedures_procedure_content_history",
    "admin:procedures_procedure_history",
    "admin:procedures_procedureversion_history",
    "admin:procedures_procedureversion_changelist",
    "admin:procedures_procedureversion_change",
}
NOT_CHECKED = {
    "journey:language": "POST only: the welcome page's language picker redirects back to the welcome page, "
    "which tests/browser/test_spanish.py checks in both languages",
    "logout": "POST only: it signs out and redirects to the sign-in page (checked)",
    "journey:information_pdf": "a PDF download, not a page",
    "picture": "an image, not a page: its text alternative is checked where it is shown (test_content_pictures.py)",
    "staff:case_pdf": "a PDF download, not a page",
    "staff:withdrawal_pdf": "a PDF download, not a page",
    "staff:records_export": "a CSV download, not a page (with nothing to export it returns to the archive, checked)",
    "staff:add_note": "POST only: saves the note and redirects to the case page (checked), where its errors show",
    "staff:assign": "POST only: saves who looks after the request and redirects to the case page (checked)",
    "journey:withdrawal_pdf": "a PDF download, not a page",
    "staff:checklist_pdf": "a PDF download, not a page",
    "staff:answer_question": "POST only: saves the answer and redirects to the case page (checked)",
    "staff:checklist_item": "POST only: saves one item's mark (a page from before marks were saved together) "
    "and redirects to the checklist (checked); its errors are shown on the checklist page",
    "healthz": "a plain-text status for load balancers, not a page",
}


def _django_admin_page(name: str) -> str | None:
    """Django's own admin pages for models other than the procedures (users, authenticators, sign-in
    records, background tasks) are Django's templates, used by whoever manages accounts, not Proceed's."""
    if name.startswith("admin:") and not name.startswith("admin:procedures_"):
        return "Django's own admin page for a model other than the procedures"
    if name.startswith(("admin:procedures_procedure_", "admin:procedures_procedureversion_")) and name.endswith(
        ("_add", "_delete")
    ):
        return "Django's own add/delete confirmation pages (a procedure is added once, versions never)"
    return None


def test_every_patient_page_passes_axe(page, new_page, published_procedure, settings, monkeypatch):
    audit = AxeAudit()
    page.goto("/")
    audit(page, "home")
    # Pictures in the information and with a risk, as the sample content has them.
    drawing = (SAMPLE_DIR / "pictures" / "lumbar-puncture-needle.svg").read_bytes()
    for section, risk in (("summary", None), ("risk", published_procedure.risks.get())):
        Picture.objects.create(
            procedure=published_procedure,
            file=store_picture(drawing),
            section=section,
            risk=risk,
            alt_text="A side view of the lower spine.",
            caption="1. The spinal cord ends here.",
        )
    publish_procedure(procedure=published_procedure, published_by=None, change_summary="Pictures", is_material=True)
    case = make_case(published_procedure, PATIENT)
    walk_to_withdraw(page, case, visit=audit)
    page.get_by_role("button", name="Withdraw my consent").click()
    page.wait_for_url("**/done/")
    audit(page, "done: withdrawn")

    # The signed record cannot be rendered just now: the "being prepared" page.
    other = make_case(published_procedure, PATIENT_B)
    sign_case(other)
    monkeypatch.setattr(documents, "render_document_safely", lambda signature: None)
    second = new_page()
    second.goto(other.url + "identity/")
    dob = PATIENT_B["date_of_birth"]
    second.fill("#id_day", str(dob.day))
    second.fill("#id_month", str(dob.month))
    second.fill("#id_year", str(dob.year))
    submit(second)
    second.wait_for_url("**/done/")
    audit(second, "done: PDF not ready")
    second.goto(other.url + "records.pdf")
    second.get_by_role("heading", name="Your PDF is not ready yet").wait_for()
    audit(second, "PDF pending")

    second.goto("/c/not-a-real-link/")
    second.get_by_role("heading", name="This link can't be used").wait_for()
    audit(second, "link problem")
    settings.PROCEED_IDENTITY_CHECKS_PER_IP = 1
    second.goto(case.url + "identity/")
    for _ in range(2):
        second.fill("#id_day", "1")
        second.fill("#id_month", "1")
        second.fill("#id_year", "1990")
        submit(second)
    second.get_by_role("heading", name="Too many attempts").wait_for()
    audit(second, "too many attempts")

    second.goto("/verify/")
    audit(second, "verify")
    with second.expect_navigation():
        second.locator("main form button[type=submit]").first.click()
    audit(second, "verify with nothing chosen")

    audit.assert_clean(PATIENT_ROUTES)


def test_every_staff_page_passes_axe(new_page, nurse, django_user_model, published_procedure, settings):
    audit = AxeAudit()
    page = new_page(viewport=DESKTOP)
    sign_in_staff_with_mistakes(page, nurse, visit=audit)
    audit(page, "dashboard (empty)")
    case_url = nurse_creates_a_request(page, published_procedure, visit=audit)
    signed = make_case(published_procedure, PATIENT)
    sign_case(signed)
    page.goto("/staff/")
    audit(page, "dashboard with requests")
    page.goto(case_url)
    with page.expect_navigation():
        page.get_by_role("link", name="Cancel the request").click()
    audit(page, "cancel")
    page.goto(case_url)
    with page.expect_navigation():
        page.get_by_role("link", name="Reissue the link").click()
    audit(page, "reissue")
    with page.expect_navigation():
        page.get_by_role("button", name="Reissue the link").click()
    audit(page, "link reissued")
    page.goto(case_url)
    nurse_works_the_checklist(page, visit=audit)
    audit(page, "checklist signed off")

    page.goto(f"/staff/requests/{signed.request.public_id}/")
    audit(page, "case: signed")
    page.goto(f"/staff/requests/{signed.request.public_id}/checklist/")
    page.locator("fieldset.proceed-checklist-item").first.get_by_label("Problem", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save the marked items").click()
    page.locator("#error-summary").wait_for()
    audit(page, "checklist: a save refused")
    page.goto(f"/staff/requests/{signed.request.public_id}/reconsent/")
    audit(page, "reconsent")
    with page.expect_navigation():
        page.get_by_role("button", name="Create the re-consent request").click()
    audit(page, "reconsent refused: nothing material changed")
    page.goto(f"/staff/requests/{signed.request.public_id}/confirm/")
    audit(page, "confirm")
    page.goto(f"/staff/requests/{signed.request.public_id}/correct/")
    audit(page, "correct the details")
    page.goto("/staff/day/")
    audit(page, "day list")
    page.goto("/staff/records/")
    audit(page, "records archive")
    page.goto("/staff/records/export.csv?status=withdrawn")
    audit(page, "records archive: nothing to export")
    page.goto("/staff/records/?start=soon&status=party&older=x")
    audit(page, "records archive: bad filters and page link")
    page.goto("/staff/procedures/")
    audit(page, "procedures")
    with page.expect_navigation():
        page.get_by_role("link", name=published_procedure.name).first.click()
    audit(page, "procedure")
    page.goto("/accounts/password/")
    audit(page, "change password")
    page.goto("/staff/no-such-page/")
    audit(page, "not found")

    # A new member of staff sets up their authenticator, and is shown their recovery codes.
    newcomer = django_user_model.objects.create_user(username="new.nurse", password="correct horse battery staple")
    newcomer.groups.add(nurse.groups.first())
    fresh = new_page(viewport=DESKTOP)
    fresh.goto("/accounts/login/?next=/staff/")
    fresh.fill("#id_username", "new.nurse")
    fresh.fill("#id_password", "correct horse battery staple")
    submit(fresh)
    fresh.wait_for_url("**/set-up/**")
    audit(fresh, "authenticator set-up")
    with fresh.expect_navigation():
        submit(fresh)
    audit(fresh, "authenticator set-up with errors")
    device = TOTPDevice.objects.get(user=newcomer)
    fresh.fill("#id_code", totp_code(device))
    submit(fresh)
    fresh.wait_for_url("**/recovery-codes/**")
    audit(fresh, "recovery codes")

    # Sign-in refused: a username locked after repeated failures, then this connection slowed down.
    settings.AXES_FAILURE_LIMIT = 2
    refused = new_page(viewport=DESKTOP)
    for _ in range(2):
        refused.goto("/accounts/login/")
        refused.fill("#id_username", "someone.else")
        refused.fill("#id_password", "not the password")
        submit(refused)
    refused.get_by_role("heading", name="Sign-in locked for now").wait_for()
    audit(refused, "sign-in locked")
    settings.PROCEED_SIGN_IN_FAILURES_PER_IP = 1  # counted afresh at the new rate: one failure, then refused
    for username in ("another.one", "a.third"):
        refused.goto("/accounts/login/")
        refused.fill("#id_username", username)
        refused.fill("#id_password", "not the password")
        submit(refused)
    refused.get_by_role("heading", name="Too many attempts").wait_for()
    audit(refused, "too many sign-in attempts")

    audit.assert_clean(STAFF_ROUTES)


def test_every_content_admin_page_passes_axe(new_page, content_admin, published_procedure, nurse):
    audit = AxeAudit()
    # A second, material version, so history and preview show a change.
    published_procedure.risks.update(frequency_n=1, frequency_m=10)
    publish_procedure(procedure=published_procedure, published_by=None, change_summary="Second", is_material=True)
    published_procedure.risks.update(description="You may get a headache for a day.")  # not published yet
    page = new_page(viewport=DESKTOP)
    sign_in_staff(page, content_admin, "/admin/")
    audit(page, "admin home")
    page.goto("/staff/")
    audit(page, "forbidden: a content admin on the nurses' dashboard")
    base = f"/admin/procedures/procedure/{published_procedure.pk}"
    for url, label in [
        ("/admin/procedures/procedure/", "procedures list"),
        (f"{base}/change/", "procedure change page"),
        (f"{base}/publish/", "publish"),
        (f"{base}/preview/", "preview"),
        (f"{base}/content-history/", "content history"),
        (f"{base}/history/", "change history"),
        ("/admin/procedures/procedureversion/", "versions list"),
        (f"/admin/procedures/procedureversion/{published_procedure.versions.first().pk}/history/", "version history"),
    ]:
        page.goto(url)
        audit(page, label)
    page.goto(f"{base}/publish/")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".errornote, .errorlist, #error-summary").first).to_be_visible()
    audit(page, "publish with errors")
    page.goto(f"{base}/preview/")
    with page.expect_navigation():
        page.locator("main a.btn-primary, main button[type=submit]").first.click()
    audit(page, "preview: a later step")
    page.goto(f"/admin/procedures/procedureversion/{published_procedure.versions.first().pk}/change/")
    audit(page, "a published version")
    page.goto("/admin/procedures/procedure/add/")
    audit(page, "add a procedure: what it needs before publishing")
    # A change the risks make material, and a translation left behind by its English: the publish
    # page's warnings and the second admin's approval, then the change page's marks.
    add_spanish(published_procedure)
    publish_procedure(procedure=published_procedure, published_by=None, change_summary="Spanish", is_material=False)
    published_procedure.risks.update(severity="serious", description="A headache that can last a week.")
    page.goto(f"{base}/publish/")
    page.fill("#id_change_summary", "Severity")
    page.check("#id_is_material_1")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".proceed-approval")).to_be_visible()
    audit(page, "publish: material changes, approval and stale translations")
    page.check("#id_is_material_0")
    page.get_by_role("button", name="Publish").click()
    page.goto(f"{base}/change/")
    expect(page.get_by_text("Translations that need an update")).to_be_visible()
    audit(page, "procedure change page: translations to update")

    # Django renders 500.html with no context when something fails unexpectedly: the same page here.
    html = server_error(RequestFactory().get("/")).content.decode()
    page.goto("/verify/")
    page.set_content(html)
    audit(page, "server error (500)")
    # A form sent without its security cookie: the 403 CSRF page.
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.context.clear_cookies()
    page.fill("#id_username", "x")
    page.fill("#id_password", "y")
    submit(page)
    page.get_by_role("heading", name="Please try that again").wait_for()
    audit(page, "CSRF failure (403)")

    audit.assert_clean(CONTENT_ADMIN_ROUTES)
