"""`manage.py check --deploy`: what a real deployment needs that Django's own checks don't know.

Registered by config.apps (the only AppConfig this package has). Each is a warning, not an error,
so a one-box trial can go ahead, but every real deployment should clear them.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.checks import Tags, Warning, register

LOCAL_MEMORY = "django.core.cache.backends.locmem.LocMemCache"


@register(Tags.caches, Tags.security, deploy=True)
def shared_cache(app_configs, **kwargs):
    if settings.CACHES["default"]["BACKEND"] != LOCAL_MEMORY:
        return []
    return [
        Warning(
            "No shared cache: the limits on date-of-birth checks and staff sign-ins count separately in "
            "each server process, so they allow several times as many tries as set.",
            hint="Set REDIS_URL (for example redis://127.0.0.1:6379/0) on every app server.",
            id="proceed.W001",
        )
    ]


@register(Tags.security, deploy=True)
def rendering_outside_requests(app_configs, **kwargs):
    if settings.PROCEED_TASK_BACKEND != "immediate":
        return []
    return [
        Warning(
            "Signed PDFs are rendered inside the patient's signing request (PROCEED_TASK_BACKEND=immediate): "
            "signing waits seconds for the PDF, and a busy server slows every patient.",
            hint="Leave PROCEED_TASK_BACKEND unset (database) and run `manage.py proceed_worker`.",
            id="proceed.W002",
        )
    ]


@register(Tags.security, deploy=True)
def emergency_number(app_configs, **kwargs):
    if os.environ.get("PROCEED_EMERGENCY_NUMBER", "").strip():
        return []
    return [
        Warning(
            f"Patients are told to call {settings.EMERGENCY_NUMBER} in an emergency: the default, for the "
            "American sample content.",
            hint="Set PROCEED_EMERGENCY_NUMBER to your country's emergency number, and PROCEED_CLINIC_PHONE and "
            "PROCEED_OUT_OF_HOURS_PHONE to your own.",
            id="proceed.W003",
        )
    ]
