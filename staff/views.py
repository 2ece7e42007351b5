"""The nurses' pages under /staff/.

Views stay thin: they check access (`accounts.access`), validate the form and
call `consent.services`, which make every change and write the audit trail.
"""

from __future__ import annotations

import datetime
import logging
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts.access import nurse_required
from config.client_ip import client_ip
from consent import services
from procedures.models import Procedure
from procedures.services import overdue_reviews
from staff import dashboard
from staff.case_views import hand_out_link
from staff.dashboard_forms import DashboardFilterForm
from staff.forms import NewRequestForm

logger = logging.getLogger(__name__)


SEARCH_SESSION_KEY = "dashboard_search"
URL_FILTERS = ("start", "end", "status", "flag", "mine")


@never_cache
@nurse_required
def index(request: HttpRequest) -> HttpResponse:
    """The dashboard: appointments in a date range, with consent status, checklist progress and flags.

    A bad filter value shows its error beside the field and is ignored; bad
    dates fall back to today and the next seven days. A page number out of
    range shows the last page, a non-number the first.

    The filter form is posted: a search term may be a patient's name or record
    number, so it is kept in the session, never in a URL (and so never in an
    access log or the browser's history). The other filters go in the URL.
    """
    if request.method == "POST":
        search = " ".join(request.POST.get("q", "").split())[:200]
        request.session[SEARCH_SESSION_KEY] = search
        params = {name: request.POST[name] for name in URL_FILTERS if request.POST.get(name)}
        if search:
            params["searching"] = "1"  # not the search itself: that stays in the session
        return redirect(reverse("staff:index") + (f"?{urlencode(params)}" if params else ""))
    if "clear" in request.GET or "searching" not in request.GET:
        # A search applies to the result pages it led to (their links keep "searching"), not to the next
        # visit: coming back to the dashboard any other way shows it unsearched.
        request.session.pop(SEARCH_SESSION_KEY, None)
        if "clear" in request.GET:
            return redirect("staff:index")
    data = {name: request.GET[name] for name in URL_FILTERS if name in request.GET}
    data["q"] = request.session.get(SEARCH_SESSION_KEY, "")
    form = DashboardFilterForm(data)
    form.is_valid()
    start, end = form.date_range()
    now = timezone.now()
    mine = request.GET.get("mine") == "1"
    rows = dashboard.dashboard_rows(
        start=start, end=end, now=now, assigned_to=request.user if mine else None, **form.filters()
    )
    page = Paginator(rows, dashboard.PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = dashboard.prepare_rows(page.object_list, now)
    return render(
        request,
        "staff/index.html",
        {
            "form": form,
            "page": page,
            "rows_html": dashboard.rows_html(page.object_list),
            "start": start,
            "end": end,
            "is_filtered": any(form.filters().values()),
            "searching": bool(form.filters().get("search")),
            "mine": mine,
            "dates_fell_back": "start" in form.errors or "end" in form.errors,
            "overdue_reviews": overdue_reviews(),
        },
    )


@never_cache
@nurse_required
def new_request(request: HttpRequest) -> HttpResponse:
    """Create a request and show its link once.

    The result page is the POST response itself: the token is never put in a
    redirect, the session or a log, so it exists only on this page (and in the
    email, if one is sent). The database keeps only its hash.
    """
    if request.method != "POST":
        return render(request, "staff/new_request.html", {"form": NewRequestForm()})

    form = NewRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "staff/new_request.html", {"form": form})
    data = form.cleaned_data
    user, ip = request.user, client_ip(request)
    try:
        with transaction.atomic():
            patient = services.find_or_create_patient(
                mrn=data["mrn"],
                full_name=data["full_name"],
                date_of_birth=data["date_of_birth"],
                email=data["email"],
                phone=data["phone"],
                preferred_language=data["preferred_language"],
                could_be_pregnant=data.get("could_be_pregnant", ""),
                user=user,
                ip=ip,
            )
            consent_request, token = services.create_consent_request(
                patient=patient,
                procedure=data["procedure"],
                appointment_at=data["appointment_at"],
                clinician=data["clinician"],
                created_by=user,
                ip=ip,
                confirm_another=data["confirm_another"],
            )
    except services.AnotherOpenRequest as error:
        form = NewRequestForm(request.POST, offer_another=True)
        form.is_valid()
        form.add_error(None, str(error))
        return render(request, "staff/new_request.html", {"form": form})
    except services.ConsentError as error:
        form.add_error(None, str(error))
        return render(request, "staff/new_request.html", {"form": form})

    return hand_out_link(
        request,
        consent_request=consent_request,
        token=token,
        send_email=data["send_email"],
        template="staff/request_created.html",
    )


@never_cache
@nurse_required
def day_list(request: HttpRequest) -> HttpResponse:
    """One day's appointments as a list to print (black and white): time, patient, record number,
    procedure, consent status, checklist and flags. A bad date shows today, and says so."""
    day, bad_date = timezone.localdate(), False
    if request.GET.get("date"):
        try:
            day = datetime.date.fromisoformat(request.GET["date"])
        except ValueError:
            bad_date = True
    now = timezone.now()
    rows = dashboard.prepare_rows(list(dashboard.dashboard_rows(start=day, end=day, now=now)), now)
    return render(request, "staff/day_list.html", {"day": day, "rows": rows, "bad_date": bad_date})


@nurse_required
def procedures(request: HttpRequest) -> HttpResponse:
    """The published procedures, for nurses to read (content admins edit them in the admin)."""
    published = Procedure.objects.filter(versions__isnull=False).distinct().prefetch_related("versions")
    return render(request, "staff/procedures.html", {"procedures": published})


@nurse_required
def procedure(request: HttpRequest, slug: str) -> HttpResponse:
    """The current published version of one procedure, read-only, with its version history."""
    found = get_object_or_404(Procedure, slug=slug)
    versions = list(found.versions.select_related("published_by"))
    if not versions:
        raise Http404("This procedure has not been published.")
    return render(request, "staff/procedure.html", {"procedure": found, "version": versions[0], "versions": versions})
