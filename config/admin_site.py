"""The admin site, open only to staff who signed in with both steps (password, then a code).

Installed as Django's default admin site by `config.apps.ProceedAdminConfig`,
so every `admin.site.register` and `admin_view` in the project uses it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse

from accounts.access import is_verified


class ProceedAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and is_verified(request.user)

    def login(self, request, extra_context=None):
        """Staff sign in through the site's own sign-in (lockout, two steps), then come back here."""
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
        if not request.user.is_authenticated:
            return redirect_to_login(next_url)
        if not is_verified(request.user):
            return redirect(f"{reverse('two_factor')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")
        # Signed in with both steps but not admin staff: the admin's own page says so.
        return super().login(request, extra_context)
