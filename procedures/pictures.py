"""Pictures in procedure content: checked, cleaned and stored once, by their SHA-256.

A content admin uploads a PNG, a JPEG or an SVG. `clean_picture` refuses what is not one of
those, is too large, or is too big to show, and returns the bytes that are kept:

- PNG and JPEG are decoded and encoded again, so nothing but the pixels is kept (no camera
  metadata, no location, nothing hidden after the image).
- SVG is parsed without entities or external references (defusedxml) and rebuilt from an
  allow-list of drawing elements and their presentation attributes: no scripts, styles, links,
  embedded images, fonts or foreign content. A `url(#id)` may point only inside the drawing.

`store_picture` keeps the cleaned bytes as a `PictureFile` (the same bytes are stored once).
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

from procedures.models import PictureFile

MAX_BYTES = 1024 * 1024  # what an upload may be, before and after cleaning
MAX_SIDE = 4000  # pixels, for PNG and JPEG
JPEG_QUALITY = 85

SVG_NS = "http://www.w3.org/2000/svg"
DRAWING_ELEMENTS = {
    "svg",
    "g",
    "title",
    "desc",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "defs",
    "marker",
}
# Removed with everything inside them; any other element not in DRAWING_ELEMENTS is removed but its
# drawing children are kept (e.g. an <a> round a shape keeps the shape).
DROPPED_WITH_CONTENT = {"script", "style", "foreignObject", "image", "use", "metadata", "iframe", "object"}
PRESENTATION_ATTRIBUTES = {
    "id",
    "viewBox",
    "width",
    "height",
    "preserveAspectRatio",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "d",
    "points",
    "transform",
    "fill",
    "fill-opacity",
    "fill-rule",
    "clip-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "opacity",
    "font-size",
    "font-family",
    "font-weight",
    "font-style",
    "text-anchor",
    "dominant-baseline",
    "dx",
    "dy",
    "marker-start",
    "marker-mid",
    "marker-end",
    "refX",
    "refY",
    "markerWidth",
    "markerHeight",
    "markerUnits",
    "orient",
}
LOCAL_REFERENCE = re.compile(r"^url\(#[A-Za-z][\w.-]*\)$")
UNSAFE_VALUE = re.compile(r"(?i)(url\(|javascript:|expression\(|@import|<|>)")
LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$")


@dataclass(frozen=True)
class CleanPicture:
    data: bytes
    content_type: str
    width: int
    height: int


def refuse_if_too_large(size: int) -> None:
    """Refuse a file over MAX_BYTES, saying how large it is (the admin asks before reading an upload)."""
    if size > MAX_BYTES:
        raise ValidationError(
            f"The picture is {size / 1024 / 1024:.1f} MB; the most is {MAX_BYTES // 1024 // 1024} MB. "
            "Save it smaller (fewer pixels, or as a JPEG) and upload it again."
        )


def clean_picture(data: bytes, name: str = "") -> CleanPicture:
    """The picture as it will be kept, or a ValidationError that says what to do instead."""
    if not data:
        raise ValidationError("The file is empty. Choose a PNG, JPEG or SVG picture.")
    refuse_if_too_large(len(data))
    head = data[:512].lstrip()
    if head.startswith((b"<svg", b"<?xml", b"<!--", b"<!DOCTYPE svg")) or name.lower().endswith(".svg"):
        picture = _clean_svg(data)
    else:
        picture = _clean_bitmap(data)
    if len(picture.data) > MAX_BYTES:
        raise ValidationError("The picture is too large once cleaned. Save it with fewer pixels and try again.")
    return picture


def store_picture(data: bytes, name: str = "") -> PictureFile:
    """Clean the picture and keep it; the same picture uploaded twice is kept once."""
    picture = clean_picture(data, name)
    sha256 = hashlib.sha256(picture.data).hexdigest()
    existing = PictureFile.objects.filter(sha256=sha256).first()
    if existing:
        return existing
    return PictureFile.objects.create(
        sha256=sha256,
        content_type=picture.content_type,
        data=picture.data,
        width=picture.width,
        height=picture.height,
    )


def _clean_bitmap(data: bytes) -> CleanPicture:
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            if kind not in ("PNG", "JPEG"):
                raise ValidationError(f"This is a {kind or 'kind of'} file. Upload a PNG, JPEG or SVG picture instead.")
            width, height = image.size
            if max(width, height) > MAX_SIDE:
                raise ValidationError(
                    f"The picture is {width}×{height} pixels; the most is {MAX_SIDE} on a side. Make it smaller."
                )
            image.load()
            out = io.BytesIO()
            if kind == "PNG":
                image.save(out, format="PNG", optimize=True)
            else:
                image.convert("RGB").save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            "This file is not a picture we can read. Upload a PNG, JPEG or SVG picture instead."
        ) from error
    content_type = "image/png" if kind == "PNG" else "image/jpeg"
    return CleanPicture(out.getvalue(), content_type, width, height)


def _clean_svg(data: bytes) -> CleanPicture:
    try:
        root = fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as error:
        raise ValidationError(
            "This SVG file cannot be read (it is not well-formed, or it uses entities or a DTD). Save it again "
            "from your drawing program as plain SVG."
        ) from error
    if _local_name(root.tag) != "svg" or _namespace(root.tag) not in ("", SVG_NS):
        raise ValidationError("This file is not an SVG drawing. Upload a PNG, JPEG or SVG picture instead.")
    width, height = _size(root)
    clean = Element("svg", xmlns=SVG_NS)  # children unqualified: they inherit the default namespace
    _copy_attributes(root, clean)
    clean.set("width", _number(width))
    clean.set("height", _number(height))
    _copy_children(root, clean)
    if not any(_local_name(element.tag) not in ("title", "desc", "defs") for element in clean):
        raise ValidationError("This SVG has no drawing in it that can be shown. Check the file and try again.")
    text = tostring(clean, encoding="unicode")
    return CleanPicture(text.encode(), "image/svg+xml", round(width), round(height))


def _size(root: Element) -> tuple[float, float]:
    """The drawing's size from its width and height, or its viewBox; refused when it has neither."""
    width, height = (LENGTH.match(root.get(name, "")) for name in ("width", "height"))
    if width and height:
        return float(width[1]), float(height[1])
    parts = (root.get("viewBox") or "").replace(",", " ").split()
    if len(parts) == 4:
        try:
            box_width, box_height = float(parts[2]), float(parts[3])
        except ValueError:
            box_width = box_height = 0
        if box_width > 0 and box_height > 0:
            return box_width, box_height
    raise ValidationError(
        "This SVG has no size: give its <svg> a viewBox (or a width and height in pixels) and upload it again."
    )


def _copy_children(source: Element, target: Element) -> None:
    if source.text and source.text.strip() and _local_name(target.tag) in ("text", "tspan", "title", "desc"):
        target.text = source.text
    for child in source:
        if not isinstance(child.tag, str):  # a comment or processing instruction
            continue
        name = _local_name(child.tag)
        if _namespace(child.tag) not in ("", SVG_NS) or name in DROPPED_WITH_CONTENT:
            continue
        if name in DRAWING_ELEMENTS and name != "svg":
            copy = SubElement(target, name)
            _copy_attributes(child, copy)
            _copy_children(child, copy)
            if child.tail and child.tail.strip() and _local_name(target.tag) in ("text", "tspan"):
                copy.tail = child.tail
        else:
            _copy_children(child, target)


def _copy_attributes(source: Element, target: Element) -> None:
    for name, value in source.attrib.items():
        if name.startswith("{") or name not in PRESENTATION_ATTRIBUTES:
            continue  # namespaced (xlink:href, ...), event handlers, style, class, href
        if UNSAFE_VALUE.search(value) and not LOCAL_REFERENCE.match(value.strip()):
            continue
        target.set(name, value)


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"
