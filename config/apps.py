from django.contrib.admin.apps import AdminConfig


class ProceedAdminConfig(AdminConfig):
    """Django's admin, with Proceed's admin site (two-step sign-in required) as the default site.

    Also where the project's own deployment checks are registered (config.checks): the config
    package has no app of its own, and this one is always installed."""

    default_site = "config.admin_site.ProceedAdminSite"

    def ready(self):
        super().ready()
        from config import checks  # noqa: F401 (registers the checks; the app registry is ready now)
