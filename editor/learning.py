"""The content admin's "What patients found hard" page: one published version's figures (consent.learning).

Reading figures changes nothing, so it writes no audit event.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext

from consent.learning import SMALLEST_SHOWN, version_figures
from procedures.models import Procedure


def learning_view(request: HttpRequest, pk: int, number: int | None = None) -> HttpResponse:
    """The current version's figures, or those of version `number`, with a link to every version."""
    if not request.user.has_perm("procedures.view_procedure"):
        raise PermissionDenied
    procedure = get_object_or_404(Procedure, pk=pk)
    versions = list(procedure.versions.order_by("-number").only("pk", "number", "published_at", "procedure_id"))
    if number is None:
        version = versions[0] if versions else None
    else:
        version = next((v for v in versions if v.number == number), None)
        if version is None:
            raise Http404(gettext("This procedure has no version %(number)s.") % {"number": number})
    if version is not None:
        version = procedure.versions.get(pk=version.pk)  # with its content, which the list left out
    context = {
        **admin.site.each_context(request),
        "title": gettext("What patients found hard"),
        "subtitle": procedure.name,
        "opts": Procedure._meta,
        "procedure": procedure,
        "versions": versions,
        "current_number": versions[0].number if versions else None,
        "version": version,
        "figures": version_figures(version) if version is not None else None,
        "smallest_shown": SMALLEST_SHOWN,
    }
    return TemplateResponse(request, "admin/procedures/procedure/learning.html", context)
