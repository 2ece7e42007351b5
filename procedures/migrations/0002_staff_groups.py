"""Create the two staff groups and give each the content permissions it needs.

Nurses may read procedure content; content admins may edit it and read
published versions (which no one can change). Patient-data permissions are
added by the consent app's migrations.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT_MODELS = ["procedure", "risk", "preparationstep", "checklistitem", "comprehensionquestion"]


def ensure_permissions(apps):
    # Permissions are normally made after all migrations; make them now so we can grant them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def create_groups(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    content_perms = Permission.objects.filter(content_type__app_label="procedures")

    nurses, _ = Group.objects.get_or_create(name="Nurses")
    nurses.permissions.add(*content_perms.filter(codename__startswith="view_"))

    editors, _ = Group.objects.get_or_create(name="Content admins")
    editable = [f"{action}_{model}" for model in CONTENT_MODELS for action in ("add", "change", "delete", "view")]
    editors.permissions.add(*content_perms.filter(codename__in=[*editable, "view_procedureversion"]))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Nurses", "Content admins"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("procedures", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
