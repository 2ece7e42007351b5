"""The webhooks in the admin, for superusers only: endpoints, and their deliveries and attempts (read-only).

An endpoint's secret is shown once, on the page after registering it, and never again. A disabled
endpoint says why on its list and its page; ticking "Active" (or the list's action) re-enables it.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.html import format_html

from integrations import webhooks
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent


class SuperuserOnly:
    """Only superusers see these pages (content admins don't: an endpoint gets events about patients)."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False  # an endpoint is switched off (untick "Active"); deliveries and attempts are the log


class ReadOnly(SuperuserOnly):
    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label="URL", max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label="Events", choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple, required=True
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("url", "description", "event_types", "active")
        help_texts = {
            "url": "The receiver's https address. Private and internal addresses are refused (server-side "
            "request forgery) unless PROCEED_WEBHOOKS_ALLOW_PRIVATE is set.",
            "active": "Untick to stop sending; tick again to re-enable a disabled endpoint (what waited is sent then).",
        }

    def clean_url(self):
        url = self.cleaned_data["url"]
        if self.instance.pk is None or url != self.instance.url:
            try:
                webhooks.check_endpoint_url(url)
            except webhooks.UnsafeEndpoint as refusal:
                raise ValidationError(str(refusal)) from refusal
        return url


def endpoint_state(endpoint: WebhookEndpoint) -> str:
    if endpoint.active:
        return "Active"
    if endpoint.disabled_reason:
        return f"Disabled because: {endpoint.disabled_reason}"
    return "Switched off"


@admin.action(description="Re-enable the selected endpoints (and send what waited)")
def reenable(modeladmin, request, queryset):
    for endpoint in queryset.filter(active=False):
        webhooks.reenable_endpoint(endpoint=endpoint, user=request.user)
    modeladmin.message_user(request, "Re-enabled.", messages.SUCCESS)


class WebhookEndpointAdmin(SuperuserOnly, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("__str__", "url", "description", "events", "state", "created_at")
    readonly_fields = ("state", "consecutive_failures", "created_by", "created_at")
    actions = [reenable]

    @admin.display(description="Events")
    def events(self, endpoint):
        return ", ".join(endpoint.event_types)

    @admin.display(description="State")
    def state(self, endpoint):
        return endpoint_state(endpoint)

    def get_fields(self, request, obj=None):
        fields = ["url", "description", "event_types", "active"]
        return fields if obj is None else ["state", *fields, "consecutive_failures", "created_by", "created_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["fields"] = ["url", "description", "event_types", "active"]
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            webhooks.change_endpoint(
                endpoint=obj,
                url=data["url"],
                description=data["description"],
                event_types=data["event_types"],
                active=data["active"],
                user=request.user,
            )
            obj.refresh_from_db()
        else:
            endpoint, secret = webhooks.register_endpoint(
                url=data["url"], description=data["description"], event_types=data["event_types"], user=request.user
            )
            if not data["active"]:
                webhooks.change_endpoint(
                    endpoint=endpoint,
                    url=endpoint.url,
                    description=endpoint.description,
                    event_types=endpoint.event_types,
                    active=False,
                    user=request.user,
                )
            obj.pk = endpoint.pk
            obj.refresh_from_db()
            request._webhook_secret = secret  # shown once, by response_add

    def save_related(self, request, form, formsets, change):
        pass  # no related objects; the services saved everything

    def log_addition(self, request, obj, message):
        pass  # audited on the audit chain by the service

    def log_change(self, request, obj, message):
        pass  # audited on the audit chain by the service

    def response_add(self, request, obj, post_url_continue=None):
        """The secret, once: it isn't shown anywhere else (the receiver needs it to check signatures)."""
        context = {
            **self.admin_site.each_context(request),
            "title": "Webhook endpoint registered",
            "opts": self.opts,
            "endpoint": obj,
            "secret": request._webhook_secret,
        }
        response = TemplateResponse(request, "admin/integrations/webhookendpoint/secret.html", context)
        response["Cache-Control"] = "no-store"
        return response


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ("attempted_at", "status_code", "error", "duration_ms")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class WebhookDeliveryAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("event_id", "event_type", "endpoint", "status", "attempts", "created_at", "next_attempt_at")
    list_filter = ("status", "event_type")
    fields = ("event_id", "event_type", "endpoint", "status", "attempts", "created_at", "next_attempt_at", "body")
    readonly_fields = fields
    inlines = [WebhookAttemptInline]

    @admin.display(description="Payload")
    def body(self, delivery):
        return format_html("<pre>{}</pre>", json.dumps(delivery.payload, indent=2))


class WebhookAttemptAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("delivery", "attempted_at", "status_code", "error", "duration_ms")
    list_filter = ("status_code",)
    fields = ("delivery", "attempted_at", "status_code", "error", "duration_ms")
    readonly_fields = fields


admin.site.register(WebhookEndpoint, WebhookEndpointAdmin)
admin.site.register(WebhookDelivery, WebhookDeliveryAdmin)
admin.site.register(WebhookAttempt, WebhookAttemptAdmin)
