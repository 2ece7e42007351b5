"""Leaving a page halfway loses nothing: the sign page's draft, ticks saved before "Continue"."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from consent.models import Acknowledgement, AuditEvent, Status, Step
from procedures.models import Risk
from tests.conftest import PATIENT_B
from tests.test_patient_journey import preparing_post, verify, walk_to_decision

PNG = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@pytest.fixture
def many_risks(published_procedure):
    for number in range(2, 12):
        Risk.objects.create(
            procedure=published_procedure,
            title=f"Risk {number}",
            description="Something that can happen.",
            frequency="rare",
            severity="minor",
            is_material=True,
            order=number,
        )
    from procedures.services import publish_procedure

    publish_procedure(procedure=published_procedure, published_by=None, change_summary="More", is_material=True)
    return published_procedure


# 3. The sign page's draft ------------------------------------------------------------------------


def test_going_back_from_the_sign_page_keeps_the_typed_name_and_drawing_without_javascript(case_a):
    client = Client()
    walk_to_decision(client, case_a)

    response = client.post(
        f"{case_a.url}sign/consent/",
        {"action": "back", "signer": "patient", "typed_name": "Ana María López", "drawn_signature": PNG},
    )

    assert response["Location"].endswith("/decide/")
    page = client.get(f"{case_a.url}sign/consent/").content.decode()
    assert 'value="Ana María López"' in page and f'value="{PNG}"' in page
    assert AuditEvent.objects.filter(request=case_a.request, action="sign_draft_saved").exists()
    assert "Ana" not in " ".join(AuditEvent.objects.values_list("message", flat=True))
    # Signing empties the draft; the signature holds what was signed.
    client.post(
        f"{case_a.url}sign/consent/", {"signer": "patient", "typed_name": "Ana María López", "drawn_signature": PNG}
    )
    case_a.refresh()
    assert case_a.request.status == Status.SIGNED and case_a.request.sign_draft == {}
    assert case_a.request.signature.drawn_signature == PNG


def test_a_draft_sent_as_the_page_is_left_is_kept_and_a_bad_drawing_is_dropped(case_a):
    client = Client()
    walk_to_decision(client, case_a)

    response = client.post(
        f"{case_a.url}sign/decline/",
        {
            "action": "draft",
            "signer": "representative",
            "representative_name": "Luis López",
            "drawn_signature": "x" * 50,
        },
    )

    assert response.status_code == 204
    case_a.refresh()
    assert case_a.request.sign_draft["representative_name"] == "Luis López"
    assert "drawn_signature" not in case_a.request.sign_draft
    page = client.get(f"{case_a.url}sign/decline/").content.decode()
    assert 'value="Luis López"' in page
    assert re.search(r'value="representative"[^>]*checked', page)


def test_one_patients_draft_never_shows_on_another_patients_sign_page(case_a, case_b):
    first, second = Client(), Client()
    walk_to_decision(first, case_a)
    first.post(f"{case_a.url}sign/consent/", {"action": "back", "signer": "patient", "typed_name": "Ana María López"})
    first.get(f"{case_a.url}sign/consent/")
    walk_to_decision(second, case_b, dob=PATIENT_B["date_of_birth"])
    page = second.get(f"{case_b.url}sign/consent/").content.decode()
    assert "Ana María López" not in page


# 4. Ticks kept before "Continue" ------------------------------------------------------------------


def test_save_and_come_back_later_keeps_two_of_eleven_ticks_without_javascript(many_risks, case_a):
    client = Client()
    verify(client, case_a)
    client.post(f"{case_a.url}about/")
    risks = case_a.request.content["risks"]
    assert len(risks) == 11
    two = {f"ack_{risk['key']}": "on" for risk in risks[:2]}

    response = client.post(f"{case_a.url}risks/", {**two, "action": "later"}, follow=True)

    assert "Saved. You can close this page now and come back later" in response.content.decode()
    case_a.refresh()
    assert case_a.request.progress == Step.ABOUT, "the page is not finished"
    ticked = Acknowledgement.objects.filter(request=case_a.request, acknowledged_at__isnull=False)
    assert ticked.count() == 2
    # Back another day, in another browser: the two ticks are there.
    again = Client()
    verify(again, case_a)
    page = again.get(f"{case_a.url}risks/").content.decode()
    assert page.count("checked") == 2


def test_a_tick_sent_as_it_is_made_is_kept_and_makes_the_review_stale(case_a):
    client = Client()
    walk_to_decision(client, case_a)
    risk = case_a.request.content["risks"][0]

    response = client.post(f"{case_a.url}risks/", {"action": "autosave", f"discuss_{risk['key']}": "on"})

    assert response.status_code == 204
    case_a.refresh()
    assert case_a.request.review_confirmed_at is None, "changed after the review: review again"
    row = Acknowledgement.objects.get(request=case_a.request, kind="risk", item_key=risk["key"])
    assert row.wants_to_discuss and row.acknowledged_at is None
    assert client.get(f"{case_a.url}decide/")["Location"].endswith("/review/")


def test_preparing_answers_can_be_kept_for_later_and_a_bad_value_is_refused(case_a):
    client = Client()
    verify(client, case_a)
    client.post(f"{case_a.url}about/")
    client.post(f"{case_a.url}risks/", {f"ack_{r['key']}": "on" for r in case_a.request.content["risks"]})
    data = preparing_post(case_a)
    bad = {**data, "action": "autosave"}
    bad[next(name for name in data if name.startswith("answer_"))] = "maybe"

    assert client.post(f"{case_a.url}preparing/", bad).status_code == 400
    assert client.post(f"{case_a.url}preparing/", {**data, "action": "autosave"}).status_code == 204
    case_a.refresh()
    assert case_a.request.progress == Step.RISKS
    assert case_a.request.checklist_answers.count() == 1


# 12. The representative's fields ---------------------------------------------------------------------


def test_the_representatives_fields_are_grouped_under_only_if_you_are_signing_for_someone_else(case_a):
    client = Client()
    walk_to_decision(client, case_a)
    page = " ".join(client.get(f"{case_a.url}sign/consent/").content.decode().split())
    group = page.split('<fieldset class="proceed-representative')[1].split("</fieldset>")[0]
    assert "<legend" in group and "Only if you are signing for someone else" in group
    assert 'name="representative_name"' in group and 'name="representative_relationship"' in group
    assert "js/signer.js" in page


def test_ticks_saved_one_by_one_make_one_timeline_entry_for_the_run(case_a):
    client = Client()
    verify(client, case_a)
    client.post(f"{case_a.url}about/")
    risk = case_a.request.content["risks"][0]
    for ticked in ("on", "", "on"):
        client.post(f"{case_a.url}risks/", {"action": "autosave", f"ack_{risk['key']}": ticked})
    assert AuditEvent.objects.filter(request=case_a.request, action="answers_saved").count() == 1
    row = Acknowledgement.objects.get(request=case_a.request, item_key=risk["key"])
    assert row.acknowledged_at is not None, "the last tick counts"


def test_a_material_risk_unticked_after_its_page_was_done_stops_the_review_and_signing(case_a):
    client = Client()
    walk_to_decision(client, case_a)
    risk = case_a.request.content["risks"][0]
    # Taken back as a tick saved on its own (or "Save and come back later"): the page stays done.
    client.post(f"{case_a.url}risks/", {"action": "autosave"})
    case_a.refresh()
    assert case_a.request.progress >= Step.QUESTIONS and risk["is_material"]

    response = client.post(f"{case_a.url}review/", {"confirmed": "on"}, follow=True)

    assert response.redirect_chain[-1][0].endswith("/risks/")
    assert "Some answers on this page are missing" in response.content.decode()
    sign = client.post(f"{case_a.url}sign/consent/", {"signer": "patient", "typed_name": "Ana María López"})
    assert sign.status_code == 302 and not sign["Location"].endswith("/done/")
    case_a.refresh()
    assert not hasattr(case_a.request, "signature") and case_a.request.status != "signed"
