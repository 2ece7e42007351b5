"""Who may use which staff page: the one place per-role access is decided.

Views reuse these helpers rather than checking groups themselves, so a change
to who counts as a nurse happens here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from procedures.roles import CONTENT_ADMINS, NURSES


def is_nurse(user) -> bool:
    """A nurse works with patients' requests: members of the Nurses group, and superusers."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=NURSES).exists()


def is_content_admin(user) -> bool:
    """A content admin edits procedure content: members of the Content admins group, and superusers."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=CONTENT_ADMINS).exists()


def nurse_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only nurses: anyone signed out goes to sign in (and comes back); other staff get a 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_nurse(request.user):
            return render(request, "staff/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper
