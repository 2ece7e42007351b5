"""Set up the local demo: sample content and three demo staff accounts.

Only for `make run` on a developer's machine: the demo passwords are public, so
this refuses to run unless DEBUG is on. Migrations never create accounts.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from procedures.roles import CONTENT_ADMINS, NURSES

DEMO_PASSWORD = "proceed-demo"  # noqa: S105  (public on purpose: demo accounts only, DEBUG only)
DEMO_ACCOUNTS = [
    # username, what they can do, group, is_staff (admin site), is_superuser
    ("nurse", "Nurse: patients' requests and checklists", NURSES, False, False),
    ("editor", "Content admin: edits and publishes procedure content", CONTENT_ADMINS, True, False),
    ("admin", "Superuser: everything", None, True, True),
]


class Command(BaseCommand):
    help = "Load the sample content and create the demo staff accounts (development only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "setup_demo creates accounts with public passwords, so it only runs with DJANGO_DEBUG=1. "
                "For a real deployment create staff with `manage.py createsuperuser` and the admin."
            )
        call_command("load_sample_content", stdout=self.stdout)
        User = get_user_model()
        for username, _, group_name, is_staff, is_superuser in DEMO_ACCOUNTS:
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff, user.is_superuser = is_staff, is_superuser
            if not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
            user.save()
            if group_name:
                user.groups.add(Group.objects.get(name=group_name))
        self.stdout.write(f"\nDemo staff accounts (password for each: {DEMO_PASSWORD}):")
        for username, role, *_ in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<8} {role}")
