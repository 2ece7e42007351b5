"""Internal notes for editors, on a procedure and each of its items: in the admin and beside the publish
page's changes, never in a published version, so never on a patient's page, a PDF or a staff page
(issue 17, point 5)."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.test import Client
from pypdf import PdfReader

from consent import services
from procedures.models import Picture
from procedures.pictures import store_picture
from procedures.services import PublishError, fingerprint, publish_procedure, snapshot
from records.pdf import render_consent_pdf, render_information_pdf
from tests.conftest import PATIENT_A, build_procedure, complete_journey, make_case

MARKER = "ZQX-INTERNAL-7731"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="4"/></svg>'


def note(where: str) -> str:
    return f"{MARKER} {where}: checked with Dr Shah, keep the 1 in 5 figure."


def annotate(procedure):
    """A unique note on the procedure and on every one of its items (a picture included)."""
    Picture.objects.create(
        procedure=procedure,
        file=store_picture(SVG),
        section="summary",
        alt_text="A circle.",
        editor_note=note("picture"),
    )
    procedure.editor_note = note("procedure")
    procedure.save()
    for relation in ("risks", "preparation_steps", "checklist_items", "questions"):
        getattr(procedure, relation).update(editor_note=note(relation))
    return procedure


@pytest.fixture
def noted(db):
    procedure = annotate(build_procedure())
    publish_procedure(procedure=procedure, published_by=None, change_summary="First", is_material=False)
    return procedure


@pytest.fixture
def admin_client(client, content_admin):
    client.force_login(content_admin)
    return client


def pdf_text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_notes_are_never_part_of_a_published_version(noted):
    version = noted.current_version

    assert MARKER not in json.dumps(version.content, ensure_ascii=False)
    assert "editor_note" not in json.dumps(version.content)
    # The fingerprint is that of the same content with no notes at all.
    plain = build_procedure(slug="plain")
    Picture.objects.create(procedure=plain, file=store_picture(SVG), section="summary", alt_text="A circle.")
    assert version.fingerprint == fingerprint(snapshot(plain))


def test_a_note_alone_is_not_a_change_to_publish(noted, admin_client):
    noted.risks.update(editor_note="A different note.")
    noted.editor_note = "Another note."
    noted.save()

    with pytest.raises(PublishError, match="Nothing has changed since version 1"):
        publish_procedure(procedure=noted, published_by=None, change_summary="Notes", is_material=False)
    page = admin_client.get(f"/admin/procedures/procedure/{noted.pk}/publish/").content.decode()
    assert "Nothing has changed since version 1." in page


def test_no_patient_page_pdf_or_staff_page_shows_a_note(noted, client, nurse, content_admin):
    case = make_case(noted, PATIENT_A)
    browser = Client()
    assert browser.post(f"{case.url}identity/", {"day": 14, "month": 3, "year": 1950}).status_code == 302
    complete_journey(case)
    pages = ["", "about/", "risks/", "preparing/", "understanding/", "questions/", "review/", "decide/"]
    pages += ["sign/consent/", "sign/decline/"]
    for page in pages:
        response = browser.get(case.url + page)
        assert response.status_code == 200, page
        assert MARKER not in response.content.decode(), page
    assert MARKER not in pdf_text(render_information_pdf(case.request))

    signature = services.sign(
        consent_request=case.request,
        decision="consent",
        typed_name=PATIENT_A["full_name"],
        signer="patient",
        ip="203.0.113.9",
        user_agent="pytest",
    )
    for page in ("done/", "withdraw/"):
        response = browser.get(case.url + page)
        assert response.status_code == 200, page
        assert MARKER not in response.content.decode(), page
    record, _pages = render_consent_pdf(signature)
    record_text = pdf_text(record)
    assert "Headache" in record_text  # the text is readable: the check below means something
    assert MARKER not in record_text

    client.force_login(nurse)
    for url in ("/staff/procedures/", f"/staff/procedures/{noted.slug}/", f"/staff/requests/{case.request.public_id}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert MARKER not in response.content.decode(), url


def test_the_preview_shows_no_note(noted, admin_client):
    steps = ["", "identity/", "about/", "risks/", "preparing/", "understanding/", "questions/", "review/"]
    steps += ["decide/", "sign/?decision=consent", "done/?decision=consent"]
    for step in steps:
        response = admin_client.get(f"/admin/procedures/procedure/{noted.pk}/preview/{step}")
        assert response.status_code == 200, step
        assert MARKER not in response.content.decode(), step


def test_the_admin_change_page_shows_every_note_marked_internal(noted, admin_client):
    page = admin_client.get(f"/admin/procedures/procedure/{noted.pk}/change/").content.decode()

    for where in ("procedure", "risks", "preparation_steps", "checklist_items", "questions", "picture"):
        assert note(where) in page, where
    assert page.count("Internal note — not shown to patients") >= 6
    assert 'class="form-row field-editor_note"' in page  # the muted box of admin-content.css


def test_saving_notes_in_the_admin_keeps_them_and_leaves_the_version_alone(noted, admin_client):
    from tests.test_content_history import form_data

    url = f"/admin/procedures/procedure/{noted.pk}/change/"
    data = form_data(admin_client.get(url))
    data["editor_note"] = "Procedure note changed in the admin."
    [risk_note] = [name for name in data if name.startswith("risks-") and name.endswith("-editor_note")]
    data[risk_note] = "Risk note changed in the admin."

    response = admin_client.post(url, data)

    assert response.status_code == 302
    noted.refresh_from_db()
    assert noted.editor_note == "Procedure note changed in the admin."
    assert noted.risks.get().editor_note == "Risk note changed in the admin."
    assert noted.versions.count() == 1
    assert fingerprint(snapshot(noted)) == noted.current_version.fingerprint  # nothing new to publish


def test_the_publish_page_shows_the_procedures_note_and_each_changed_items_note(noted, admin_client):
    noted.risks.update(description="A headache that can last a week.", editor_note="Figure from the 2026 audit.")
    noted.preparation_steps.update(editor_note="Unchanged step's note.")

    page = re.sub(r"\s+", " ", admin_client.get(f"/admin/procedures/procedure/{noted.pk}/publish/").content.decode())

    assert note("procedure") in page  # the procedure's note, at the top
    assert page.index(note("procedure")) < page.index("What changed")
    risk_change = page[page.index("Risk “Headache”") :]
    assert "Internal note — not shown to patients:</strong> Figure from the 2026 audit." in risk_change
    assert "Unchanged step&#x27;s note." not in page and "Unchanged step's note." not in page  # not changed: not shown


def test_a_sample_with_editors_notes_is_the_clinics_own_and_is_not_replaced(db):
    from tests.test_sample_update import as_an_earlier_release_shipped_it, load

    load()
    earlier = as_an_earlier_release_shipped_it("lumbar-puncture")
    earlier.risks.filter(pk=earlier.risks.first().pk).update(editor_note="Our anaesthetist checked this one.")
    number = earlier.current_version.number

    load()

    assert earlier.current_version.number == number
    assert earlier.risks.filter(editor_note="Our anaesthetist checked this one.").exists()
