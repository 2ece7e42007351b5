"""Blood thinners: the patient names theirs, the nurse sees a suggested last dose and confirms a plan, and
only a confirmed plan reaches the patient (done page and checklist PDF)."""

from __future__ import annotations

import datetime
import html

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from consent import blood_thinners, services
from consent.blood_thinners import Basis, suggested_last_dose
from consent.models import AuditAction, AuditEvent, BloodThinnerAnswer, BloodThinnerInstruction
from procedures.blood_thinners import SAMPLE_BLOOD_THINNERS, load_sample_blood_thinners
from procedures.models import BloodThinner, ChecklistItem
from procedures.services import publish_procedure
from records.checklist_pdf import checklist_pdf_html
from tests.conftest import PATIENT_A, PATIENT_B, add_spanish, complete_journey, make_case, sign_case
from tests.test_patient_journey import preparing_post, verify

TZ_NOON = datetime.time(9, 0)


@pytest.fixture
def drugs(db):
    load_sample_blood_thinners()
    return {drug.name: drug for drug in BloodThinner.objects.all()}


@pytest.fixture
def asking_procedure(procedure, drugs):
    """The test procedure, intermediate risk, whose blood-thinner question asks which one."""
    ChecklistItem.objects.filter(procedure=procedure).update(asks_about_blood_thinners=True)
    procedure.bleeding_risk = "intermediate"
    procedure.bleeding_risk_source = "Narouze 2018"
    procedure.save()
    publish_procedure(procedure=procedure, published_by=None, change_summary="First", is_material=False)
    return procedure


def appointment_in(days: int, time: datetime.time = TZ_NOON) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, time))


def case_on(procedure, days: int, patient=PATIENT_A):
    case = make_case(procedure, patient)
    type(case.request).objects.filter(pk=case.request.pk).update(appointment_at=appointment_in(days))
    case.refresh()
    return case


def question_key(case) -> str:
    return next(item["key"] for item in case.request.content["checklist_items"] if item["patient_question"])


def name_drugs(case, *drugs, other="", not_sure=False, answer="yes"):
    """What the preparing page saves, through the service."""
    content = case.request.content
    return blood_thinners.save_preparation_answers(
        consent_request=case.request,
        acknowledged={s["key"] for s in content["preparation_steps"]},
        answers={question_key(case): answer},
        named=blood_thinners.Named(drugs=tuple(drugs), other_name=other, not_sure=not_sure),
        ip=None,
    )


def plan_url(case) -> str:
    return reverse("staff:blood_thinners", args=[case.request.public_id])


def confirm_post(answer: BloodThinnerAnswer, **fields) -> dict:
    data = {"medicine": str(answer.pk)}
    data.update({f"m{answer.pk}-{name}": value for name, value in fields.items()})
    return data


@pytest.fixture
def nurse_client(client, nurse):
    client.force_login(nurse)
    return client


# The rule for the suggested day ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "last_dose_weekday"),
    [(72, "Monday"), (120, "Saturday"), (24, "Wednesday"), (12, "Wednesday"), (6, "Thursday")],
)
def test_the_interval_is_met_whatever_time_the_last_dose_is_taken(hours, last_dose_weekday):
    friday_9am = timezone.make_aware(datetime.datetime(2026, 12, 11, 9, 0))
    day, latest = suggested_last_dose(friday_9am, hours)
    assert f"{day:%A}" == last_dose_weekday
    # Any dose on that day, even at 23:59, is at least `hours` before the appointment.
    end_of_day = timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))
    assert friday_9am - end_of_day >= datetime.timedelta(hours=hours)
    assert friday_9am - latest == datetime.timedelta(hours=hours)


def test_every_sample_row_cites_its_source_and_is_marked_sample(drugs):
    assert len(drugs) == len(SAMPLE_BLOOD_THINNERS)
    assert all(drug.is_sample and "Narouze" in drug.source for drug in drugs.values())


def test_loading_the_sample_table_twice_adds_nothing_and_never_overwrites_the_clinics_row(drugs):
    apixaban = drugs["Apixaban"]
    apixaban.stop_hours_intermediate = 48
    apixaban.is_sample = False
    apixaban.save()
    BloodThinner.objects.filter(name="Warfarin").delete()

    created = load_sample_blood_thinners()

    assert [drug.name for drug in created] == ["Warfarin"]
    apixaban.refresh_from_db()
    assert (apixaban.stop_hours_intermediate, apixaban.is_sample) == (48, False)
    assert load_sample_blood_thinners() == []


# The patient's question ---------------------------------------------------------------------------


def test_the_choice_is_on_the_page_without_javascript_with_generic_and_brand_names(client, asking_procedure):
    case = make_case(asking_procedure, PATIENT_A)
    verify(client, case)
    case.request.progress = 4
    case.request.save(update_fields=["progress"])

    page = client.get(f"{case.url}preparing/").content.decode()

    assert "Apixaban (Eliquis)" in page
    assert "Another medicine (type its name)" in page
    assert "I&#x27;m not sure of the name" in page or "I'm not sure of the name" in page
    assert "js/blood-thinners.js" in page
    assert (
        '<fieldset class="proceed-blood-thinners' in page
        and " hidden" not in page.split("proceed-blood-thinners")[1][:40]
    )


def walk_to_preparing(client, case):
    verify(client, case)
    case.request.progress = 4  # risks done: the preparing page is next
    case.request.save(update_fields=["progress"])


def test_a_patient_who_takes_one_names_it_and_it_is_audited_without_its_name(client, asking_procedure, drugs):
    case = make_case(asking_procedure, PATIENT_A)
    walk_to_preparing(client, case)
    data = preparing_post(case) | {f"answer_{question_key(case)}": "yes", "bt_drugs": [drugs["Apixaban"].pk]}

    response = client.post(f"{case.url}preparing/", data)

    assert response.status_code == 302 and response["Location"].endswith("/understanding/")
    (row,) = BloodThinnerAnswer.objects.filter(request=case.request)
    assert (row.kind, row.drug, row.name) == ("listed", drugs["Apixaban"], "Apixaban")
    event = AuditEvent.objects.get(request=case.request, action=AuditAction.BLOOD_THINNERS_NAMED)
    assert "Apixaban" not in event.message and "Apixaban" not in str(event.detail)


def test_yes_with_no_medicine_named_asks_for_one_and_keeps_every_tick(client, asking_procedure):
    case = make_case(asking_procedure, PATIENT_A)
    walk_to_preparing(client, case)
    data = preparing_post(case) | {f"answer_{question_key(case)}": "yes"}

    response = client.post(f"{case.url}preparing/", data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Please choose the blood thinner you take, type its name" in page
    assert "checked" in page.split('name="ack_')[1][:200]  # the step's tick is kept
    assert case.refresh().progress == 4


def test_another_medicine_ticked_without_a_name_asks_for_the_name(client, asking_procedure):
    case = make_case(asking_procedure, PATIENT_A)
    walk_to_preparing(client, case)
    data = preparing_post(case) | {f"answer_{question_key(case)}": "yes", "bt_other": "on", "bt_other_name": "  "}

    response = client.post(f"{case.url}preparing/", data)

    assert "Type the medicine&#x27;s name, or choose" in response.content.decode()
    assert not BloodThinnerAnswer.objects.filter(request=case.request).exists()


@pytest.mark.parametrize("bad", ["retired", "unknown"])
def test_a_medicine_no_longer_on_the_list_is_refused_plainly_and_loses_nothing(client, asking_procedure, drugs, bad):
    case = make_case(asking_procedure, PATIENT_A)
    walk_to_preparing(client, case)
    if bad == "retired":
        BloodThinner.objects.filter(pk=drugs["Apixaban"].pk).update(active=False)
        posted = drugs["Apixaban"].pk
    else:
        posted = 999999
    data = preparing_post(case) | {
        f"answer_{question_key(case)}": "yes",
        "bt_drugs": [posted],
        "bt_other": "on",
        "bt_other_name": "Blood pill from abroad",
    }

    response = client.post(f"{case.url}preparing/", data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "no longer on our list" in page
    assert 'value="Blood pill from abroad"' in page  # what was typed is kept
    assert not BloodThinnerAnswer.objects.filter(request=case.request).exists()


def test_a_typed_name_and_not_sure_are_kept_and_the_nurse_is_told_to_ask(client, nurse_client, asking_procedure):
    case = make_case(asking_procedure, PATIENT_A)
    walk_to_preparing(client, case)
    data = preparing_post(case) | {
        f"answer_{question_key(case)}": "not_sure",
        "bt_other_name": "Sintrom forte",  # typed without ticking "Another medicine": it still counts
        "bt_not_sure": "on",
    }

    assert client.post(f"{case.url}preparing/", data).status_code == 302

    kinds = sorted(BloodThinnerAnswer.objects.filter(request=case.request).values_list("kind", "name"))
    assert kinds == [("not_sure", ""), ("other", "Sintrom forte")]
    page = nurse_client.get(plan_url(case)).content.decode()
    assert "Not in the clinic's table: ask the prescriber." in html.unescape(page)
    assert "Not sure of the name" in page


def test_answering_no_clears_the_medicines_named_before(asking_procedure, drugs):
    case = make_case(asking_procedure, PATIENT_A)
    services.verify_identity(consent_request=case.request, date_of_birth=PATIENT_A["date_of_birth"], ip=None)
    name_drugs(case, drugs["Warfarin"])
    name_drugs(case, drugs["Warfarin"], answer="no")

    assert not BloodThinnerAnswer.objects.filter(request=case.request).exists()
    assert AuditEvent.objects.filter(request=case.request, action=AuditAction.BLOOD_THINNERS_NAMED).count() == 2


def test_the_question_is_in_spanish_for_a_spanish_patient(client, procedure, drugs):
    add_spanish(procedure)
    ChecklistItem.objects.filter(procedure=procedure).update(asks_about_blood_thinners=True)
    publish_procedure(procedure=procedure, published_by=None, change_summary="First", is_material=False)
    case = make_case(procedure, PATIENT_A)
    type(case.request).objects.filter(pk=case.request.pk).update(language="es")
    walk_to_preparing(client, case)

    page = client.get(f"{case.url}preparing/").content.decode()

    assert "Otro medicamento" in page and "Apixaban (Eliquis)" in page


# The suggestion on the nurse's pages ---------------------------------------------------------------


def test_the_nurse_sees_a_suggestion_labelled_for_the_prescriber_with_sample_values(
    nurse_client, asking_procedure, drugs
):
    case = case_on(asking_procedure, 10)
    name_drugs(case, drugs["Apixaban"])
    expected = timezone.localdate() + datetime.timedelta(days=10 - 3 - 1)

    page = nurse_client.get(plan_url(case)).content.decode()
    case_page = nurse_client.get(reverse("staff:case", args=[case.request.public_id])).content.decode()

    assert "Suggestion — for the prescriber to confirm" in page
    assert f"{expected:%A} {expected.day} {expected:%B} {expected.year}" in page
    assert "Sample values — not yet approved by the clinic" in page
    assert "Narouze 2018" in page  # the class's source
    assert "suggested last dose" in case_page and "alert-danger" not in case_page


@pytest.mark.parametrize(
    ("drug", "basis", "words"),
    [
        ("Apixaban", Basis.STOP, "Last dose on"),
        ("Ibuprofen", Basis.CONTINUE, "Usually continued for this procedure — confirm with the prescriber."),
        ("Aspirin", Basis.NO_STANDARD, "No standard interval for a intermediate-risk procedure"),
    ],
)
def test_each_kind_of_suggestion_says_what_to_do(nurse_client, asking_procedure, drugs, drug, basis, words):
    case = case_on(asking_procedure, 10)
    name_drugs(case, drugs[drug])

    (suggestion,) = blood_thinners.plan_for(case.request)

    assert suggestion.basis == basis
    assert words in nurse_client.get(plan_url(case)).content.decode()


def test_a_procedure_with_no_class_suggests_no_date(nurse_client, asking_procedure, drugs):
    asking_procedure.bleeding_risk = ""
    asking_procedure.save()
    case = case_on(asking_procedure, 10)
    name_drugs(case, drugs["Apixaban"])

    page = nurse_client.get(plan_url(case)).content.decode()

    assert "This procedure has no bleeding-risk class: ask the prescriber." in page
    assert blood_thinners.plan_for(case.request)[0].last_dose_on is None


def test_a_removed_table_row_keeps_the_name_and_suggests_no_date(asking_procedure, drugs):
    case = case_on(asking_procedure, 10)
    name_drugs(case, drugs["Edoxaban"])
    BloodThinner.objects.filter(name="Edoxaban").delete()

    (suggestion,) = blood_thinners.plan_for(case.request)

    assert (suggestion.basis, suggestion.name) == (Basis.NOT_IN_TABLE, "Edoxaban")


@pytest.mark.parametrize(("days", "flag"), [(2, "too late to stop in time"), (4, "last dose is today")])
def test_too_soon_is_flagged_loudly_on_the_case_checklist_and_dashboard(
    nurse_client, asking_procedure, drugs, days, flag
):
    case = case_on(asking_procedure, days)
    name_drugs(case, drugs["Apixaban"])

    case_page = nurse_client.get(reverse("staff:case", args=[case.request.public_id])).content.decode()
    checklist = nurse_client.get(reverse("staff:checklist", args=[case.request.public_id])).content.decode()
    dashboard = nurse_client.get(reverse("staff:index")).content.decode()

    for page in (case_page, checklist):
        assert "alert alert-danger proceed-blood-thinner-urgent" in page
    assert f"Blood thinner: {flag}" in dashboard
    assert "text-bg-danger" in dashboard.split(f"Blood thinner: {flag}")[0][-80:]


def test_the_dashboard_flags_a_plan_to_confirm_until_it_is_confirmed(nurse_client, nurse, asking_procedure, drugs):
    case = case_on(asking_procedure, 6)  # within the dashboard's default week
    other = case_on(asking_procedure, 6, patient=PATIENT_B)
    name_drugs(case, drugs["Apixaban"])

    flagged = nurse_client.get(reverse("staff:index"), {"flag": "blood_thinner"}).content.decode()
    assert str(case.request.public_id) in flagged and str(other.request.public_id) not in flagged
    assert 'badge text-bg-warning">Blood thinner: plan to confirm' in flagged

    suggestion = blood_thinners.plan_for(case.request)[0]
    blood_thinners.confirm_plan(
        consent_request=case.request,
        medicine_key=suggestion.medicine_key,
        plan="stop",
        last_dose_on=suggestion.last_dose_on,
        prescriber="Dr Ruiz",
        user=nurse,
    )
    assert 'badge text-bg-warning">Blood thinner' not in nurse_client.get(reverse("staff:index")).content.decode()


# Confirming the plan -----------------------------------------------------------------------------


def test_only_a_confirmed_plan_reaches_the_patient_and_the_checklist_pdf(
    client, nurse_client, nurse, asking_procedure, drugs
):
    case = case_on(asking_procedure, 10)
    complete_journey(case)
    name_drugs(case, drugs["Apixaban"])
    sign_case(case)
    verify(client, case)
    answer = BloodThinnerAnswer.objects.get(request=case.request)
    suggested = blood_thinners.plan_for(case.request)[0].last_dose_on

    assert "Your blood thinner" not in client.get(f"{case.url}done/").content.decode()
    assert "NO PLAN CONFIRMED YET" in checklist_pdf_html(case.request)

    response = nurse_client.post(
        plan_url(case), confirm_post(answer, plan="stop", last_dose_on=suggested.isoformat(), prescriber="Dr Ruiz")
    )

    assert response.status_code == 302
    instruction = BloodThinnerInstruction.objects.get(request=case.request)
    assert (instruction.last_dose_on, instruction.confirmed_by, instruction.reason) == (suggested, nurse, "")
    event = AuditEvent.objects.get(request=case.request, action=AuditAction.BLOOD_THINNER_PLAN_CONFIRMED)
    assert event.user == nurse and "Apixaban" not in event.message
    done = client.get(f"{case.url}done/").content.decode()
    assert f"take your last dose of Apixaban on <strong>{suggested:%A} {suggested.day} {suggested:%B}</strong>" in done
    assert "Do not stop or change any medicine unless your care team tells you to." in done
    pdf = checklist_pdf_html(case.request)
    assert f"Last dose on {suggested:%A} {suggested.day} {suggested:%B} {suggested.year}" in pdf
    assert "Agreed with Dr Ruiz; confirmed by" in pdf


def test_a_changed_date_needs_a_reason_and_keeps_what_was_typed(nurse_client, asking_procedure, drugs):
    case = case_on(asking_procedure, 10)
    name_drugs(case, drugs["Apixaban"])
    answer = BloodThinnerAnswer.objects.get(request=case.request)
    other_day = blood_thinners.plan_for(case.request)[0].last_dose_on + datetime.timedelta(days=1)

    response = nurse_client.post(
        plan_url(case), confirm_post(answer, plan="stop", last_dose_on=other_day.isoformat(), prescriber="Dr Ruiz")
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "This differs from the suggestion: say why" in page
    assert f'value="{other_day.isoformat()}"' in page and 'value="Dr Ruiz"' in page
    assert not BloodThinnerInstruction.objects.exists()

    nurse_client.post(
        plan_url(case),
        confirm_post(answer, plan="stop", last_dose_on=other_day.isoformat(), prescriber="Dr Ruiz", reason="Renal"),
    )
    assert BloodThinnerInstruction.objects.get().reason == "Renal"


@pytest.mark.parametrize(
    ("offset_from_appointment", "message"),
    [(1, "The last dose must be on or before the appointment"), (-40, "more than 30 days before the appointment")],
)
def test_a_date_after_the_appointment_or_far_before_it_is_refused(
    nurse_client, asking_procedure, drugs, offset_from_appointment, message
):
    case = case_on(asking_procedure, 10)
    name_drugs(case, drugs["Apixaban"])
    answer = BloodThinnerAnswer.objects.get(request=case.request)
    day = timezone.localdate(case.request.appointment_at) + datetime.timedelta(days=offset_from_appointment)

    response = nurse_client.post(
        plan_url(case),
        confirm_post(answer, plan="stop", last_dose_on=day.isoformat(), prescriber="Dr Ruiz", reason="Asked"),
    )

    assert response.status_code == 400 and message in response.content.decode()
    assert not BloodThinnerInstruction.objects.exists()


def test_confirming_twice_records_one_plan(nurse_client, asking_procedure, drugs):
    case = case_on(asking_procedure, 10)
    name_drugs(case, drugs["Apixaban"])
    answer = BloodThinnerAnswer.objects.get(request=case.request)
    day = blood_thinners.plan_for(case.request)[0].last_dose_on.isoformat()
    data = confirm_post(answer, plan="stop", last_dose_on=day, prescriber="Dr Ruiz")

    nurse_client.post(plan_url(case), data)
    second = nurse_client.post(plan_url(case), data, follow=True)

    assert "This plan is already confirmed" in second.content.decode()
    assert BloodThinnerInstruction.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.BLOOD_THINNER_PLAN_CONFIRMED).count() == 1


def test_a_moved_appointment_withdraws_the_plan_from_the_patient_and_asks_to_confirm_again(
    client, nurse_client, nurse, asking_procedure, drugs
):
    case = case_on(asking_procedure, 10)
    complete_journey(case)
    name_drugs(case, drugs["Warfarin"])
    sign_case(case)
    verify(client, case)
    suggestion = blood_thinners.plan_for(case.request)[0]
    first = blood_thinners.confirm_plan(
        consent_request=case.request,
        medicine_key=suggestion.medicine_key,
        plan="stop",
        last_dose_on=suggestion.last_dose_on,
        prescriber="Dr Ruiz",
        user=nurse,
    )
    assert "take your last dose of Warfarin" in client.get(f"{case.url}done/").content.decode()

    services.correct_details(
        consent_request=case.request,
        patient_fields={},
        appointment_at=case.request.appointment_at + datetime.timedelta(days=7),
        clinician=case.request.clinician,
        reason="Clinic rescheduled",
        user=nurse,
    )

    assert "Your blood thinner" not in client.get(f"{case.url}done/").content.decode()
    case_page = nurse_client.get(reverse("staff:case", args=[case.request.public_id])).content.decode()
    assert "Blood thinner: confirm the plan again." in case_page
    assert (
        "Blood thinner: plan to confirm"
        in nurse_client.get(reverse("staff:index"), {"flag": "blood_thinner"}).content.decode()
    )
    assert "NO PLAN: the appointment moved" in checklist_pdf_html(case.refresh())

    moved = blood_thinners.plan_for(case.request)[0]
    second = blood_thinners.confirm_plan(
        consent_request=case.request,
        medicine_key=moved.medicine_key,
        plan="stop",
        last_dose_on=moved.last_dose_on,
        prescriber="Dr Ruiz",
        user=nurse,
    )
    assert second.supersedes == first and moved.last_dose_on == first.last_dose_on + datetime.timedelta(days=7)
    assert "take your last dose of Warfarin" in client.get(f"{case.url}done/").content.decode()


def test_a_medicine_the_patient_was_not_sure_of_needs_its_name_from_the_nurse(nurse_client, asking_procedure):
    case = case_on(asking_procedure, 10)
    name_drugs(case, not_sure=True)
    answer = BloodThinnerAnswer.objects.get(request=case.request)
    day = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()

    refused = nurse_client.post(
        plan_url(case), confirm_post(answer, plan="stop", last_dose_on=day, prescriber="Dr Ruiz")
    )
    assert refused.status_code == 400 and "Type the medicine&#x27;s name" in refused.content.decode()

    nurse_client.post(
        plan_url(case),
        confirm_post(answer, plan="stop", last_dose_on=day, prescriber="Dr Ruiz", medicine_name="Sintrom"),
    )
    assert BloodThinnerInstruction.objects.get().medicine_name == "Sintrom"


def test_keep_taking_it_when_the_suggestion_was_to_stop_needs_a_reason(nurse, asking_procedure, drugs):
    case = case_on(asking_procedure, 10)
    name_drugs(case, drugs["Clopidogrel"])
    key = blood_thinners.plan_for(case.request)[0].medicine_key
    with pytest.raises(blood_thinners.PlanRefused) as refused:
        blood_thinners.confirm_plan(
            consent_request=case.request,
            medicine_key=key,
            plan="continue",
            last_dose_on=None,
            prescriber="Dr R",
            user=nurse,
        )
    assert refused.value.field == "reason"

    plan = blood_thinners.confirm_plan(
        consent_request=case.request,
        medicine_key=key,
        plan="continue",
        last_dose_on=None,
        prescriber="Dr Cardio",
        reason="Recent stent: the cardiologist says keep taking it",
        user=nurse,
    )
    assert plan.plan == "continue" and plan.last_dose_on is None


def test_a_cancelled_request_takes_no_plan(nurse, asking_procedure, drugs):
    case = case_on(asking_procedure, 10)
    name_drugs(case, drugs["Apixaban"])
    services.cancel_request(consent_request=case.request, reason="Not needed", user=nurse)
    key = blood_thinners.plan_for(case.request)[0].medicine_key

    with pytest.raises(blood_thinners.PlanRefused, match="cancelled"):
        blood_thinners.confirm_plan(
            consent_request=case.request,
            medicine_key=key,
            plan="stop",
            last_dose_on=None,
            prescriber="Dr R",
            user=nurse,
        )


def test_content_admins_cannot_open_the_planning_page(client, content_admin, asking_procedure):
    case = case_on(asking_procedure, 10)
    client.force_login(content_admin)

    assert client.get(plan_url(case)).status_code == 403


def test_load_sample_content_classes_the_samples_and_fills_the_table_once(db):
    call_command("load_sample_content", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("load_sample_content", stdout=open("/dev/null", "w"))  # noqa: SIM115

    from procedures.models import Procedure

    classes = dict(Procedure.objects.values_list("slug", "bleeding_risk"))
    assert classes == {
        "lumbar-puncture": "intermediate",
        "percutaneous-lumbar-fusion": "high",
        "lumbar-sympathetic-block": "intermediate",
        "lumbar-laminectomy": "high",
    }
    assert BloodThinner.objects.count() == len(SAMPLE_BLOOD_THINNERS)
    for procedure in Procedure.objects.all():
        items = procedure.current_version.content["checklist_items"]
        assert sum(1 for item in items if item.get("asks_about_blood_thinners")) == 1
