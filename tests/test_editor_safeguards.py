"""What an editor is kept from getting wrong: material changes, stale translations, a readable diff."""

from __future__ import annotations

import datetime
import html

import pytest
from django.urls import reverse

from consent.models import AuditEvent
from procedures.diff import content_diff, material_changes, stale_translations
from procedures.models import ChecklistItem, Risk
from procedures.roles import CONTENT_ADMINS
from procedures.services import PublishError, publish_procedure, snapshot
from tests.conftest import PASSWORD, add_spanish, make_user
from tests.test_content_history import form_data, save


def publish_url(procedure):
    return reverse("admin:procedures_procedure_publish", args=[procedure.pk])


@pytest.fixture
def second_admin(django_user_model):
    return make_user(django_user_model, "dana.content", group=CONTENT_ADMINS, is_staff=True)


def the_risk(procedure) -> Risk:
    return procedure.risks.get()


# 15. Material changes are detected -------------------------------------------------------------

MATERIAL_EDITS = {
    "a risk added": lambda p: Risk.objects.create(
        procedure=p, title="Bruising", description="A bruise.", frequency="common", severity="minor", order=9
    ),
    "a risk removed": lambda p: p.risks.all().delete(),
    "a risk made material": lambda p: p.risks.update(is_material=False),  # the test procedure's risk is material
    "a frequency band": lambda p: p.risks.update(frequency="very_common", frequency_n=None, frequency_m=None),
    "a figure": lambda p: p.risks.update(frequency_n=1, frequency_m=50),
    "a severity": lambda p: p.risks.update(severity="serious"),
}


@pytest.mark.parametrize("edit", MATERIAL_EDITS, ids=list(MATERIAL_EDITS))
def test_a_change_to_what_a_patient_agrees_to_cannot_be_published_as_wording_only(
    edit, client, content_admin, published_procedure
):
    if edit == "a risk removed":
        MATERIAL_EDITS["a risk added"](published_procedure)
        publish_procedure(procedure=published_procedure, published_by=None, change_summary="Two", is_material=True)
        published_procedure.risks.filter(title="Bruising").delete()
    else:
        MATERIAL_EDITS[edit](published_procedure)
    client.force_login(content_admin)
    before = published_procedure.versions.count()

    page = client.post(publish_url(published_procedure), {"change_summary": "Tidy up", "is_material": "no"})

    text = page.content.decode()
    assert "These changes are material" in text
    assert published_procedure.versions.count() == before
    assert "Tidy up" in text, "what was typed is kept"
    with pytest.raises(PublishError, match="These changes are material"):
        publish_procedure(
            procedure=published_procedure, published_by=content_admin, change_summary="x", is_material=False
        )
    response = client.post(publish_url(published_procedure), {"change_summary": "Tidy up", "is_material": "yes"})
    assert response.status_code == 302 and published_procedure.versions.count() == before + 1


def test_wording_only_changes_still_publish_as_not_material(client, content_admin, published_procedure):
    published_procedure.risks.update(description="You may get a bad headache, which passes.")
    assert material_changes(published_procedure.current_version.content, snapshot(published_procedure)) == []
    client.force_login(content_admin)
    response = client.post(publish_url(published_procedure), {"change_summary": "Wording", "is_material": "no"})
    assert response.status_code == 302 and published_procedure.current_version.number == 2


def test_the_reasons_name_each_material_change_in_plain_words(published_procedure):
    published_procedure.risks.update(frequency_n=1, frequency_m=50, severity="serious")
    reasons = material_changes(published_procedure.current_version.content, snapshot(published_procedure))
    assert any(
        "How common" in reason and "about 1 in 20 people" in reason and "about 1 in 50" in reason for reason in reasons
    )
    assert any("How serious" in reason and "from “Minor” to “Serious”" in reason for reason in reasons)


def approval_post(username, password, reason="Figure corrected to match the leaflet already given"):
    return {
        "change_summary": "Figure typo",
        "is_material": "no",
        "approval-approver_username": username,
        "approval-approver_password": password,
        "approval-reason": reason,
    }


def test_a_second_content_admin_can_approve_publishing_it_as_not_material_and_both_are_recorded(
    client, content_admin, second_admin, published_procedure
):
    published_procedure.risks.update(frequency_n=1, frequency_m=50)
    client.force_login(content_admin)

    response = client.post(publish_url(published_procedure), approval_post("dana.content", PASSWORD))

    assert response.status_code == 302
    version = published_procedure.current_version
    assert (version.number, version.is_material) == (2, False)
    assert version.published_by == content_admin and version.material_override_by == second_admin
    assert version.material_override_reason == "Figure corrected to match the leaflet already given"
    event = AuditEvent.objects.get(action="content_published")
    assert event.user == content_admin and event.detail["approved_by"] == second_admin.pk
    # The version's admin page shows both names.
    page = client.get(reverse("admin:procedures_procedureversion_change", args=[version.pk])).content.decode()
    assert "carl.content" in page and "dana.content" in page


@pytest.mark.parametrize(
    ("who", "password", "reason", "message"),
    [
        ("dana.content", "wrong password", "A reason", "don&#x27;t match a staff account"),
        ("carl.content", PASSWORD, "A reason", "not from you"),
        ("nina.nurse", PASSWORD, "A reason", "must be a content admin"),
        ("dana.content", PASSWORD, "", "Say why these changes are not material"),
        ("", "", "Only a reason", "type their username and password here"),
    ],
)
def test_an_approval_that_is_not_a_second_content_admins_is_refused_with_a_plain_message(
    client, content_admin, second_admin, nurse, published_procedure, who, password, reason, message
):
    published_procedure.risks.update(severity="serious")
    client.force_login(content_admin)

    response = client.post(publish_url(published_procedure), approval_post(who, password, reason))

    text = response.content.decode()
    assert response.status_code == 200 and message in text
    assert published_procedure.versions.count() == 1
    assert 'value="Figure typo"' in text or "Figure typo" in text
    assert PASSWORD not in text, "a password is never sent back"


# 16. Stale translations -------------------------------------------------------------------------


@pytest.fixture
def bilingual(published_procedure):
    add_spanish(published_procedure)
    publish_procedure(procedure=published_procedure, published_by=None, change_summary="Spanish", is_material=False)
    return published_procedure


def test_an_english_change_with_its_translation_left_as_it_was_is_warned_and_marked(client, content_admin, bilingual):
    Risk.objects.filter(procedure=bilingual).update(description="A headache that can last a week.")
    bilingual.summary = "A new summary."
    bilingual.save()
    stale = stale_translations(bilingual.current_version.content, snapshot(bilingual))
    assert sorted(entry.field for entry in stale) == ["description", "summary"]
    client.force_login(content_admin)

    page = client.get(publish_url(bilingual)).content.decode()
    assert "Translations that may be out of date" in page
    assert "Spanish: Summary" in page and "Spanish: Risk “Headache”, Description" in page

    client.post(publish_url(bilingual), {"change_summary": "Longer headache", "is_material": "no"})
    bilingual.refresh_from_db()
    assert [entry["label"] for entry in bilingual.translations_to_update] == [
        "Spanish: Summary",
        "Spanish: Risk “Headache”, Description",
    ]
    change = client.get(reverse("admin:procedures_procedure_change", args=[bilingual.pk])).content.decode()
    assert "need an update" in change and "Spanish: Summary" in change


def test_a_mark_goes_when_the_translation_is_edited_or_confirmed(client, content_admin, bilingual):
    Risk.objects.filter(procedure=bilingual).update(description="A headache that can last a week.")
    bilingual.summary = "A new summary."
    bilingual.save()
    publish_procedure(procedure=bilingual, published_by=None, change_summary="Longer", is_material=False)
    bilingual.refresh_from_db()
    assert len(bilingual.translations_to_update) == 2
    client.force_login(content_admin)
    change_url = reverse("admin:procedures_procedure_change", args=[bilingual.pk])

    # Saving with nothing changed keeps both marks.
    save(client, change_url, unchanged_form(client, change_url))
    bilingual.refresh_from_db()
    assert len(bilingual.translations_to_update) == 2
    # Editing the Spanish summary clears its mark; confirming the other clears that one.
    data = unchanged_form(client, change_url)
    data["summary_es"] = "Un resumen nuevo."
    save(client, change_url, data)
    bilingual.refresh_from_db()
    assert [entry["field"] for entry in bilingual.translations_to_update] == ["description"]

    data = unchanged_form(client, change_url)
    data["confirm_translations"] = ["0"]
    save(client, change_url, data)
    bilingual.refresh_from_db()
    assert bilingual.translations_to_update == []


def unchanged_form(client, url) -> dict:
    data = form_data(client.get(url))
    data.pop("confirm_translations", None)
    return data


def test_an_unchanged_translation_of_unchanged_english_is_not_stale(bilingual):
    Risk.objects.filter(procedure=bilingual).update(severity="moderate")
    assert stale_translations(bilingual.current_version.content, snapshot(bilingual)) == []


# 17. The diff in the editor's words ----------------------------------------------------------------


def test_the_diff_uses_the_labels_and_words_the_editor_sees(published_procedure):
    before = published_procedure.current_version.content
    published_procedure.risks.update(is_material=False, frequency_n=None, frequency_m=None, severity="serious")
    ChecklistItem.objects.filter(procedure=published_procedure).update(required=False, category="allergies")

    diff = content_diff(before, snapshot(published_procedure))

    fields = {change.label: str(change.diff) for item in diff.items for change in item.fields}
    assert "In M" not in fields and "About N" not in fields and "Is material" not in fields
    assert fields["How common"] == "Common: <del>about</del> <ins>up to</ins> 1 in <del>20</del> <ins>10</ins> people"
    assert fields["Patient must acknowledge"] == "<del>Yes</del> <ins>No</ins>"
    assert fields["How serious"] == "<del>Minor</del> <ins>Serious</ins>"
    assert fields["Required"] == "<del>Yes</del> <ins>No</ins>"
    assert "Allergies" in fields["Category"] and "allergies" not in fields["Category"]


# 18–21. The admin's pages ----------------------------------------------------------------------


def test_the_procedure_page_has_no_django_history_button_and_folds_items_and_translations(
    client, content_admin, published_procedure
):
    client.force_login(content_admin)
    page = client.get(reverse("admin:procedures_procedure_change", args=[published_procedure.pk])).content.decode()
    assert reverse("admin:procedures_procedure_content_history", args=[published_procedure.pk]) in page
    assert reverse("admin:procedures_procedure_history", args=[published_procedure.pk]) not in page
    assert ">View on site<" not in page
    for prefix in ("risks", "preparation_steps", "checklist_items", "questions"):
        group = page.split(f'id="{prefix}-group"')[1].split("</fieldset>")[0]
        assert "<details><summary>" in " ".join(group.split())


def test_the_procedure_page_shows_the_sample_warning_row_only_for_sample_content(
    client, content_admin, published_procedure
):
    client.force_login(content_admin)
    url = reverse("admin:procedures_procedure_change", args=[published_procedure.pk])
    assert "field-sample_notice" not in client.get(url).content.decode()  # no empty row labelled ":"
    published_procedure.is_sample = True
    published_procedure.save()
    page = client.get(url).content.decode()
    assert "field-sample_notice" in page and "proceed-sample-warning" in page


def test_the_versions_list_counts_signed_consents_per_version_in_one_query(
    client, content_admin, published_procedure, django_assert_max_num_queries
):
    from consent.models import Signature
    from tests.conftest import PATIENT_B, complete_journey, make_case, sign_case

    first = published_procedure.current_version
    for patient in ({"mrn": "V-1", "full_name": "A One", "date_of_birth": datetime.date(1950, 1, 1)}, PATIENT_B):
        case = make_case(published_procedure, patient)
        complete_journey(case)
        sign_case(case)
    published_procedure.risks.update(description="Changed.")
    publish_procedure(
        procedure=published_procedure, published_by=None, change_summary="Wording " * 40, is_material=False
    )
    assert Signature.objects.filter(procedure_version=first).count() == 2
    client.force_login(content_admin)

    url = reverse("admin:procedures_procedureversion_changelist")
    client.get(url)
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()

    counts = [cell.split(">")[1].split("<")[0] for cell in page.split('class="field-signed_consents')[1:]]
    assert counts == ["0", "2"]  # version 2, then version 1
    assert "Signed consents" in page


def test_the_add_page_says_what_a_procedure_needs_before_it_can_be_published(client, content_admin):
    from procedures.services import publishing_requirements

    client.force_login(content_admin)
    page = html.unescape(" ".join(client.get(reverse("admin:procedures_procedure_add")).content.decode().split()))
    assert "Before it can be published, a procedure needs:" in page
    for requirement in publishing_requirements():
        assert requirement in page
    assert "“What happens”" in page and "one comprehension question" in page
