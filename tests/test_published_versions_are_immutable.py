"""A published version can't be edited or deleted, through the ORM or the admin."""

import pytest
from django.db.models.deletion import ProtectedError
from django.urls import reverse

from procedures.immutable import ImmutableRecordError
from procedures.models import ProcedureVersion
from procedures.services import publish_procedure


@pytest.fixture
def version(procedure):
    return publish_procedure(procedure=procedure, published_by=None, change_summary="First", is_material=False)


def test_saving_a_changed_version_is_refused(version):
    version.content = {**version.content, "name": "Tampered"}

    with pytest.raises(ImmutableRecordError):
        version.save()
    assert ProcedureVersion.objects.get(pk=version.pk).content["name"] == "Test procedure"


def test_deleting_a_version_is_refused(version):
    with pytest.raises(ImmutableRecordError):
        version.delete()
    assert ProcedureVersion.objects.filter(pk=version.pk).exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda versions: versions.update(change_summary="Tampered"),
        lambda versions: versions.delete(),
        lambda versions: ProcedureVersion.objects.bulk_update(list(versions), ["change_summary"]),
    ],
    ids=["update", "delete", "bulk_update"],
)
def test_queryset_changes_are_refused(version, change):
    with pytest.raises(ImmutableRecordError):
        change(ProcedureVersion.objects.filter(pk=version.pk))
    assert ProcedureVersion.objects.get(pk=version.pk).change_summary == "First"


def test_a_published_procedure_cannot_be_deleted(version, procedure):
    with pytest.raises(ProtectedError):
        procedure.delete()
    assert ProcedureVersion.objects.filter(pk=version.pk).exists()


def test_admin_shows_a_version_read_only(client, content_admin, version):
    client.force_login(content_admin)

    response = client.get(reverse("admin:procedures_procedureversion_change", args=[version.pk]))

    assert response.status_code == 200
    assert b"Headache" in response.content
    assert b'name="_save"' not in response.content
    assert b"Delete" not in response.content


@pytest.mark.parametrize("user_fixture", ["content_admin", "superuser"])
def test_admin_refuses_to_change_or_delete_a_version(client, request, version, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))

    change = client.post(
        reverse("admin:procedures_procedureversion_change", args=[version.pk]),
        {"change_summary": "Tampered", "is_material": "on"},
    )
    delete = client.post(reverse("admin:procedures_procedureversion_delete", args=[version.pk]), {"post": "yes"})
    add = client.get(reverse("admin:procedures_procedureversion_add"))

    assert change.status_code == 403
    assert delete.status_code == 403
    assert add.status_code == 403
    assert ProcedureVersion.objects.get(pk=version.pk).change_summary == "First"
