"""Fetching the request a nurse's page is about: one getter, so every page loads it the same way."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from consent.models import ConsentRequest


def get_case(public_id) -> ConsentRequest:
    """The consent request with this public id, with what every staff page shows; 404 if there is none.
    (Every nurse may see every request: the role is checked by `accounts.access.nurse_required`.)"""
    return get_object_or_404(
        ConsentRequest.objects.select_related("patient", "procedure_version__procedure", "confirmed_by"),
        public_id=public_id,
    )
