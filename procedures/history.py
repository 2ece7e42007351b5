"""Every edit to a procedure's working copy (being written)."""

from django.http import Http404


def content_history(request, pk):
    raise Http404("Content history is not available yet.")
