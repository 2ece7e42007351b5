"""An installation that still has an earlier release's sample content receives the corrected sample as a
material change; a clinic that made a sample its own keeps it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from consent.models import AuditAction, AuditEvent, ConsentRequest
from consent.services import update_untouched_samples
from procedures.models import Procedure, Risk
from procedures.services import SAMPLE_CHANGE_SUMMARY, SAMPLE_UPDATE_SUMMARY, publish_procedure
from tests.conftest import PATIENT_A, PATIENT_B, make_case, sign_case
from tests.test_sample_content_files import PUBLISHED_FINGERPRINTS


def load() -> str:
    out = io.StringIO()
    call_command("load_sample_content", stdout=out)
    return out.getvalue()


def as_an_earlier_release_shipped_it(slug: str) -> Procedure:
    """The sample as an earlier release published it: other words, a risk fewer, published by the loader."""
    procedure = Procedure.objects.get(slug=slug)
    risk = procedure.risks.order_by("order").first()
    Risk.objects.filter(pk=risk.pk).update(description="Some people get a headache. It usually gets better.")
    procedure.risks.order_by("-order").first().delete()
    publish_procedure(procedure=procedure, published_by=None, change_summary=SAMPLE_CHANGE_SUMMARY, is_material=True)
    return procedure


@pytest.fixture
def earlier_release(db):
    load()
    return as_an_earlier_release_shipped_it("lumbar-puncture")


def test_an_untouched_earlier_sample_gets_the_corrected_one_as_a_material_change(earlier_release):
    unsigned = make_case(earlier_release, PATIENT_A)
    signed = make_case(earlier_release, PATIENT_B)
    sign_case(signed)
    earlier_version = earlier_release.current_version

    output = load()

    version = earlier_release.current_version
    assert version.number == earlier_version.number + 1
    assert version.fingerprint == PUBLISHED_FINGERPRINTS["lumbar-puncture"]  # exactly the shipped sample
    assert version.is_material and version.change_summary == SAMPLE_UPDATE_SUMMARY and version.published_by is None
    assert "Lumbar puncture: updated to the sample shipped now, as a material change (1 unsigned" in output
    assert ConsentRequest.objects.get(pk=unsigned.request.pk).procedure_version == version
    signed_request = ConsentRequest.objects.get(pk=signed.request.pk)
    assert signed_request.procedure_version == earlier_version  # a signed record keeps what was signed
    assert signed_request.content_changed_at is not None  # and the nurses see that it changed
    assert AuditEvent.objects.filter(action=AuditAction.CONTENT_PUBLISHED).exists()
    # The other samples were already as shipped: nothing to do.
    for slug in ("percutaneous-lumbar-fusion", "lumbar-sympathetic-block", "lumbar-laminectomy"):
        assert Procedure.objects.get(slug=slug).current_version.number == 1


def test_running_it_again_changes_nothing(earlier_release):
    load()
    numbers = list(Procedure.objects.order_by("slug").values_list("slug", "versions__number"))

    assert update_untouched_samples() == []
    assert "left as it is" in load()
    assert list(Procedure.objects.order_by("slug").values_list("slug", "versions__number")) == numbers


def test_a_sample_a_person_has_published_is_the_clinics_own_and_is_left_alone(earlier_release, content_admin):
    earlier_release.summary += " Our clinic's wording."
    earlier_release.save()
    publish_procedure(procedure=earlier_release, published_by=content_admin, change_summary="Ours", is_material=False)
    before = earlier_release.current_version.number

    load()

    assert earlier_release.current_version.number == before
    assert "Our clinic's wording." in Procedure.objects.get(pk=earlier_release.pk).summary


def test_a_sample_with_edits_not_yet_published_is_left_alone(earlier_release):
    Procedure.objects.filter(pk=earlier_release.pk).update(benefits="A draft someone is writing.")
    before = earlier_release.current_version.number

    load()

    assert earlier_release.current_version.number == before
    assert Procedure.objects.get(pk=earlier_release.pk).benefits == "A draft someone is writing."


def test_a_procedure_the_clinic_made_that_is_not_a_sample_is_never_touched(earlier_release):
    Procedure.objects.filter(pk=earlier_release.pk).update(is_sample=False)
    before = earlier_release.current_version.number

    load()

    assert earlier_release.current_version.number == before
