"""Who may use which staff page: the one place per-role access is decided.

Views reuse these helpers rather than checking groups themselves, so a change
to who counts as a nurse happens here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from procedures.roles import CLINICIANS, CONTENT_ADMINS, NURSES


def is_nurse(user) -> bool:
    """A nurse works with patients' requests: members of the Nurses group, and superusers."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=NURSES).exists()


def is_clinician(user) -> bool:
    """A clinician obtains consent and countersigns it: members of the Clinicians group, and superusers."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=CLINICIANS).exists()


def uses_staff_workspace(user) -> bool:
    """Who may open the patients' requests under /staff/: nurses, clinicians and superusers."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name__in=[NURSES, CLINICIANS]).exists()


def is_content_admin(user) -> bool:
    """A content admin edits procedure content: members of the Content admins group, and superusers."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=CONTENT_ADMINS).exists()


def is_verified(user) -> bool:
    """Signed in with both steps: the password, then a code (django-otp's middleware adds `is_verified`)."""
    check = getattr(user, "is_verified", None)
    return bool(user.is_authenticated and check is not None and check())


def redirect_to_second_step(request: HttpRequest) -> HttpResponse:
    """To the code step of signing in (or its set-up), coming back here after."""
    return redirect(f"{reverse('two_factor')}?{urlencode({'next': request.get_full_path()})}")


def two_step_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Any staff page: signed in with the password and the second step."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_verified(request.user):
            return redirect_to_second_step(request)
        return view(request, *args, **kwargs)

    return wrapper


def _staff_page(
    view: Callable[..., HttpResponse], *, allowed: Callable[[object], bool], for_whom: str
) -> Callable[..., HttpResponse]:
    """A staff page for whom `allowed` admits: signed out, to sign in (and back); others, a 403 naming `for_whom`.

    Signing in takes both steps: someone who gave the password but not yet the
    code goes to the code step, then comes back.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_verified(request.user):
            return redirect_to_second_step(request)
        if not allowed(request.user):
            return render(request, "staff/forbidden.html", {"for_whom": for_whom}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def nurse_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The staff workspace: nurses, and clinicians, who work with the same requests (`uses_staff_workspace`)."""
    return _staff_page(view, allowed=uses_staff_workspace, for_whom="nurses")


def clinician_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only clinicians (and superusers): a nurse who isn't one gets the 403 page."""
    return _staff_page(view, allowed=is_clinician, for_whom="clinicians")
