"""Staff accounts: signing in (password, then a code from an authenticator app), its set-up,
recovery codes, changing the password, and what a locked-out sign-in sees.

Signing in is two steps. The password step (Django's LoginView, watched by
django-axes) signs the user in; until the second step is passed the session is
"unverified", and every staff page (`accounts.access`, the admin site) sends it
to the code step. A user without an authenticator is walked through setting
one up first. Each step starts a new session id.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_ratelimit.core import get_usage

from accounts import two_factor
from accounts.access import is_verified, two_step_required
from accounts.forms import ConfirmAuthenticatorForm, SecondStepForm, SignInForm, StaffProfileForm
from accounts.models import profile_of

RATE_LIMIT_GROUP_SIGN_IN = "staff-sign-in-failures"
SHOW_RECOVERY_CODES_KEY = "show_new_recovery_codes"


def safe_next(request: HttpRequest, default: str | None = None) -> str:
    """Where to go after this step: `next` if it is on this site, else the default (the start page)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default or resolve_url(settings.LOGIN_REDIRECT_URL)


def with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def minutes(count: int) -> str:
    return ngettext("%(count)s minute", "%(count)s minutes", count) % {"count": count}


def too_many_codes(wait_seconds: int) -> str:
    return ngettext(
        "Too many wrong codes. Please wait %(count)s second, then type the code your app shows at that moment.",
        "Too many wrong codes. Please wait %(count)s seconds, then type the code your app shows at that moment.",
        wait_seconds,
    ) % {"count": wait_seconds}


def _sign_in_rate(group, request) -> str:
    return f"{settings.PROCEED_SIGN_IN_FAILURES_PER_IP}/{settings.PROCEED_RATE_LIMIT_MINUTES}m"


def _too_many_failures_from_here(request: HttpRequest, *, count_this_one: bool) -> bool:
    usage = get_usage(
        request,
        group=RATE_LIMIT_GROUP_SIGN_IN,
        key="config.client_ip.ratelimit_key",
        rate=_sign_in_rate,
        method="POST",
        increment=count_this_one,
    )
    return usage is not None and usage["count"] >= usage["limit"]


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
@method_decorator(never_cache, name="dispatch")
class SignInView(auth_views.LoginView):
    """The password step. django-axes locks a username on one connection after repeated failures;
    on top of that, one connection that fails many times across usernames is slowed down."""

    template_name = "registration/login.html"
    authentication_form = SignInForm

    def get(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_verified(request.user):
            return redirect(with_next("two_factor", safe_next(request)))
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if _too_many_failures_from_here(request, count_this_one=False):
            return too_many_sign_in_attempts(request)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        _too_many_failures_from_here(self.request, count_this_one=True)
        return super().form_invalid(form)

    def get_success_url(self):
        # Django's login() has just given the session a new id; now the second step.
        return with_next("two_factor", super().get_success_url())


def too_many_sign_in_attempts(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "account/too_many_attempts.html",
        {"wait": minutes(settings.PROCEED_RATE_LIMIT_MINUTES)},
        status=429,
    )


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' lockout page (AXES_LOCKOUT_CALLABLE): plain words, in the site's own look."""
    return render(
        request,
        "account/locked_out.html",
        {"wait": minutes(settings.PROCEED_SIGN_IN_LOCKOUT_MINUTES)},
        status=429,
    )


@never_cache
def second_step(request: HttpRequest) -> HttpResponse:
    """After the password: the code from the authenticator app, or a recovery code."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    next_url = safe_next(request)
    if is_verified(request.user):
        return redirect(next_url)
    if not two_factor.has_second_factor(request.user):
        return redirect(with_next("two_factor_setup", next_url))
    form = SecondStepForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = two_factor.check_code(request=request, code=form.cleaned_data["code"])
        if result.ok:
            if result.device.persistent_id.startswith("otp_static."):
                left = two_factor.recovery_codes_left(request.user)
                messages.warning(
                    request,
                    gettext(
                        "You used a recovery code; each works only once. You have %(left)s left. "
                        "Make new ones from the start page if you are running low."
                    )
                    % {"left": left},
                )
            return redirect(next_url)
        if result.wait_seconds:
            form.add_error(None, too_many_codes(result.wait_seconds))
        else:
            form.add_error(
                "code",
                gettext(
                    "That code didn't work. Type the 6-digit code your app shows now, or one of your recovery codes."
                ),
            )
    return render(request, "account/second_step.html", {"form": form, "next": next_url})


@never_cache
def set_up_authenticator(request: HttpRequest) -> HttpResponse:
    """First sign-in: link an authenticator app (QR code or typed key), proven by one code from it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    next_url = safe_next(request)
    if two_factor.has_second_factor(request.user):
        # An authenticator is already set up: only its owner's code gets in (no second one on a password alone).
        return redirect(with_next("two_factor", next_url))
    device = two_factor.authenticator_to_set_up(request.user)
    form = ConfirmAuthenticatorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = two_factor.confirm_authenticator(request=request, device=device, code=form.cleaned_data["code"])
        if result.ok:
            request.session[SHOW_RECOVERY_CODES_KEY] = True
            return redirect(with_next("recovery_codes", next_url))
        if result.wait_seconds:
            form.add_error(None, too_many_codes(result.wait_seconds))
        else:
            form.add_error(
                "code",
                gettext(
                    "That code didn't match. Type the 6 digits your app shows for Proceed now (they change "
                    "every 30 seconds). If it keeps failing, check your phone sets its clock automatically."
                ),
            )
    return render(
        request,
        "account/set_up_authenticator.html",
        {
            "form": form,
            "next": next_url,
            "config_url": device.config_url,
            "manual_key": two_factor.manual_entry_key(device),
            "account_name": request.user.get_username(),
        },
    )


@never_cache
@two_step_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once: straight after set-up, or on request (which replaces the old ones)."""
    next_url = safe_next(request)
    just_set_up = request.session.pop(SHOW_RECOVERY_CODES_KEY, False)
    if request.method == "POST" or just_set_up:
        codes = two_factor.new_recovery_codes(request.user)
        return render(
            request,
            "account/recovery_codes.html",
            {"codes": [f"{code[:4]} {code[4:]}" for code in codes], "next": next_url, "just_set_up": just_set_up},
        )
    return render(
        request,
        "account/new_recovery_codes.html",
        {"next": next_url, "left": two_factor.recovery_codes_left(request.user)},
    )


@method_decorator(never_cache, name="dispatch")
@method_decorator(two_step_required, name="dispatch")
class ChangePasswordView(auth_views.PasswordChangeView):
    """Changing the password signs the user out everywhere else: Django ties each session to a hash
    of the password, and this view renews only the current session's (update_session_auth_hash)."""

    template_name = "account/change_password.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request,
            gettext(
                "Your password is changed. You are still signed in here; anywhere else you were signed in, "
                "you have been signed out."
            ),
        )
        return response


@never_cache
@two_step_required
def profile(request: HttpRequest) -> HttpResponse:
    """The member of staff's own job title and registration (what a countersignature records), kept here."""
    form = StaffProfileForm(request.POST or None, instance=profile_of(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("Your details are saved."))
        return redirect("profile")
    return render(request, "account/profile.html", {"form": form})
