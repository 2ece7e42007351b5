"""axe-core in Chromium on every patient and staff page: no WCAG 2.2 AA violations.

The pages are reached as people reach them (with their error states on the way). Every
named URL pattern of the project must be either checked by one of these tests or listed
in NOT_CHECKED with the reason, so a new page cannot be left out silently.
"""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.test import RequestFactory
from django.utils import timezone
from django.views.defaults import server_error
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect
from pypdf import PdfWriter

from consent import blood_thinners
from consent.models import ConsentRequest
from procedures.blood_thinners import load_sample_blood_thinners
from procedures.models import BloodThinner, ChecklistItem, Picture
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
from tests.conftest import PASSWORD, PATIENT_B, add_spanish, make_case, sign_case, totp_code
from tests.test_learning import add_patients

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def blank_pdf() -> bytes:
    """A one-page PDF, as a scanner could send it."""
    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return out.getvalue()


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
    "staff:record_consent",
    "staff:procedures",
    "staff:procedure",
    "staff:records",
}
# The clinician's statement (tests/test_countersign.py) and the staff member's own details.
CLINICIAN_ROUTES = {"staff:countersign", "profile"}
CONTENT_ADMIN_ROUTES = {
    "admin:index",
    "admin:procedures_procedure_changelist",
    "admin:procedures_procedure_change",
    "admin:procedures_procedure_publish",
    "admin:procedures_procedure_preview",
    "admin:procedures_procedure_preview_step",
    "admin:procedures_procedure_content_history",
    "admin:procedures_procedure_learning",
    "admin:procedures_procedure_learning_version",
    "admin:procedures_procedure_history",
    "admin:procedures_procedureversion_history",
    "admin:procedures_procedureversion_changelist",
    "admin:procedures_procedureversion_change",
}
# Retiring and restoring a procedure (checked by test_retiring_and_restoring_pass_axe, with the changelist's
# filter and the patient's "no longer available" page, which is every journey URL of an open request).
RETIRE_ROUTES = {
    "admin:procedures_procedure_retire",
    "admin:procedures_procedure_restore",
    "admin:procedures_procedure_changelist",
    "journey:welcome",
}
# The blood-thinner planning pages (issue 17), checked by their own test below.
BLOOD_THINNER_ROUTES = {
    "staff:blood_thinners",
    "admin:procedures_bloodthinner_changelist",
    "admin:procedures_bloodthinner_change",
    "admin:procedures_bloodthinner_add",
    "admin:procedures_bloodthinner_history",
}
NOT_CHECKED = {
    "oauth2_provider:token": "not a page: the OAuth 2.0 token endpoint answers integration clients in JSON",
    "oauth2_provider:revoke-token": "not a page: OAuth 2.0 token revocation, for integration clients",
    "api:consent_requests": "not a page: the scheduling API (JSON, bearer tokens only)",
    "api:consent_request": "not a page: the scheduling API (JSON, bearer tokens only)",
    "api:cancel_consent_request": "not a page: the scheduling API (JSON, bearer tokens only)",
    "journey:language": "POST only: the welcome page's language picker redirects back to the welcome page, "
    "which tests/browser/test_spanish.py checks in both languages",
    "logout": "POST only: it signs out and redirects to the sign-in page (checked)",
    "journey:information_pdf": "a PDF download, not a page",
    "picture": "an image, not a page: its text alternative is checked where it is shown (test_content_pictures.py)",
    "staff:case_pdf": "a PDF download, not a page",
    "staff:withdrawal_pdf": "a PDF download, not a page",
    "staff:staff_record_pdf": "a PDF download, not a page",
    "staff:staff_record_scan": "a download of the uploaded scan (PDF or picture), not a page",
    "staff:clinician_pdf": "a PDF download, not a page",
    "staff:records_export": "a CSV download, not a page (with nothing to export it returns to the archive, checked)",
    "staff:add_note": "POST only: saves the note and redirects to the case page (checked), where its errors show",
    "staff:assign": "POST only: saves who looks after the request and redirects to the case page (checked)",
    "journey:withdrawal_pdf": "a PDF download, not a page",
    "staff:checklist_pdf": "a PDF download, not a page",
    "staff:answer_question": "POST only: saves the answer and redirects to the case page (checked)",
    "staff:checklist_item": "POST only: saves one item's mark (a page from before marks were saved together) "
    "and redirects to the checklist (checked); its errors are shown on the checklist page",
    "healthz": "a plain-text status for load balancers, not a page",
    "admin:procedures_bloodthinner_delete": "refused to everyone: a blood thinner is retired (untick “active”), "
    "never deleted, as patients' answers name it",
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

    # A consent taken on paper, recorded by the nurse: the form, a refused file, then the case.
    page.goto(case_url + "record-consent/")
    audit(page, "record a consent taken outside the link")
    page.get_by_label("Consent: the patient agreed to the procedure").check()
    page.get_by_label("Paper consent form").check()
    page.get_by_label("Scan of the signed form").set_input_files(
        files=[{"name": "scan.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00 not a PDF"}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Record the decision").click()
    page.locator("#error-summary").wait_for()
    audit(page, "record a consent: the file refused")
    page.get_by_label("Scan of the signed form").set_input_files(
        files=[{"name": "scan.pdf", "mimeType": "application/pdf", "buffer": blank_pdf()}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Record the decision").click()
    page.locator(".proceed-staff-record").wait_for()
    audit(page, "case: recorded by staff")

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


def test_every_clinician_page_passes_axe(new_page, clinician, nurse, published_procedure):
    audit = AxeAudit()
    signed = make_case(published_procedure, PATIENT)
    sign_case(signed)
    case_url = f"/staff/requests/{signed.request.public_id}/"
    refused = new_page(viewport=DESKTOP)
    sign_in_staff(refused, nurse)
    refused.goto(f"{case_url}countersign/")
    refused.get_by_role("heading", name="This page is for clinicians").wait_for()
    audit(refused, "countersign: refused to a nurse")

    page = new_page(viewport=DESKTOP)
    sign_in_staff(page, clinician)
    page.goto(case_url)
    audit(page, "case: awaiting the clinician")
    with page.expect_navigation():
        page.get_by_role("link", name="Countersign", exact=True).click()
    audit(page, "countersign")
    page.get_by_label("Any extra procedures which may become necessary during the procedure").fill("None expected")
    page.get_by_label("The patient asked: “Can I drive afterwards?” How was it addressed?").fill("Not for 24 hours.")
    page.get_by_label("Your job title").fill("Consultant in pain medicine")
    page.get_by_label("Your professional registration").fill("GMC 7654321")
    page.get_by_label("Your password").fill("not the password")
    with page.expect_navigation():
        page.get_by_role("button", name="Countersign").click()
    page.locator("#error-summary").wait_for()
    audit(page, "countersign: wrong password")
    page.get_by_label("Your password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Countersign").click()
    expect(page.get_by_text("Download the clinician's part")).to_be_visible()
    audit(page, "case: countersigned")
    page.goto(f"{case_url}countersign/")
    audit(page, "countersign: already countersigned")
    page.goto("/accounts/profile/")
    audit(page, "your details")

    audit.assert_clean(CLINICIAN_ROUTES)


def test_every_content_admin_page_passes_axe(new_page, content_admin, published_procedure, nurse):
    audit = AxeAudit()
    # A second, material version, so history and preview show a change.
    published_procedure.risks.update(frequency_n=1, frequency_m=10)
    publish_procedure(procedure=published_procedure, published_by=None, change_summary="Second", is_material=True)
    published_procedure.risks.update(description="You may get a headache for a day.")  # not published yet
    # What patients found hard: figures on version 1, too few patients yet on version 2.
    first, second = published_procedure.versions.order_by("number")
    add_patients(first, 12, wrong_first=6, flag_risks=5, asked=("Can I drive afterwards?",))
    add_patients(second, 3, wrong_first=1)
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
        (f"{base}/learning/", "what patients found hard: too few patients yet"),
        (f"{base}/learning/1/", "what patients found hard: an earlier version's figures"),
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


def test_retiring_and_restoring_pass_axe(new_page, content_admin, published_procedure):
    case = make_case(published_procedure, PATIENT_B)  # an open link: the page asks for a second confirmation
    audit = AxeAudit()
    page = new_page(viewport=DESKTOP)
    sign_in_staff(page, content_admin, "/admin/")
    base = f"/admin/procedures/procedure/{published_procedure.pk}"
    page.goto(f"{base}/retire/")
    audit(page, "retire: with an open link")
    page.fill("#id_reason", "Replaced by a new procedure.")
    page.get_by_role("button", name="Retire this procedure").click()
    expect(page.get_by_text("Tick the box to confirm").first).to_be_visible()
    audit(page, "retire: the second confirmation not ticked")
    page.check("#id_confirm_open")
    page.get_by_role("button", name="Retire this procedure").click()
    page.wait_for_url(f"**{base}/change/")
    audit(page, "procedure change page: retired")
    for url, label in [
        ("/admin/procedures/procedure/", "procedures list: active (the default)"),
        ("/admin/procedures/procedure/?retired=all", "procedures list: all, the retired one marked"),
        (f"{base}/restore/", "restore"),
    ]:
        page.goto(url)
        audit(page, label)
    page.get_by_role("button", name="Restore this procedure").click()
    expect(page.locator(".errornote").first).to_be_visible()
    audit(page, "restore: without a reason")
    page.goto(f"{base}/retire/")
    audit(page, "retire: already retired")

    patient = new_page(has_touch=True, is_mobile=True)
    patient.goto(case.url)
    expect(patient.get_by_role("heading", name="This information is no longer available")).to_be_visible()
    audit(patient, "patient: the information is no longer available")
    audit.assert_clean(RETIRE_ROUTES)


def test_the_blood_thinner_pages_pass_axe(new_page, nurse, content_admin, procedure, settings):
    """The patient's "Which one?" (shown, then with an error), the nurse's planning page (a suggestion too
    soon, then a change refused for want of a reason), the case page, the done page with a confirmed plan,
    and the clinic's table in the admin."""
    audit = AxeAudit()
    load_sample_blood_thinners()
    ChecklistItem.objects.filter(procedure=procedure).update(asks_about_blood_thinners=True)
    procedure.bleeding_risk = "intermediate"
    procedure.save()
    publish_procedure(procedure=procedure, published_by=None, change_summary="First", is_material=False)
    case = make_case(procedure, PATIENT, days_ahead=2)

    page = new_page(has_touch=True, is_mobile=True)
    page.goto(f"{case.url}identity/")
    dob = PATIENT["date_of_birth"]
    page.fill("#id_day", str(dob.day))
    page.fill("#id_month", str(dob.month))
    page.fill("#id_year", str(dob.year))
    submit(page)
    page.wait_for_url("**/about/")
    ConsentRequest.objects.filter(pk=case.request.pk).update(progress=4)
    page.goto(f"{case.url}preparing/")
    page.locator("main input[type=radio][value=yes]").first.check()
    expect(page.locator(".proceed-blood-thinners")).to_be_visible()
    audit(page, "preparing: which blood thinner")
    page.locator("main input[type=checkbox][name^=ack_]").first.check()
    with page.expect_navigation():
        submit(page)
    expect(page.locator("#error-summary")).to_be_visible()
    audit(page, "preparing: which blood thinner, not answered")

    blood_thinners.save_preparation_answers(
        consent_request=case.request,
        acknowledged={s["key"] for s in case.request.content["preparation_steps"]},
        answers={case.request.content["checklist_items"][0]["key"]: "yes"},
        named=blood_thinners.Named(drugs=(BloodThinner.objects.get(name="Apixaban"),)),
        ip=None,
    )
    staff = new_page(viewport=DESKTOP)
    sign_in_staff(staff, nurse)
    staff.goto(f"/staff/requests/{case.request.public_id}/blood-thinners/")
    expect(staff.locator(".proceed-blood-thinner-urgent")).to_be_visible()
    audit(staff, "blood thinners: too soon")
    staff.fill("input[name$=last_dose_on]", (timezone.localdate() + datetime.timedelta(days=1)).isoformat())
    staff.fill("input[name$=prescriber]", "Dr Ruiz")
    with staff.expect_navigation():
        staff.get_by_role("button", name="Confirm the plan").click()
    expect(staff.locator("#error-summary")).to_be_visible()
    audit(staff, "blood thinners: a change with no reason")
    staff.fill("textarea[name$=reason]", "The prescriber agreed a shorter stop")
    with staff.expect_navigation():
        staff.get_by_role("button", name="Confirm the plan").click()
    audit(staff, "blood thinners: confirmed")
    staff.goto(f"/staff/requests/{case.request.public_id}/")
    audit(staff, "case: blood thinners")

    sign_case(case)
    page.goto(f"{case.url}done/")
    expect(page.locator(".proceed-blood-thinner-plans")).to_be_visible()
    audit(page, "done: the confirmed plan")

    admin = new_page(viewport=DESKTOP)
    sign_in_staff(admin, content_admin, "/admin/")
    for url, label in [
        ("/admin/procedures/bloodthinner/", "blood thinners list"),
        (f"/admin/procedures/bloodthinner/{BloodThinner.objects.get(name='Apixaban').pk}/change/", "blood thinner"),
        ("/admin/procedures/bloodthinner/add/", "add a blood thinner"),
        (f"/admin/procedures/bloodthinner/{BloodThinner.objects.get(name='Apixaban').pk}/history/", "its history"),
    ]:
        admin.goto(url)
        audit(admin, label)

    audit.assert_clean(BLOOD_THINNER_ROUTES)


def test_the_webhook_secret_page_passes_axe(new_page, superuser, settings):
    """The page that shows a webhook endpoint's secret once, after registering it (the rest of the
    webhooks' admin is Django's own pages)."""
    settings.PROCEED_WEBHOOKS_ALLOW_PRIVATE = True  # a receiver on 127.0.0.1 (nothing is sent here)
    audit = AxeAudit()
    page = new_page(viewport=DESKTOP)
    sign_in_staff(page, superuser, "/admin/integrations/webhookendpoint/add/")
    page.fill("#id_url", "http://127.0.0.1:9/hooks")
    page.check("input[value='consent.signed']")
    page.click("input[name='_save']")
    expect(page.get_by_label("Signing secret")).to_have_value(re.compile(r"^whsec_"))
    audit(page, "webhook endpoint registered: its secret, shown once")
