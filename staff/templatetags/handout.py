"""The patient's link as a QR code, drawn by the app (segno), never fetched from elsewhere."""

import segno
from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def qr_svg(link: str, label: str = "") -> str:
    label = label or gettext("QR code of the patient's personal link")
    qr = segno.make(link, error="m")
    svg = qr.svg_inline(scale=4, border=2, title=label)
    return mark_safe(svg)  # noqa: S308  segno's own SVG; the link is ours (base URL and URL-safe token)
