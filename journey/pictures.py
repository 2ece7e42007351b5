"""The pictures in procedure content, served by their SHA-256 to anyone who asks.

A picture is part of the information leaflet, not of anyone's record, and its address is its
content's hash: it can be cached for good, by the browser and by any proxy in between. An SVG is
sent with a policy that lets it run nothing and load nothing, as a second guard behind the
cleaning it had when it was uploaded (`procedures.pictures`).
"""

from __future__ import annotations

import re

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from procedures.models import PictureFile

NAME = re.compile(r"^(?P<sha256>[0-9a-f]{64})\.(?P<extension>png|jpg|svg)$")
ONE_YEAR = 365 * 24 * 60 * 60


@require_safe
def picture(request: HttpRequest, name: str) -> HttpResponse:
    match = NAME.match(name)
    file = PictureFile.objects.filter(sha256=match["sha256"]).first() if match else None
    if file is None or file.extension != match["extension"]:
        raise Http404("No such picture.")
    response = HttpResponse(bytes(file.data), content_type=file.content_type)
    response["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
