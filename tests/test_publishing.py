"""Publishing: numbered immutable versions with a stable, sensitive fingerprint."""

import pytest

from procedures.models import ChecklistItem, ComprehensionQuestion, PreparationStep, ProcedureVersion, Risk
from procedures.services import PublishError, fingerprint, publish_procedure, snapshot
from tests.conftest import build_procedure


def publish(procedure, summary="First version", material=False, user=None):
    return publish_procedure(procedure=procedure, published_by=user, change_summary=summary, is_material=material)


def test_publishing_snapshots_content_into_version_one(procedure, content_admin):
    version = publish(procedure, user=content_admin)

    assert version.number == 1
    assert version.published_by == content_admin
    assert version.content["name"] == "Test procedure"
    assert [risk["title"] for risk in version.content["risks"]] == ["Headache"]
    assert version.content["questions"][0]["choices"] == ["Lie flat and drink fluids", "Run a marathon"]
    assert len(version.fingerprint) == 64
    assert version.fingerprint == fingerprint(version.content)


def test_versions_are_numbered_in_order(procedure):
    publish(procedure)
    procedure.summary = "A clearer summary."
    procedure.save()

    second = publish(procedure, summary="Clearer summary", material=False)

    assert second.number == 2
    assert list(procedure.versions.values_list("number", flat=True)) == [2, 1]


def test_same_content_always_gives_the_same_fingerprint(db):
    first = build_procedure(slug="first")
    second = build_procedure(slug="second")  # same text, different ids, keys and slug

    assert fingerprint(snapshot(first)) == fingerprint(snapshot(second))
    assert fingerprint(snapshot(first)) == fingerprint(snapshot(first))


def test_line_endings_and_trailing_spaces_do_not_change_the_fingerprint(procedure):
    before = fingerprint(snapshot(procedure))
    procedure.what_happens = "A nurse helps you lie down.  \r\n\r\nThe doctor does the test.\r\n"
    procedure.save()

    assert fingerprint(snapshot(procedure)) == before


PATIENT_FACING_CHANGES = [
    ("procedure", "name", "Test procedure, revised"),
    ("procedure", "summary", "A different summary."),
    ("procedure", "what_happens", "Something else happens."),
    ("procedure", "indications", "Another reason."),
    ("procedure", "benefits", "Another benefit."),
    ("procedure", "alternatives", "- No treatment.\n- Physiotherapy."),
    ("procedure", "recovery", "Rest for two days."),
    ("risk", "title", "Bad headache"),
    ("risk", "description", "You may get a bad headache."),
    ("risk", "frequency", "very_common"),
    ("risk", "frequency_n", 1),  # with frequency_m below: 1 in 5
    ("risk", "severity", "moderate"),
    ("risk", "is_material", False),
    ("step", "instruction", "Bring all your medicines."),
    ("step", "timing", "The day before"),
    ("item", "text", "Anticoagulants held"),
    ("item", "patient_question", "Do you take warfarin?"),
    ("item", "required", False),
    ("question", "question", "What helps a headache?"),
    ("question", "choices", "Lie flat and drink fluids\nRun a marathon\nNothing"),
    ("question", "correct_choice", 2),
    ("question", "explanation", "Lying flat helps most."),
]


@pytest.mark.parametrize(("owner", "field", "value"), PATIENT_FACING_CHANGES)
def test_any_change_to_content_changes_the_fingerprint(procedure, owner, field, value):
    before = fingerprint(snapshot(procedure))
    target = {
        "procedure": procedure,
        "risk": Risk.objects.get(procedure=procedure),
        "step": PreparationStep.objects.get(procedure=procedure),
        "item": ChecklistItem.objects.get(procedure=procedure),
        "question": ComprehensionQuestion.objects.get(procedure=procedure),
    }[owner]
    setattr(target, field, value)
    if field == "frequency_n":
        target.frequency_m = 5
    target.save()

    assert fingerprint(snapshot(procedure)) != before


def test_reordering_risks_changes_the_fingerprint(procedure):
    Risk.objects.create(
        procedure=procedure, title="Bruise", description="A small bruise.", frequency="common", severity="minor"
    )
    before = fingerprint(snapshot(procedure))
    Risk.objects.filter(procedure=procedure, title="Headache").update(order=10)

    assert fingerprint(snapshot(procedure)) != before


def test_publishing_unchanged_content_is_refused(procedure):
    publish(procedure)

    with pytest.raises(PublishError, match="Nothing has changed since version 1"):
        publish(procedure, summary="Again")
    assert procedure.versions.count() == 1


def test_publishing_needs_a_change_summary(procedure):
    with pytest.raises(PublishError, match="summary"):
        publish(procedure, summary="   ")
    assert procedure.versions.count() == 0


def test_publishing_incomplete_content_names_what_is_missing(procedure):
    procedure.recovery = ""
    procedure.save()
    procedure.questions.all().delete()

    with pytest.raises(PublishError) as error:
        publish(procedure)

    assert "“Recovery” is empty." in str(error.value)
    assert "Add at least one comprehension question." in str(error.value)
    assert procedure.versions.count() == 0


def test_publishing_refuses_a_risk_whose_numbers_contradict_its_band(procedure):
    Risk.objects.filter(procedure=procedure).update(frequency="rare", frequency_n=1, frequency_m=5)

    with pytest.raises(PublishError, match="About 1 in 5 is very common, not rare"):
        publish(procedure)


def test_published_content_does_not_follow_later_edits(procedure):
    version = publish(procedure)
    procedure.name = "Renamed"
    procedure.save()
    Risk.objects.filter(procedure=procedure).update(title="Changed")

    version = ProcedureVersion.objects.get(pk=version.pk)
    assert version.content["name"] == "Test procedure"
    assert version.content["risks"][0]["title"] == "Headache"
