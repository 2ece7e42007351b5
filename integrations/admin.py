"""Integration clients in the admin: superusers only (content admins never see them).

A superuser adds an Application (client type confidential, grant "client credentials") with its
integration settings inline (allowed scopes, rate limit). The add page shows the generated client
secret once, to copy; it is stored hashed and can't be shown again (django-oauth-toolkit's form).
Access tokens are listed (masked) so one can be revoked; the authorization-code models are not
shown: Proceed only grants client credentials.
"""

from __future__ import annotations

from django.contrib import admin
from oauth2_provider import admin as dot_admin
from oauth2_provider.models import AccessToken, Application, Grant, IDToken, RefreshToken

from integrations.models import IntegrationClient


class SuperusersOnly:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, *args):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class IntegrationClientInline(SuperusersOnly, admin.StackedInline):
    model = IntegrationClient
    can_delete = False
    min_num = 1
    max_num = 1
    fields = ("allowed_scopes", "rate_limit_per_minute", "active", "description")


for model in (Application, AccessToken, Grant, IDToken, RefreshToken):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(Application)
class IntegrationApplicationAdmin(SuperusersOnly, dot_admin.ApplicationAdmin):
    inlines = [IntegrationClientInline]
    list_display = ("name", "client_id", "client_type", "authorization_grant_type", "created")
    list_filter = ("client_type", "authorization_grant_type")
    search_fields = ("name", "client_id")

    def get_changeform_initial_data(self, request):
        return {
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_CLIENT_CREDENTIALS,
            **super().get_changeform_initial_data(request),
        }

    def save_model(self, request, obj, form, change):
        obj.hash_client_secret = True  # never stored in clear
        super().save_model(request, obj, form, change)


@admin.register(AccessToken)
class IntegrationAccessTokenAdmin(SuperusersOnly, dot_admin.AccessTokenAdmin):
    pass
