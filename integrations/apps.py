from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """Talking to other systems: OAuth 2.0 clients and the API (`integrations.oauth`, `integrations.scheduling`),
    and signed event webhooks (`integrations.webhooks`)."""

    name = "integrations"
    verbose_name = "Integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Imported once the apps are ready (models can't load earlier): the webhooks listen to the
        # domain's signals, and their admin registers itself.
        from integrations import webhook_admin, webhooks  # noqa: F401

        webhooks.connect_signals()
