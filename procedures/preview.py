"""Preview a procedure's working copy as a patient would see it (being written)."""

from django.http import Http404


def preview_procedure(request, pk, step="welcome"):
    raise Http404("Preview is not available yet.")
