"""Create the Clinicians group: staff who obtain consent and countersign it (as 0002 made the others).

Like nurses, clinicians may read procedure content (and its pictures); the staff workspace and the
countersignature are opened to them by `accounts.access`, not by model permissions.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_group(apps, schema_editor):
    # Permissions are normally made after all migrations; make them now so we can grant them.
    app_config = apps.get_app_config("procedures")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    clinicians, _ = Group.objects.get_or_create(name="Clinicians")
    clinicians.permissions.add(
        *Permission.objects.filter(content_type__app_label="procedures", codename__startswith="view_")
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Clinicians").delete()


class Migration(migrations.Migration):
    dependencies = [("procedures", "0012_bleeding_risk_and_blood_thinners")]

    operations = [migrations.RunPython(create_group, remove_group)]
