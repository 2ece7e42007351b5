"""Pictures in procedure content: cleaned on upload, kept with the versions that show them, shown to
patients (lazily, with their alt text in the patient's language) and printed in the PDFs."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from procedures.immutable import ImmutableRecordError
from procedures.models import Picture, PictureFile
from procedures.pictures import MAX_BYTES, clean_picture, store_picture
from procedures.services import PublishError, publish_procedure
from procedures.translations import available_languages
from records.pdf import consent_pdf_html, information_pdf_html, render_information_pdf
from records.render_limits import render_consent_pdf_with_limits
from tests.conftest import PATIENT_A, add_spanish, make_case, sign_case
from tests.test_content_history import change_url, form_data, save

DRAWING = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100">'
    b'<title>A needle</title><line x1="10" y1="10" x2="190" y2="90" stroke="#111" stroke-width="2"/></svg>'
)


def png(width=40, height=30, **info) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), "#3366cc")
    from PIL import PngImagePlugin

    metadata = PngImagePlugin.PngInfo()
    for key, value in info.items():
        metadata.add_text(key, value)
    image.save(out, format="PNG", pnginfo=metadata)
    return out.getvalue()


def jpeg_with_location() -> bytes:
    image = Image.new("RGB", (64, 48), "#cc6633")
    exif = Image.Exif()
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS: latitude
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def add_picture(procedure, data=DRAWING, **fields) -> Picture:
    defaults = {"section": "what_happens", "alt_text": "A drawing of the needle going into the lower back."}
    return Picture.objects.create(procedure=procedure, file=store_picture(data), **{**defaults, **fields})


def publish(procedure):
    return publish_procedure(procedure=procedure, published_by=None, change_summary="Pictures.", is_material=True)


# Cleaning ----------------------------------------------------------------------------------


def test_an_svg_keeps_its_drawing_and_loses_everything_that_could_run_or_load():
    hostile = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="120" height="80"
     onload="alert(1)" style="background:url(https://tracker.example/x.png)">
  <script>alert(document.cookie)</script>
  <style>circle { fill: url(https://tracker.example/y.png) }</style>
  <a xlink:href="javascript:alert(2)"><circle cx="40" cy="40" r="20" fill="#f00" onclick="alert(3)"/></a>
  <image href="https://tracker.example/z.png" width="10" height="10"/>
  <foreignObject width="10" height="10"><iframe src="https://evil.example"/></foreignObject>
  <use href="https://evil.example/sprite.svg#a"/>
  <rect x="1" y="1" width="5" height="5" fill="url(https://tracker.example/w.png)" marker-end="url(#arrow)"/>
  <text x="5" y="70" font-size="12">1</text>
</svg>"""

    picture = clean_picture(hostile, "drawing.svg")
    text = picture.data.decode()

    assert picture.content_type == "image/svg+xml"
    assert (picture.width, picture.height) == (120, 80)
    for gone in (
        "script",
        "alert",
        "style",
        "tracker.example",
        "evil.example",
        "onload",
        "onclick",
        "href",
        "foreignObject",
        "iframe",
        "<image",
        "<use",
        "<a ",
    ):
        assert gone not in text, gone
    assert '<circle cx="40" cy="40" r="20" fill="#f00"' in text  # the drawing inside the link is kept
    assert 'marker-end="url(#arrow)"' in text  # a reference inside the drawing is kept
    assert ">1</text>" in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>', "uses entities or a DTD"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><circle r='3'/>", "cannot be read"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><circle r='3'/></svg>", "has no size"),
        (b"<html xmlns='http://www.w3.org/1999/xhtml'><body/></html>", "not a picture we can read"),
        (b"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 9 9'><script>x</script></svg>", "no drawing"),
        (b"%PDF-1.7 not a picture", "not a picture we can read"),
        (b"GIF89a" + bytes(40), "Upload a PNG, JPEG or SVG"),
    ],
    ids=["empty", "entities", "broken", "no size", "html", "nothing to show", "pdf", "gif"],
)
def test_what_cannot_be_shown_is_refused_with_what_to_do(data, message):
    with pytest.raises(ValidationError) as refused:
        clean_picture(data)

    assert message in " ".join(refused.value.messages)


def test_an_html_file_named_svg_is_not_taken_for_a_drawing():
    with pytest.raises(ValidationError) as refused:
        clean_picture(b"<html><body>hello</body></html>", "drawing.svg")

    assert "is not an SVG drawing" in " ".join(refused.value.messages)


def test_a_file_over_the_limit_is_refused_before_it_is_read():
    with pytest.raises(ValidationError) as refused:
        clean_picture(b"\x89PNG" + bytes(MAX_BYTES))

    assert "the most is 1 MB" in " ".join(refused.value.messages)


def test_a_picture_too_big_to_show_is_refused():
    with pytest.raises(ValidationError) as refused:
        clean_picture(png(4001, 10))

    assert "4001×10 pixels" in " ".join(refused.value.messages)


def test_a_photo_loses_its_hidden_details_and_keeps_its_pixels():
    cleaned_png = clean_picture(png(author="Dr Who", comment="patient 1234"))
    cleaned_jpeg = clean_picture(jpeg_with_location())

    assert b"patient 1234" not in cleaned_png.data and b"Dr Who" not in cleaned_png.data
    assert (cleaned_png.content_type, cleaned_png.width, cleaned_png.height) == ("image/png", 40, 30)
    with Image.open(io.BytesIO(cleaned_jpeg.data)) as image:
        assert image.format == "JPEG" and image.size == (64, 48)
        assert not image.getexif()  # no location, no camera
    assert b"PhoneMaker" not in cleaned_jpeg.data


def test_the_same_picture_is_kept_once_and_never_changed(db):
    first, second = store_picture(DRAWING), store_picture(DRAWING)

    assert first.pk == second.pk and PictureFile.objects.count() == 1
    with pytest.raises(ImmutableRecordError):
        first.delete()
    with pytest.raises(ImmutableRecordError):
        PictureFile.objects.filter(pk=first.pk).update(width=1)


# Serving -----------------------------------------------------------------------------------


def test_a_picture_is_served_by_its_hash_cached_for_good_and_unable_to_run_anything(client, db):
    picture = store_picture(DRAWING)

    response = client.get(reverse("picture", args=[f"{picture.sha256}.svg"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content == bytes(picture.data)
    assert "immutable" in response["Cache-Control"] and "max-age=31536000" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name", ["{sha}.png", "{zero}.svg", "{sha}", "../{sha}.svg", "{upper}.svg"])
def test_an_address_that_names_no_picture_is_not_found(client, db, name):
    picture = store_picture(DRAWING)
    url = reverse("picture", args=["x"]).removesuffix("x") + name.format(
        sha=picture.sha256, zero="0" * 64, upper=picture.sha256.upper()
    )

    assert client.get(url).status_code == 404


# The admin ---------------------------------------------------------------------------------


def with_a_new_picture(client, procedure, **fields) -> dict:
    """The procedure's admin form as it is, with one picture added (by `fields`, named without prefix)."""
    data = form_data(client.get(change_url(procedure)))
    data |= {"pictures-TOTAL_FORMS": "1", "pictures-0-order": "10", "pictures-0-section": "what_happens"}
    return data | {f"pictures-0-{name}": value for name, value in fields.items()}


def test_a_content_admin_adds_a_picture_with_its_alt_text_and_sees_it(client, content_admin, published_procedure):
    client.force_login(content_admin)
    data = with_a_new_picture(
        client,
        published_procedure,
        alt_text="A drawing of the lower back.",
        caption="1. The needle goes in here.",
        upload=SimpleUploadedFile("back.svg", DRAWING, content_type="image/svg+xml"),
    )

    save(client, change_url(published_procedure), data)

    picture = published_procedure.pictures.get()
    assert picture.alt_text == "A drawing of the lower back."
    assert picture.file.content_type == "image/svg+xml"
    page = client.get(change_url(published_procedure)).content.decode()
    assert reverse("picture", args=[f"{picture.file.sha256}.svg"]) in page


def test_a_file_that_is_not_a_picture_is_refused_and_what_was_typed_is_kept(client, content_admin, published_procedure):
    client.force_login(content_admin)
    data = with_a_new_picture(
        client,
        published_procedure,
        alt_text="A drawing of the lower back.",
        upload=SimpleUploadedFile("back.svg", b"<svg><script>x</script>", content_type="image/svg+xml"),
    )
    data["summary"] = "An edited summary, typed before the upload."

    response = client.post(change_url(published_procedure), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "This SVG file cannot be read" in page
    assert "An edited summary, typed before the upload." in page
    assert "A drawing of the lower back." in page
    assert not Picture.objects.exists()


def test_an_upload_over_the_limit_is_refused_with_what_to_do(client, content_admin, published_procedure):
    client.force_login(content_admin)
    huge = SimpleUploadedFile("scan.png", b"\x89PNG" + bytes(3 * MAX_BYTES), content_type="image/png")
    data = with_a_new_picture(client, published_procedure, alt_text="A scan.", upload=huge)

    page = client.post(change_url(published_procedure), data).content.decode()

    assert "The picture is 3.0 MB; the most is 1 MB" in page and "Save it smaller" in page
    assert not Picture.objects.exists()


def test_a_picture_needs_its_file_and_text_for_people_who_cannot_see_it(client, content_admin, published_procedure):
    client.force_login(content_admin)
    data = with_a_new_picture(client, published_procedure, caption="A caption but no file and no alt text.")

    page = client.post(change_url(published_procedure), data).content.decode()

    assert "Choose the picture&#x27;s file (PNG, JPEG or SVG)." in page
    assert "This field is required." in page


def test_a_picture_with_a_risk_must_name_one_of_the_procedures_risks(published_procedure):
    picture = Picture(procedure=published_procedure, file=store_picture(DRAWING), section="risk", alt_text="x")

    with pytest.raises(ValidationError) as refused:
        picture.full_clean()

    assert "Choose the risk this picture is shown with." in str(refused.value)


# What patients see -------------------------------------------------------------------------


def test_the_patient_sees_each_picture_in_its_place_loaded_lazily_with_its_alt_text(client, procedure):
    risk = procedure.risks.get()
    add_picture(procedure, caption="1. The needle goes in here.")
    add_picture(procedure, png(), section="risk", risk=risk, alt_text="A bruise the size of a coin.")
    publish(procedure)
    case = make_case(procedure, PATIENT_A)
    client.post(f"{case.url}identity/", {"day": 14, "month": 3, "year": 1950})

    about = client.get(f"{case.url}about/").content.decode()
    client.post(f"{case.url}about/")
    risks = client.get(f"{case.url}risks/").content.decode()

    what_happens = about.split("What happens", 1)[1].split("Why it is done", 1)[0]
    assert 'alt="A drawing of the needle going into the lower back."' in what_happens
    assert 'loading="lazy"' in what_happens and 'width="200" height="100"' in what_happens
    assert "1. The needle goes in here." in what_happens
    assert 'alt="A bruise the size of a coin."' in risks and 'loading="lazy"' in risks
    assert "A bruise" not in about


def test_spanish_is_offered_only_when_every_picture_has_its_spanish_alt_text(published_procedure):
    add_spanish(published_procedure)
    picture = add_picture(published_procedure)
    version = publish(published_procedure)
    assert available_languages(version.content) == ["en"]

    picture.alt_text_es = "Un dibujo de la aguja entrando en la parte baja de la espalda."
    picture.save()
    version = publish(published_procedure)

    assert available_languages(version.content) == ["en", "es"]
    spanish = version.content["translations"]["es"]["pictures"][0]
    assert spanish["alt_text"] == "Un dibujo de la aguja entrando en la parte baja de la espalda."


def test_a_published_version_keeps_its_pictures_when_the_working_copy_drops_them(client, published_procedure):
    picture = add_picture(published_procedure)
    version = publish(published_procedure)
    sha256 = picture.file.sha256
    picture.delete()

    assert version.content["pictures"][0]["file"] == sha256
    assert client.get(reverse("picture", args=[f"{sha256}.svg"])).status_code == 200


def test_the_leaflet_and_the_consent_record_print_the_pictures(procedure):
    add_picture(procedure, png(300, 200), caption="1. Where the needle goes.")
    publish(procedure)
    case = make_case(procedure, PATIENT_A)
    signature = sign_case(case)

    html = information_pdf_html(case.request)
    pdf = render_information_pdf(case.request)

    assert 'src="data:image/png;base64,' in html
    assert 'src="data:image/png;base64,' in consent_pdf_html(signature)
    pages = PdfReader(io.BytesIO(pdf)).pages
    sizes = [image.image.size for page in pages for image in page.images]
    assert (300, 200) in sizes  # the picture, at its own size
    assert "1. Where the needle goes." in " ".join(page.extract_text() for page in pages)


def test_the_sealed_record_is_drawn_with_its_pictures_in_the_render_process_that_has_no_database(procedure):
    add_picture(procedure, png(120, 90))
    publish(procedure)
    signature = sign_case(make_case(procedure, PATIENT_A))

    pdf, _pages = render_consent_pdf_with_limits(signature)

    sizes = [image.image.size for page in PdfReader(io.BytesIO(pdf)).pages for image in page.images]
    assert (120, 90) in sizes


def test_a_version_whose_picture_is_missing_cannot_be_published(published_procedure):
    add_picture(published_procedure, section="risk", alt_text="No risk named")

    with pytest.raises(PublishError) as refused:
        publish(published_procedure)

    assert "Choose the risk this picture is shown with." in str(refused.value)
