"""The records archive (/staff/records/): every decided consent, with filters, a search and a CSV export.

The filters go in the URL, so a view can be bookmarked; the search (a name or a record number)
never does: it is posted, kept in the session as the dashboard keeps its own, and applies to the
pages and the export its result links to (they carry "searching=1", never the search).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.access import nurse_required
from config.client_ip import client_ip
from consent.exports import record_archive_export
from staff import archive
from staff.archive_forms import URL_FIELDS, ArchiveFilterForm

SEARCH_SESSION_KEY = "records_search"
NOTHING_TO_EXPORT = "No records match these filters, so there is nothing to export."
FIX_BEFORE_EXPORT = "Some filters couldn't be used, so nothing was exported. Fix them above and export again."
BAD_PAGE_LINK = "That page link couldn't be read, so this shows the newest records that match."
PAST_THE_END = "No records lie beyond that page any more, so this shows the newest records that match."


def _url_params(query) -> dict[str, str]:
    params = {name: query[name] for name in URL_FIELDS if query.get(name)}
    if query.get("searching"):
        params["searching"] = "1"
    return params


def _archive_url(params: dict[str, str]) -> str:
    return reverse("staff:records") + (f"?{urlencode(params)}" if params else "")


def _filter_form(request: HttpRequest, *, searching: bool) -> ArchiveFilterForm:
    data = {name: request.GET[name] for name in URL_FIELDS if name in request.GET}
    data["q"] = request.session.get(SEARCH_SESSION_KEY, "") if searching else ""
    form = ArchiveFilterForm(data)
    form.is_valid()
    return form


@never_cache
@nurse_required
def records(request: HttpRequest) -> HttpResponse:
    """Every signed, declined, withdrawn and staff-recorded consent, newest decision first, 50 a page.

    A bad filter value shows its error beside the field and is ignored (the others still apply).
    A page link that can't be read, or leads past the end, shows the newest page and says so.
    """
    if request.method == "POST":
        search = " ".join(request.POST.get("q", "").split())[:200]
        request.session[SEARCH_SESSION_KEY] = search
        params = {name: request.POST[name] for name in URL_FIELDS if request.POST.get(name)}
        if search:
            params["searching"] = "1"  # not the search itself: that stays in the session
        return redirect(_archive_url(params))
    searching = "searching" in request.GET and "clear" not in request.GET
    if not searching:
        # A search applies to the pages it led to (their links keep "searching"), not to the next visit.
        request.session.pop(SEARCH_SESSION_KEY, None)
        if "clear" in request.GET:
            return redirect("staff:records")
    form = _filter_form(request, searching=searching)
    rows = archive.archive_rows(form.filters())
    page_problem = ""
    older = newer = None
    if request.GET.get("older") or request.GET.get("newer"):
        older = archive.Key.parse(request.GET.get("older", "")) if request.GET.get("older") else None
        newer = archive.Key.parse(request.GET.get("newer", "")) if request.GET.get("newer") else None
        if older is None and newer is None:
            page_problem = BAD_PAGE_LINK
    page = archive.page_of(rows, older=older, newer=newer)
    if not page.rows and (older or newer):
        page_problem = PAST_THE_END
        older = newer = None
        page = archive.page_of(rows)
    params = _url_params(request.GET)
    search = form.filters().search
    rows_shown = list(archive.shown_rows(page.rows))
    return render(
        request,
        "staff/records.html",
        {
            "form": form,
            "rows": rows_shown,
            "rows_html": archive.rows_html(rows_shown),
            "newest_url": _archive_url(params) if (older or newer) else "",
            "newer_url": _archive_url(params | {"newer": str(page.newer)}) if page.newer else "",
            "older_url": _archive_url(params | {"older": str(page.older)}) if page.older else "",
            "export_url": reverse("staff:records_export") + (f"?{urlencode(params)}" if params else ""),
            "page_problem": page_problem,
            "is_filtered": bool(form.url_filters() or search),
            "searching": bool(search),
            "first_page": not (older or newer),
        },
    )


@never_cache
@nurse_required
@require_GET
def records_export(request: HttpRequest) -> HttpResponse:
    """The archive's rows with the same filters (and search) as a CSV file, streamed, and audited.

    Nothing is exported while a filter is bad, nor when no record matches: the nurse goes back to
    the archive, filters kept, with a plain message (and no audit event: nothing left the system).
    """
    searching = "searching" in request.GET
    form = _filter_form(request, searching=searching)
    back = _archive_url(_url_params(request.GET))
    if form.errors:
        messages.warning(request, FIX_BEFORE_EXPORT)
        return redirect(back)
    filters = form.filters()
    # The rows decided up to now: the count audited is the count streamed (later ones wait for the next export).
    rows = archive.archive_rows(filters).filter(decided_at__lte=timezone.now())
    count = rows.count()
    if not count:
        messages.info(request, NOTHING_TO_EXPORT)
        return redirect(back)
    record_archive_export(
        user=request.user,
        filters=form.url_filters(),
        searched=bool(filters.search),
        row_count=count,
        ip=client_ip(request),
    )
    response = StreamingHttpResponse(archive.csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="proceed-records-{timezone.localdate():%Y-%m-%d}.csv"'
    return response
