"""Security middleware: private responses and CSRF for the patient link.

Two pieces, both keyed on the URL path:

- `PrivateResponseMiddleware` keeps every page and file out of browser and
  proxy caches (they show health data: the patient journey, the staff pages,
  the admin, the PDFs), except the static files, and tells browsers never to
  send a patient's link to anyone as a Referer.
- `PatientLinkCsrfViewMiddleware` is Django's CSRF middleware with one
  allowance for the patient journey under /c/, whose pages are served with
  `Referrer-Policy: no-referrer`; see its docstring.
"""

from __future__ import annotations

from django.conf import settings
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.cache import add_never_cache_headers

PATIENT_PATH_PREFIX = "/c/"
# The patient's link is the only key to their case, so no page under /c/ may
# ever send it to another site, or even to another page of ours.
PATIENT_REFERRER_POLICY = "no-referrer"


def is_patient_path(request) -> bool:
    """Whether the request is for the patient journey (/c/<token>/...)."""
    return request.path_info.startswith(PATIENT_PATH_PREFIX)


def is_static_path(request) -> bool:
    return request.path.startswith(settings.STATIC_URL)


# Procedure content's pictures (journey.pictures): public, named by their hash, cached for good.
PICTURES_PATH_PREFIX = "/pictures/"


def is_cacheable(request, response) -> bool:
    """A static file, or a picture found: the same for everyone, and never about a patient."""
    return is_static_path(request) or (
        request.path_info.startswith(PICTURES_PATH_PREFIX) and response.status_code == 200
    )


class PrivateResponseMiddleware:
    """No cache keeps a copy of any response but a static file or a picture; no patient page sends a Referer.

    By path, and for every path but the static files (rather than a list of
    the areas that show health data), so that a new page is private unless
    someone decides otherwise. A shared computer's back button or a
    corporate proxy must not show a patient's answers to the next person.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not is_cacheable(request, response):
            add_never_cache_headers(response)  # Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private
            response["Pragma"] = "no-cache"  # for HTTP/1.0 caches
        if is_patient_path(request):
            # Also on responses that don't come from a journey view (a CSRF failure, a 404).
            response["Referrer-Policy"] = PATIENT_REFERRER_POLICY
        return response


class PatientLinkCsrfViewMiddleware(CsrfViewMiddleware):
    """Django's CSRF protection, accepting the patient journey's own posts under `no-referrer`.

    A page served with `Referrer-Policy: no-referrer` makes the browser post its
    forms with `Origin: null` and no Referer. Django refuses both: a null
    Origin never matches, and over HTTPS a post without Origin must carry a
    same-site Referer. For paths under /c/ only:

    - `Origin: null` counts as no Origin at all, and
    - a missing Referer is allowed over HTTPS (a Referer that is present is
      still checked).

    The CSRF token in the form must still match the CSRF cookie, and the
    cookie is SameSite=Lax, so a post from another site (including a
    sandboxed frame, which also sends `Origin: null`) arrives without the
    cookie and is refused. Django's HTTPS Referer check guards against a
    man-in-the-middle on plain HTTP planting a CSRF cookie; in production
    the cookie is `__Host-`-prefixed and the site uses HSTS, which stop
    that. Every other path gets Django's checks unchanged.
    """

    def process_view(self, request, callback, callback_args, callback_kwargs):
        if not (is_patient_path(request) and request.META.get("HTTP_ORIGIN") == "null"):
            return super().process_view(request, callback, callback_args, callback_kwargs)
        origin = request.META.pop("HTTP_ORIGIN")
        try:
            return super().process_view(request, callback, callback_args, callback_kwargs)
        finally:
            request.META["HTTP_ORIGIN"] = origin

    def _check_referer(self, request):
        if is_patient_path(request) and "HTTP_REFERER" not in request.META:
            return
        super()._check_referer(request)
