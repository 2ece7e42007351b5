"""Publishing reviewed content: the diff, material changes, safe text, readability, roles."""

from __future__ import annotations

import re

import pytest
from django.forms import modelform_factory
from django.urls import reverse

from consent import services
from consent.models import Acknowledgement, AuditEvent, ConsentDocument, ConsentRequest, Status, Step
from procedures.diff import content_diff
from procedures.models import ComprehensionQuestion, PreparationStep, Procedure, ProcedureVersion, Risk
from procedures.readability import ReadabilityTextarea
from procedures.services import snapshot
from records.pdf import consent_pdf_html, render_information_pdf
from tests.conftest import PATIENT_B, complete_journey, make_case, sign_case


def publish_url(procedure):
    return reverse("admin:procedures_procedure_publish", args=[procedure.pk])


def add_second_risk(procedure):
    return Risk.objects.create(
        procedure=procedure,
        title="Bruising",
        description="A small bruise where the needle went in.",
        frequency="common",
        severity="minor",
        is_material=True,
        order=20,
    )


# The diff ------------------------------------------------------------------------


def test_the_diff_lists_exactly_what_changed(published_procedure):
    before = published_procedure.current_version.content
    Risk.objects.filter(procedure=published_procedure).update(description="You may get a bad headache.")
    PreparationStep.objects.create(procedure=published_procedure, instruction="Drink water.", timing="The day before")
    ComprehensionQuestion.objects.filter(procedure=published_procedure).delete()
    published_procedure.summary = "A short test of how publishing really works."
    published_procedure.save()

    diff = content_diff(before, snapshot(published_procedure))

    assert [(c.label, str(c.diff)) for c in diff.procedure_fields] == [
        ("Summary", "A short test of how publishing <ins>really</ins> works.")
    ]
    assert [(i.kind, i.label) for i in diff.items] == [
        ("changed", "Risk “Headache”"),
        ("added", "Preparation step “Drink water.”"),
        ("removed", "Question “What should you do if you get a headache?”"),
    ]
    risk_change = diff.items[0].fields
    assert [(f.label, str(f.diff)) for f in risk_change] == [("Description", "You may get a <ins>bad</ins> headache.")]


def test_the_diff_escapes_what_editors_typed(published_procedure):
    before = published_procedure.current_version.content
    after = {**before, "benefits": "You get an <b>answer</b> & more."}

    diff = content_diff(before, after)

    assert "&lt;b&gt;answer&lt;/b&gt;" in str(diff.procedure_fields[0].diff)


def test_unchanged_content_has_an_empty_diff(published_procedure):
    assert not content_diff(published_procedure.current_version.content, snapshot(published_procedure))


# The publish page ------------------------------------------------------------------


def test_publish_page_shows_the_diff_and_what_publishing_will_do(client, content_admin, published_procedure, case_a):
    Risk.objects.filter(procedure=published_procedure).update(description="You may get a bad headache.")
    client.force_login(content_admin)

    text = client.get(publish_url(published_procedure)).content.decode()

    assert "Changes since <strong>version 1</strong>" in text
    assert "You may get a <ins>bad</ins> headache." in text
    assert "1 request not yet signed will move" in text
    assert "Ana" not in text  # counts only: content admins see no patient data


def test_publishing_needs_a_summary_and_a_material_decision_and_keeps_what_was_typed(
    client, content_admin, published_procedure
):
    Risk.objects.filter(procedure=published_procedure).update(description="You may get a bad headache.")
    client.force_login(content_admin)

    no_summary = client.post(publish_url(published_procedure), {"is_material": "yes"})
    no_choice = client.post(publish_url(published_procedure), {"change_summary": "Clearer wording"})

    assert "Write a short summary of what changed" in no_summary.content.decode()
    assert re.search(r'value="yes"[^>]*checked', no_summary.content.decode())
    assert "Say whether the change is material" in no_choice.content.decode()
    assert "Clearer wording" in no_choice.content.decode()
    assert published_procedure.versions.count() == 1


def test_publishing_unchanged_content_is_refused_on_the_page(client, content_admin, published_procedure):
    client.force_login(content_admin)

    response = client.post(publish_url(published_procedure), {"change_summary": "Again", "is_material": "no"})

    assert "Nothing has changed since version 1" in response.content.decode()
    assert published_procedure.versions.count() == 1


def test_a_content_admin_publishes_from_the_admin(client, content_admin, published_procedure):
    Risk.objects.filter(procedure=published_procedure).update(description="You may get a bad headache.")
    client.force_login(content_admin)

    response = client.post(
        publish_url(published_procedure), {"change_summary": "Clearer wording", "is_material": "no"}, follow=True
    )

    version = published_procedure.current_version
    assert (version.number, version.change_summary, version.is_material) == (2, "Clearer wording", False)
    assert version.published_by == content_admin
    assert "Published version 2 of Test procedure. Only new requests will use it." in response.content.decode()


@pytest.mark.parametrize("user_fixture", ["nurse"])
def test_nurses_cannot_publish_or_edit_content(client, request, published_procedure, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))

    assert client.get(publish_url(published_procedure)).status_code == 302
    assert (
        client.post(publish_url(published_procedure), {"change_summary": "x", "is_material": "no"}).status_code == 302
    )
    assert published_procedure.versions.count() == 1


def test_staff_without_the_change_permission_cannot_publish(client, django_user_model, published_procedure):
    from django.contrib.auth.models import Permission

    reader = django_user_model.objects.create_user("reader", password="x" * 12, is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_procedure"))
    client.force_login(reader)

    assert client.get(publish_url(published_procedure)).status_code == 403


# Material and non-material changes ---------------------------------------------------------------


def publish_change(procedure, *, material, summary="Changed"):
    return services.publish_content(procedure=procedure, user=None, change_summary=summary, is_material=material)


def test_a_material_change_moves_an_open_request_and_resets_only_changed_acknowledgements(published_procedure):
    add_second_risk(published_procedure)
    publish_change(published_procedure, material=True, summary="Bruising added")
    case = make_case(published_procedure, PATIENT_B)
    complete_journey(case)
    _headache, bruising = case.request.content["risks"]
    Risk.objects.filter(procedure=published_procedure, title="Headache").update(description="Often a bad headache.")

    result = publish_change(published_procedure, material=True, summary="Headache wording made stronger")

    request = case.refresh()
    assert result.moved == 1
    assert request.procedure_version == result.version
    acknowledged = set(request.acknowledgements.filter(kind="risk").values_list("item_key", flat=True))
    assert {str(key) for key in acknowledged} == {bruising["key"]}
    assert request.acknowledgements.filter(kind="step").count() == 1  # the unchanged step keeps its tick
    assert request.progress == Step.RISKS - 1
    assert request.review_confirmed_at is None
    assert request.content_update_notice["summary"] == "Headache wording made stronger"
    assert request.content_update_notice["changes"] == ["Risk “Headache”"]
    assert AuditEvent.objects.filter(request=request, action="moved_to_new_version").exists()


def test_a_patient_returning_after_a_material_change_is_sent_to_the_changed_step(client, published_procedure, case_a):
    complete_journey(case_a)
    Risk.objects.filter(procedure=published_procedure).update(description="Often a bad headache.")
    publish_change(published_procedure, material=True, summary="Headache wording made stronger")
    client.post(f"{case_a.url}identity/", {"day": 14, "month": 3, "year": 1950})

    response = client.get(f"{case_a.url}risks/")

    text = response.content.decode()
    assert response.status_code == 200
    assert "Often a bad headache." in text
    assert "The information has been updated" in text
    assert "Headache wording made stronger" in text
    assert "<li>Risk “Headache”</li>" in text
    assert client.get(f"{case_a.url}review/")["Location"].endswith("/risks/")


def test_a_signed_request_is_flagged_and_keeps_its_version_and_pdf(
    published_procedure, case_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sign_case(case_a)
    document = ConsentDocument.objects.get(signature__request=case_a.request)
    original_version = case_a.request.procedure_version
    Risk.objects.filter(procedure=published_procedure).update(description="Often a bad headache.")

    result = publish_change(published_procedure, material=True)

    request = case_a.refresh()
    assert result.flagged == 1 and result.moved == 0
    assert request.status == Status.SIGNED
    assert request.procedure_version == original_version
    assert request.content_changed_at is not None
    assert ConsentDocument.objects.get(pk=document.pk).sha256 == document.sha256
    assert AuditEvent.objects.filter(request=request, action="content_changed_since_signing").exists()


def test_the_nurse_sees_the_flag_and_sends_a_re_consent_link(client, nurse, published_procedure, case_a):
    sign_case(case_a)
    Risk.objects.filter(procedure=published_procedure).update(description="Often a bad headache.")
    publish_change(published_procedure, material=True)
    client.force_login(nurse)

    case_page = client.get(reverse("staff:case", args=[case_a.request.public_id])).content.decode()
    response = client.post(reverse("staff:reconsent", args=[case_a.request.public_id]))

    assert "The information changed after the patient signed." in case_page
    assert response.status_code == 200
    new = ConsentRequest.objects.exclude(pk=case_a.request.pk).get(patient=case_a.request.patient)
    assert new.procedure_version.number == 2
    assert "/c/" in response.content.decode()
    assert AuditEvent.objects.filter(request=case_a.request, action="reconsent_requested").exists()


def test_re_consent_is_refused_for_a_request_whose_content_did_not_change(client, nurse, case_a):
    sign_case(case_a)
    client.force_login(nurse)

    response = client.post(reverse("staff:reconsent", args=[case_a.request.public_id]))

    assert "Only a signed request whose information has since changed" in response.content.decode()
    assert ConsentRequest.objects.count() == 1


def test_a_non_material_change_leaves_open_and_signed_requests_alone(published_procedure, case_a, case_b):
    complete_journey(case_a)
    sign_case(case_b)
    before = {r.pk: (r.procedure_version_id, r.progress) for r in ConsentRequest.objects.all()}
    Risk.objects.filter(procedure=published_procedure).update(description="You may get a headache afterwards.")

    result = publish_change(published_procedure, material=False)

    assert (result.moved, result.flagged) == (0, 0)
    assert {r.pk: (r.procedure_version_id, r.progress) for r in ConsentRequest.objects.all()} == before
    assert not ConsentRequest.objects.filter(content_changed_at__isnull=False).exists()
    assert Acknowledgement.objects.filter(request=case_a.request, kind="risk").exists()


# Safe text ---------------------------------------------------------------------------------------

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def test_markup_in_any_patient_facing_field_never_reaches_a_page_or_the_pdf(client, published_procedure):
    for field in ["name", "summary", "what_happens", "indications", "benefits", "alternatives", "recovery"]:
        setattr(published_procedure, field, f"{getattr(published_procedure, field)} {HOSTILE}")
    published_procedure.save()
    Risk.objects.filter(procedure=published_procedure).update(
        title=f"Headache {HOSTILE}", description=HOSTILE + " Pain."
    )
    PreparationStep.objects.filter(procedure=published_procedure).update(instruction=f"Bring {HOSTILE}", timing=HOSTILE)
    ComprehensionQuestion.objects.filter(procedure=published_procedure).update(
        question=f"Q {HOSTILE}", explanation=f"E {HOSTILE}", choices=f"Lie flat {HOSTILE}\nRun"
    )
    publish_change(published_procedure, material=True)
    case = make_case(published_procedure, PATIENT_B)
    complete_journey(case)
    client.post(f"{case.url}identity/", {"day": 2, "month": 11, "year": 1962})

    pages = [
        client.get(f"{case.url}{page}/").content.decode()
        for page in ["about", "risks", "preparing", "understanding", "review"]
    ]
    signature = services.sign(
        consent_request=case.request, decision="consent", typed_name="Bob Brown", signer="patient", ip=None
    )
    pages.append(consent_pdf_html(signature))
    information = render_information_pdf(case.request)

    for page in pages:
        page = re.sub(r'<script src="/static/js/[\w-]+\.js" defer></script>', "", page)  # our own files only
        assert "<script" not in page and "onerror" not in page and "alert(" not in page
    assert b"alert(" not in information
    assert "Headache" in pages[1]


def test_the_documented_formatting_subset_survives(client, published_procedure, case_a):
    published_procedure.benefits = "Paragraph one.\n\n- point one\n- **bold point**"
    published_procedure.save()
    publish_change(published_procedure, material=False)
    case = make_case(published_procedure, PATIENT_B)
    client.post(f"{case.url}identity/", {"day": 2, "month": 11, "year": 1962})

    text = client.get(f"{case.url}about/").content.decode()

    assert "<p>Paragraph one.</p>" in text
    assert "<ul><li>point one</li><li><strong>bold point</strong></li></ul>" in text


# Editing aids ----------------------------------------------------------------------------------------


def test_a_band_that_contradicts_its_numbers_is_refused_with_the_reason(published_procedure):
    form_class = modelform_factory(
        Risk, fields=["title", "description", "frequency", "frequency_n", "frequency_m", "severity", "is_material"]
    )
    form = form_class(
        {
            "title": "Headache",
            "description": "A headache.",
            "frequency": "rare",
            "frequency_n": 1,
            "frequency_m": 5,
            "severity": "minor",
        },
        instance=Risk(procedure=published_procedure),
    )

    assert not form.is_valid()
    assert "About 1 in 5 is very common, not rare" in str(form.errors["frequency"])


def test_each_patient_facing_text_shows_its_reading_grade(client, content_admin, published_procedure):
    published_procedure.recovery = (
        "Postoperative convalescence necessitates considerable physiological adaptation, notwithstanding "
        "comprehensive multidisciplinary rehabilitation interventions administered systematically."
    )
    published_procedure.save()
    client.force_login(content_admin)

    change = client.get(reverse("admin:procedures_procedure_change", args=[published_procedure.pk])).content.decode()
    changelist = client.get(reverse("admin:procedures_procedure_changelist")).content.decode()

    assert "above the target of 8" in change
    assert "Reading grade" in change
    assert "Worst reading grade" in changelist
    assert "(over target)" in changelist


def test_the_readability_widget_stays_quiet_on_plain_text():
    html = ReadabilityTextarea().render("x", "You may get a headache. Lie down and drink water. It will pass soon.")

    assert "Reading grade" in html and "above the target" not in html


def test_content_admins_see_no_patient_data_in_the_admin(client, content_admin, case_a):
    client.force_login(content_admin)

    index = client.get(reverse("admin:index")).content.decode()

    assert "Patient" not in index and "Consent request" not in index


def test_published_versions_are_listed_read_only_with_who_and_when(client, content_admin, published_procedure):
    client.force_login(content_admin)

    text = client.get(reverse("admin:procedures_procedureversion_changelist")).content.decode()

    assert "First" in text
    assert ProcedureVersion.objects.count() == 1
    assert Procedure.objects.get(pk=published_procedure.pk).current_version.number == 1


def test_the_update_notice_goes_once_the_patient_has_reviewed_again(published_procedure, case_a):
    complete_journey(case_a)
    Risk.objects.filter(procedure=published_procedure).update(description="Often a bad headache.")
    publish_change(published_procedure, material=True)
    request = case_a.refresh()
    assert request.content_update_notice

    complete_journey(case_a)  # re-acknowledges the changed risk, passes the later steps again, reviews

    assert case_a.refresh().content_update_notice == {}
