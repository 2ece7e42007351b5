"""The whole patient journey in a real browser at phone size: with a pointer, without JavaScript."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from consent.models import ConsentRequest, Signature
from tests.browser.helpers import PATIENT, new_case, submit, walk_to_sign

# The live server needs committed data, so each test's database is flushed after it; the rows the
# migrations made (the staff groups and their permissions) are put back for the next.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def draw_signature(page) -> None:
    canvas = page.locator("canvas.proceed-signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    for i in range(30):
        page.mouse.move(box["x"] + 20 + i * 8, box["y"] + box["height"] / 2 - (i % 6) * 8)
    page.mouse.up()


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-"), "the download is not a PDF"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def download_signed_record(page, name: str = "Download your signed record (PDF)") -> bytes:
    with page.expect_download() as download:
        page.get_by_role("link", name=name).click()
    return Path(download.value.path()).read_bytes()


def sign_and_check_the_record(page, procedure) -> Signature:
    """Sign with the typed name; the done page says so and the downloaded PDF names patient and procedure."""
    page.fill("#id_typed_name", PATIENT["full_name"])
    submit(page)
    page.wait_for_url("**/done/")
    expect(page.get_by_role("heading", name="Thank you: your consent is recorded")).to_be_visible()
    text = pdf_text(download_signed_record(page))
    assert PATIENT["full_name"] in text
    assert procedure.name in text
    return Signature.objects.get(request__patient__mrn=PATIENT["mrn"])


def test_patient_signs_with_a_drawn_signature_on_a_phone_and_downloads_the_pdf(page, published_procedure):
    case = new_case(published_procedure)
    walk_to_sign(page, case)

    expect(page.locator(".proceed-signature-pad"), "with JavaScript the drawing pad is shown").to_be_visible()
    draw_signature(page)
    assert page.locator("input[name=drawn_signature]").input_value().startswith("data:image/png;base64,")
    page.fill("#id_typed_name", "Someone Else")
    submit(page)
    expect(page.locator("#error-summary"), "a name that does not match the record is refused").to_be_visible()
    assert page.locator("input[name=drawn_signature]").input_value().startswith("data:image/png;base64,"), (
        "the drawing is kept after the error"
    )
    signature = sign_and_check_the_record(page, published_procedure)
    assert signature.drawn_signature, "the drawing was recorded with the signature"
    assert ConsentRequest.objects.get(pk=case.request.pk).status == "signed"


def test_patient_completes_the_journey_without_javascript(new_page, published_procedure):
    page = new_page(java_script_enabled=False)
    case = new_case(published_procedure)
    walk_to_sign(page, case)

    expect(page.locator(".proceed-signature-pad"), "without JavaScript there is no drawing pad").to_be_hidden()
    signature = sign_and_check_the_record(page, published_procedure)
    assert not signature.drawn_signature, "no drawing was made, so none is recorded"
