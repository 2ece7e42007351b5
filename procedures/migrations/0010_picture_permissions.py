"""Content admins add, change and remove a procedure's pictures; nurses may read them (as 0002)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    # Permissions are normally made after all migrations; make the new model's now to grant them.
    app_config = apps.get_app_config("procedures")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    pictures = Permission.objects.filter(content_type__app_label="procedures", content_type__model="picture")
    editors, _ = Group.objects.get_or_create(name="Content admins")
    editors.permissions.add(*pictures)
    nurses, _ = Group.objects.get_or_create(name="Nurses")
    nurses.permissions.add(*pictures.filter(codename="view_picture"))


class Migration(migrations.Migration):
    dependencies = [("procedures", "0009_pictures_sources_and_leaflet_details")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
