"""Staff groups come from a migration; accounts never do."""

from django.contrib.auth.models import Group


def test_migrations_create_both_staff_groups(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {"Nurses", "Content admins"}


def test_content_admins_may_edit_content_but_not_published_versions(db):
    perms = set(Group.objects.get(name="Content admins").permissions.values_list("codename", flat=True))

    assert {"change_procedure", "add_risk", "delete_preparationstep", "change_comprehensionquestion"} <= perms
    assert "view_procedureversion" in perms
    assert not {"add_procedureversion", "change_procedureversion", "delete_procedureversion"} & perms


def test_nurses_may_only_read_content(db):
    perms = set(Group.objects.get(name="Nurses").permissions.values_list("codename", flat=True))

    assert "view_procedure" in perms
    assert all(codename.startswith("view_") for codename in perms)


def test_migrations_create_no_accounts(django_user_model):
    assert django_user_model.objects.count() == 0
