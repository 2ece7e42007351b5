"""Staff are named by their full name on pages and records, not by their username."""

from __future__ import annotations

from django.urls import reverse

from consent import services
from procedures.services import publish_procedure


def test_pages_name_staff_by_their_full_name(client, nurse, content_admin, published_procedure, signed_case):
    nurse.first_name, nurse.last_name = "Nina", "Okoro"
    nurse.save()
    content_admin.first_name, content_admin.last_name = "Carl", "Mensah"
    content_admin.save()
    question = signed_case.request.questions.get()
    services.answer_patient_question(question=question, reply_note="Phoned, explained", user=nurse)
    published_procedure.risks.update(description="Changed wording.")
    version = publish_procedure(
        procedure=published_procedure, published_by=content_admin, change_summary="Wording", is_material=False
    )

    client.force_login(nurse)
    case = client.get(reverse("staff:case", args=[signed_case.request.public_id])).content.decode()
    procedure = client.get(reverse("staff:procedure", args=[published_procedure.slug])).content.decode()
    assert "Nina Okoro" in case and "nina.nurse" not in case
    assert "Carl Mensah" in procedure and "carl.content" not in procedure

    client.force_login(content_admin)
    admin_page = client.get(reverse("admin:procedures_procedureversion_change", args=[version.pk])).content.decode()
    assert "Carl Mensah" in admin_page


def test_the_timeline_names_the_checklist_item_and_the_document(client, nurse, signed_case):
    item = signed_case.request.content["checklist_items"][0]
    services.record_checklist_entry(consent_request=signed_case.request, item_key=item["key"], state="done", user=nurse)
    document_id = signed_case.request.signature.document_id

    client.force_login(nurse)
    page = client.get(reverse("staff:case", args=[signed_case.request.public_id])).content.decode()

    assert f"Marked “{item['text']}” as done" in page
    assert f"Signed consent (document {document_id})" in page
