from django.contrib.admin.apps import AdminConfig


class ProceedAdminConfig(AdminConfig):
    """Django's admin, with Proceed's admin site (two-step sign-in required) as the default site."""

    default_site = "config.admin_site.ProceedAdminSite"
