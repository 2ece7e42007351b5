"""Languages: a Spanish-speaking patient does the whole journey, gets the email and the record in Spanish.

The language is stored on the consent request (the patient's preferred language
by default), chosen on the welcome page, never in a URL. Content comes from
the published version in that language; the record says which language it was
given in, in that language and in English.
"""

from __future__ import annotations

import datetime
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from consent import services
from consent.models import AuditEvent, ConsentDocument, Signature
from procedures.models import Procedure
from procedures.services import fingerprint, load_sample_procedures, publish_procedure, snapshot
from procedures.translations import available_languages, localised, missing_texts
from tests.conftest import PATIENT_A, PATIENT_B, add_spanish, build_procedure, make_case

SPANISH_PATIENT = {"mrn": "MRN-ES-3003", "full_name": "José Ángel Núñez", "date_of_birth": datetime.date(1948, 7, 9)}
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"


@pytest.fixture
def bilingual_procedure(db):
    procedure = add_spanish(build_procedure())
    publish_procedure(procedure=procedure, published_by=None, change_summary="First, with Spanish", is_material=False)
    return procedure


@pytest.fixture
def spanish_case(bilingual_procedure):
    return make_case(bilingual_procedure, {**SPANISH_PATIENT, "preferred_language": "es"}, email="jose@example.org")


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def verify(client, case, dob):
    response = client.post(f"{case.url}identity/", {"day": dob.day, "month": dob.month, "year": dob.year})
    assert response.status_code == 302, response.content.decode()[:1500]


def html_lang(page: str) -> str:
    return re.search(r'<html lang="([^"]+)"', page).group(1)


# The whole journey in Spanish ---------------------------------------------------------------


def test_a_spanish_speaking_patient_completes_the_journey_in_spanish_and_gets_a_spanish_pdf(spanish_case):
    case = spanish_case
    assert case.request.language == "es", "the request starts in the patient's preferred language"
    client = Client()

    welcome = client.get(case.url).content.decode()
    assert html_lang(welcome) == "es"
    assert "Bienvenida" in welcome and "Empezar" in welcome and "Welcome" not in welcome
    # The picker offers both, each named in its own language and marked up as such.
    assert 'lang="en"' in welcome and ">English</button>" in welcome
    assert 'lang="es"' in welcome and ">Español</button>" in welcome

    verify(client, case, SPANISH_PATIENT["date_of_birth"])
    content = case.request.content
    about = client.get(f"{case.url}about/").content.decode()
    assert "Prueba de ejemplo" in about and "Qué ocurre" in about and "Una enfermera le ayuda" in about
    assert "Test procedure" not in about
    assert client.post(f"{case.url}about/").status_code == 302

    risks = client.get(f"{case.url}risks/").content.decode()
    assert "Dolor de cabeza" in risks
    assert "Frecuente: alrededor de 1 de cada 20 personas" in risks
    assert "Leve: Suele ser leve" in risks
    # Continuing with the risk unticked names it, in Spanish.
    unticked = client.post(f"{case.url}risks/", {}).content.decode()
    assert "Marque la casilla para indicar que entiende este riesgo: Dolor de cabeza." in unticked
    risk_key = content["risks"][0]["key"]
    assert client.post(f"{case.url}risks/", {f"ack_{risk_key}": "on"}).status_code == 302

    preparing = client.get(f"{case.url}preparing/").content.decode()
    assert (
        "Traiga sus medicamentos." in preparing and "¿Toma medicamentos para hacer la sangre más líquida?" in preparing
    )
    assert "No estoy seguro" in preparing
    step_key, item_key = content["preparation_steps"][0]["key"], content["checklist_items"][0]["key"]
    response = client.post(f"{case.url}preparing/", {f"ack_{step_key}": "on", f"answer_{item_key}": "no"})
    assert response.status_code == 302

    question_key = content["questions"][0]["key"]
    wrong = client.post(f"{case.url}understanding/", {f"q_{question_key}": 2}).content.decode()
    assert "No es del todo correcto." in wrong and "Acostarse y beber líquidos ayuda." in wrong
    assert client.post(f"{case.url}understanding/", {f"q_{question_key}": 1}).status_code == 302

    response = client.post(f"{case.url}questions/", {"question": "¿Puedo manejar después?"})
    assert response.status_code == 302
    review = client.get(f"{case.url}review/").content.decode()
    assert "Revise sus respuestas" in review and "Usted dijo que entiende este riesgo." in review
    assert "Su respuesta: No" in review
    client.post(f"{case.url}review/", {"confirmed": "on"})
    decide = client.get(f"{case.url}decide/").content.decode()
    assert "Acepto que me hagan este procedimiento: prueba de ejemplo" in decide
    assert "No quiero que me hagan este procedimiento: prueba de ejemplo" in decide
    client.post(f"{case.url}decide/", {"decision": "consent"})

    sign_page = client.get(f"{case.url}sign/consent/").content.decode()
    assert "Acepto que me hagan este procedimiento: prueba de ejemplo." in sign_page
    response = client.post(
        f"{case.url}sign/consent/", {"signer": "patient", "typed_name": "jose angel nunez", "drawn_signature": ""}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    signature = Signature.objects.get(request=case.request)
    assert signature.language == "es"
    assert signature.statement.startswith("He leído la información sobre: prueba de ejemplo (versión 1")

    done = client.get(f"{case.url}done/").content.decode()
    assert "Gracias: su consentimiento ha quedado registrado" in done

    pdf = client.get(f"{case.url}records.pdf")
    assert pdf.status_code == 200 and ConsentDocument.objects.filter(signature=signature).exists()
    text = pdf_text(b"".join(pdf.streaming_content))
    # Spanish throughout: headings, content, the statement, dates ...
    for spanish in (
        "Documento de consentimiento",
        "Prueba de ejemplo",
        "1. Lo que se explicó",
        "Dolor de cabeza",
        "Acepto que me hagan este procedimiento",
        "Fecha de nacimiento",
        "9 de julio de 1948",
    ):
        assert spanish in text, spanish
    assert "What was explained" not in text and "Consent record" not in text
    # ... and it says which language, in Spanish and in English for a clinician who reads only English.
    assert "Idioma: Español" in text
    assert "página 1 de" in text and "page 1 of" not in text
    assert "The patient read the information and signed this record in Spanish." in text


def test_the_information_leaflet_is_in_the_patients_language(spanish_case):
    client = Client()
    verify(client, spanish_case, SPANISH_PATIENT["date_of_birth"])
    response = client.get(f"{spanish_case.url}information.pdf")
    text = pdf_text(b"".join(response.streaming_content))
    assert "Información sobre su procedimiento" in text and "Prueba de ejemplo" in text
    assert "-es.pdf" in response["Content-Disposition"]


def test_the_spanish_patient_gets_the_invitation_email_in_spanish(spanish_case):
    services.send_invite_email(consent_request=spanish_case.request, token=spanish_case.token)
    message = mail.outbox[-1]
    assert message.subject.startswith("Cómo prepararse para su cita en")
    assert "Estimado/a José Ángel Núñez:" in message.body
    assert "Procedimiento: Prueba de ejemplo" in message.body
    assert re.search(r"Cita: \w+ \d+ de \w+ de \d{4} a las \d\d:\d\d", message.body), message.body
    html = message.alternatives[0][0]
    assert html_lang(html) == "es" and "Abrir mi enlace personal" in html


def test_an_english_patient_still_gets_english_everywhere(bilingual_procedure):
    case = make_case(bilingual_procedure, PATIENT_B, email="bob@example.org")
    assert case.request.language == "en"
    client = Client()
    welcome = client.get(case.url).content.decode()
    assert html_lang(welcome) == "en" and "Welcome" in welcome and "Bienvenida" not in welcome
    verify(client, case, PATIENT_B["date_of_birth"])
    about = client.get(f"{case.url}about/").content.decode()
    assert "Test procedure" in about and "Prueba de ejemplo" not in about
    services.send_invite_email(consent_request=case.request, token=case.token)
    assert mail.outbox[-1].subject.startswith("Getting ready for your appointment at")


def test_an_english_record_states_its_language_too(signed_case):
    from records.pdf import consent_pdf_html

    html = consent_pdf_html(signed_case.request.signature)
    assert html_lang(html) == "en"
    assert "Language: English" in html and "signed this record in" not in html


# The picker ---------------------------------------------------------------------------------


def test_the_picker_switches_language_and_the_choice_is_audited(bilingual_procedure):
    case = make_case(bilingual_procedure, PATIENT_A)
    client = Client()
    response = client.post(f"{case.url}language/", {"language": "es"})
    assert response.status_code == 302 and response["Location"] == case.url
    assert case.refresh().language == "es"
    welcome = client.get(case.url).content.decode()
    assert html_lang(welcome) == "es" and "Bienvenida" in welcome
    assert 'aria-pressed="true">Español</button>' in welcome
    event = AuditEvent.objects.get(request=case.request, action="language_chosen")
    assert event.actor == "patient" and event.detail == {"from": "en", "to": "es"}
    assert "Spanish" in event.message

    client.post(f"{case.url}language/", {"language": "en"})
    assert case.refresh().language == "en"
    assert AuditEvent.objects.filter(request=case.request, action="language_chosen").count() == 2
    # Choosing the language already in use changes nothing and records nothing.
    client.post(f"{case.url}language/", {"language": "en"})
    assert AuditEvent.objects.filter(request=case.request, action="language_chosen").count() == 2


def test_the_picker_is_a_post_form_with_a_csrf_token_and_no_language_in_any_url(bilingual_procedure):
    case = make_case(bilingual_procedure, PATIENT_A)
    client = Client(enforce_csrf_checks=True)
    welcome = client.get(case.url).content.decode()
    form = re.search(r'<form method="post" action="([^"]+)" class="proceed-language[^>]*>(.*?)</form>', welcome, re.S)
    assert form and form.group(1) == f"{case.url}language/"
    assert "csrfmiddlewaretoken" in form.group(2)
    assert client.post(f"{case.url}language/", {"language": "es"}).status_code == 403
    assert case.refresh().language == "en"
    assert client.get(f"{case.url}language/").status_code == 405
    assert not re.search(r'href="/(en|es)/', welcome)


def test_a_language_the_version_lacks_is_refused_with_a_plain_message(case_a):
    # The test procedure of case_a has English only.
    client = Client()
    welcome = client.get(case_a.url).content.decode()
    assert "proceed-language" not in welcome, "no picker when there is nothing to pick"
    response = client.post(f"{case_a.url}language/", {"language": "es"}, follow=True)
    page = response.content.decode()
    assert "Sorry, the information about this procedure is not available in Español yet." in page
    assert "Please choose another language, or call the clinic." in page
    assert case_a.refresh().language == "en"
    assert not AuditEvent.objects.filter(request=case_a.request, action="language_chosen").exists()


def test_a_spanish_speaker_on_english_only_content_is_told_why_in_both_languages_and_the_nurse_sees_it(
    published_procedure, client, nurse
):
    case = make_case(published_procedure, {**SPANISH_PATIENT, "preferred_language": "es"})
    assert case.request.language == "en", "never a language the version doesn't fully have"
    welcome = Client().get(case.url).content.decode()
    assert html_lang(welcome) == "en"
    notice = re.search(r'<div class="alert alert-info proceed-missing-language">(.*?)</div>', welcome, re.S).group(1)
    spanish, english = re.findall(r'<p lang="(es|en)"[^>]*>\s*(.*?)</p>', notice, re.S)
    assert spanish[0] == "es" and spanish[1].startswith("La información sobre este procedimiento todavía no está")
    assert english[0] == "en" and english[1].startswith("The information about this procedure is not available")
    assert "the pages that follow are in English" in english[1]
    for _language, text in (spanish, english):
        assert settings.CLINIC_PHONE in text

    client.force_login(nurse)
    page = client.get(reverse("staff:case", args=[case.request.public_id])).content.decode()
    assert "prefer Spanish (Español), but this procedure" in " ".join(page.split())
    dashboard = client.get(reverse("staff:index")).content.decode()
    assert "English · prefers Spanish (Español)" in dashboard


def test_a_patient_reading_their_preferred_language_gets_no_missing_language_notice(spanish_case, client, nurse):
    welcome = Client().get(spanish_case.url).content.decode()
    assert "proceed-missing-language" not in welcome
    client.force_login(nurse)
    page = client.get(reverse("staff:case", args=[spanish_case.request.public_id])).content.decode()
    assert "proceed-missing-language" not in page


@pytest.mark.parametrize("posted", [{"language": "xx"}, {"language": ""}, {}, {"language": "es" * 40}])
def test_a_bad_language_value_gets_a_plain_message_and_loses_nothing(bilingual_procedure, posted):
    case = make_case(bilingual_procedure, PATIENT_A)
    client = Client()
    verify(client, case, PATIENT_A["date_of_birth"])
    services.read_about(consent_request=case.request, ip=None)
    progress = case.refresh().progress
    response = client.post(f"{case.url}language/", posted, follow=True)
    assert response.status_code == 200
    assert "Please choose one of the languages listed." in response.content.decode()
    request = case.refresh()
    assert request.language == "en" and request.progress == progress


def test_the_language_cannot_change_after_signing(bilingual_procedure):
    from tests.conftest import sign_case

    case = make_case(bilingual_procedure, PATIENT_A)
    sign_case(case)
    assert "proceed-language" not in Client().get(case.url).content.decode()
    with pytest.raises(services.ConsentError, match="can't be changed now"):
        services.choose_language(consent_request=case.refresh(), language="es", ip=None)
    assert case.refresh().signature.language == "en"


def test_the_nurse_sees_the_language_the_patient_used(client, nurse, spanish_case):
    client.force_login(nurse)
    page = client.get(f"/staff/requests/{spanish_case.request.public_id}/").content.decode()
    assert "Language the patient reads and signs in: <strong>Spanish (Español)</strong>" in page
    # The nurse's own page stays in English, with the content in English.
    assert html_lang(page) == "en" and "Test procedure" in page
    from records.checklist_pdf import checklist_pdf_html

    checklist = checklist_pdf_html(spanish_case.request)
    assert '<th scope="row">Patient\'s language</th><td>Spanish (Español)</td>' in checklist


def test_the_dashboard_marks_patients_who_use_another_language(client, nurse, spanish_case, bilingual_procedure):
    make_case(bilingual_procedure, PATIENT_A)
    client.force_login(nurse)
    page = client.get("/staff/").content.decode()
    row = page[page.index(SPANISH_PATIENT["full_name"]) :][:400]
    assert "Spanish (Español)</span>" in row
    english_row = page[page.index(PATIENT_A["full_name"]) :][:400]
    assert "proceed-language-badge" not in english_row, "English is the default: no badge"


# Content in more than one language ------------------------------------------------------------


def test_english_only_content_keeps_its_fingerprint_and_spanish_is_covered_by_it(procedure):
    english_only = snapshot(procedure)
    assert "translations" not in english_only
    add_spanish(procedure)
    with_spanish = snapshot(procedure)
    assert with_spanish["translations"]["es"]["name"] == "Prueba de ejemplo"
    assert fingerprint(with_spanish) != fingerprint(english_only)
    risk = procedure.risks.get()
    risk.description_es = "Puede tener un dolor de cabeza leve."
    risk.save()
    assert fingerprint(snapshot(procedure)) != fingerprint(with_spanish), "a Spanish-only edit is a new fingerprint"


def test_a_partial_translation_is_published_but_never_offered(procedure):
    add_spanish(procedure)
    question = procedure.questions.get()
    question.explanation_es = ""
    question.save()
    version = publish_procedure(procedure=procedure, published_by=None, change_summary="Partial", is_material=False)
    assert "es" in version.content["translations"]
    assert available_languages(version.content) == ["en"]
    assert missing_texts(version.content, "es") == ["questions 1: explanation"]
    # Asking for it anyway gives the whole page in English, never a mix.
    assert localised(version.content, "es")["name"] == "Test procedure"


def test_spanish_answers_must_match_the_english_ones(procedure):
    from django.core.exceptions import ValidationError

    question = procedure.questions.get()
    question.choices_es = "Solo una respuesta"
    with pytest.raises(ValidationError, match="Give the same 2 answers as in English"):
        question.full_clean(exclude=["procedure"])


def test_the_sample_lumbar_puncture_is_complete_in_spanish_and_loads_idempotently(db):
    load_sample_procedures()
    version = Procedure.objects.get(slug="lumbar-puncture").current_version
    assert available_languages(version.content) == ["en", "es"]
    spanish = localised(version.content, "es")
    assert spanish["name"] == "Punción lumbar" and spanish["is_sample"]
    assert "líquido cefalorraquídeo" in spanish["what_happens"]
    assert spanish["risks"][0]["title"] == "Dolor de cabeza después del procedimiento"
    assert len(spanish["questions"][0]["choices"]) == len(version.content["questions"][0]["choices"])
    load_sample_procedures()
    assert Procedure.objects.get(slug="lumbar-puncture").versions.count() == 1


def test_a_material_change_without_the_patients_language_moves_them_to_english(nurse, spanish_case):
    procedure = spanish_case.request.procedure_version.procedure
    procedure.name_es = ""
    procedure.summary = "A changed summary."
    procedure.save()
    services.publish_content(procedure=procedure, user=nurse, change_summary="Summary rewritten", is_material=True)
    request = spanish_case.refresh()
    assert request.procedure_version.number == 2 and request.language == "en"
    event = AuditEvent.objects.get(request=request, action="moved_to_new_version")
    assert "now read it in English" in event.message


# The catalogue --------------------------------------------------------------------------------


# Where a patient can read a string: the journey, its emails and records, and what they share.
# Staff pages stay in English, so a string used only there may have no Spanish yet.
PATIENT_FACING = (
    "templates/base.html",
    "templates/cache_outage.html",
    "templates/consent/",
    "templates/includes/",
    "templates/pdf/consent.html",
    "templates/pdf/information.html",
    "templates/pdf/withdrawal.html",
    "journey/",
    "consent/models.py",
    "consent/state.py",
    "consent/services.py",
    "records/pdf.py",
    "procedures/models.py",
    "procedures/translations.py",
    "procedures/templatetags/",
)


def patient_facing(entry) -> bool:
    return any(path.startswith(PATIENT_FACING) for path, _line in entry.occurrences)


def test_the_committed_catalogue_is_complete_and_the_compiled_file_matches_it():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    mo = polib.mofile(str(CATALOGUE / "django.mo"))
    assert not po.metadata_is_fuzzy
    assert [entry.msgid for entry in po.untranslated_entries() if patient_facing(entry)] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []
    assert [entry.msgid for entry in po.obsolete_entries()] == []

    def table(catalogue):
        return {
            (entry.msgctxt, entry.msgid): (entry.msgstr, dict(sorted(entry.msgstr_plural.items())))
            for entry in catalogue
            if entry.msgid and (entry.msgstr or any(entry.msgstr_plural.values()))  # a .mo keeps only translations
        }

    # Compare as strings: a .mo read back keeps plural indexes as ints, like the .po.
    assert table(mo) == table(po), "run `manage.py compilemessages -l es --ignore=.venv` and commit the .mo"


def test_every_translation_keeps_the_placeholders_and_markup_of_the_english():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    pattern = re.compile(r"%\(\w+\)[sd]|<[^>]+>")
    for entry in po.translated_entries():
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            assert sorted(pattern.findall(text)) == sorted(pattern.findall(entry.msgid)), entry.msgid


def test_the_english_statement_is_unchanged(case_a):
    statement = services.signing_statement(consent_request=case_a.request, decision="consent", signer="patient")
    assert (
        statement.splitlines()[0] == "I have read the information about test procedure (version 1 of the information)."
    )


def test_an_existing_unedited_sample_gets_the_spanish_as_a_new_version_once(db):
    from procedures import sample_content

    lumbar = next(data for data in sample_content.SAMPLE_PROCEDURES if data["slug"] == "lumbar-puncture")
    english_only = {key: value for key, value in lumbar.items() if key != "translations"}
    original = sample_content.SAMPLE_PROCEDURES
    sample_content.SAMPLE_PROCEDURES = [english_only]
    try:
        load_sample_procedures()  # an installation from before the Spanish sample
    finally:
        sample_content.SAMPLE_PROCEDURES = original
    procedure = Procedure.objects.get(slug="lumbar-puncture")
    assert available_languages(procedure.current_version.content) == ["en"]

    load_sample_procedures()
    latest = procedure.current_version
    assert latest.number == 2 and available_languages(latest.content) == ["en", "es"]
    assert "Translation of the sample content added (es)" in latest.change_summary
    load_sample_procedures()
    assert procedure.versions.count() == 2, "running it again changes nothing"


def test_a_sample_the_clinic_edited_is_never_given_the_shipped_translation(db):
    load_sample_procedures()
    procedure = Procedure.objects.get(slug="lumbar-puncture")
    for field in ("name_es", "summary_es"):
        setattr(procedure, field, "")
    procedure.summary = "Our own words."
    procedure.save()
    for risk in procedure.risks.all():
        risk.title_es = risk.description_es = ""
        risk.save()
    procedure.preparation_steps.update(instruction_es="", timing_es="")
    procedure.checklist_items.update(patient_question_es="")
    procedure.questions.update(question_es="", choices_es="", explanation_es="")
    for field in ("what_happens_es", "indications_es", "benefits_es", "alternatives_es", "recovery_es"):
        setattr(procedure, field, "")
    procedure.save()
    load_sample_procedures()
    procedure.refresh_from_db()
    assert procedure.summary == "Our own words." and procedure.name_es == ""
    assert procedure.versions.count() == 1


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_every_patient_facing_string_in_the_code_is_in_the_catalogue(tmp_path):
    """A string added to a patient page without re-running makemessages would show in English."""
    root = Path(settings.BASE_DIR)
    for name in ("config", "procedures", "consent", "records", "accounts", "journey", "staff", "editor", "demo"):
        shutil.copytree(root / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("templates", "locale"):
        shutil.copytree(root / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(root / "manage.py", tmp_path / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-obsolete"],
        cwd=tmp_path,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(root)},
        check=True,
        capture_output=True,
    )
    committed = {(entry.msgctxt, entry.msgid) for entry in polib.pofile(str(CATALOGUE / "django.po"))}
    extracted = polib.pofile(str(tmp_path / "locale" / "es" / "LC_MESSAGES" / "django.po"))
    missing = [
        entry.msgid for entry in extracted if patient_facing(entry) and (entry.msgctxt, entry.msgid) not in committed
    ]
    assert missing == [], "run `manage.py makemessages -l es --no-obsolete --ignore=.venv`, translate, compilemessages"


# A link that can't be used says nothing about its case, not even the case's language ----------


def test_the_link_problem_page_follows_the_browser_language_never_the_case(spanish_case, nurse):
    services.cancel_request(consent_request=spanish_case.request, user=nurse)
    unknown = "/c/" + "x" * 43 + "/"
    for url in (spanish_case.url, unknown):
        english = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").get(url)
        assert english.status_code == 404
        assert "This link can't be used" in english.content.decode() and html_lang(english.content.decode()) == "en"
        assert "Content-Language" not in english.headers
        spanish = Client(HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9").get(url).content.decode()
        assert html_lang(spanish) == "es" and "Este enlace no se puede usar" in spanish
    # The cancelled Spanish case and a made-up link give the same page, byte for byte.
    pages = {Client(HTTP_ACCEPT_LANGUAGE="en").get(url).content for url in (spanish_case.url, unknown)}
    assert len(pages) == 1


def test_the_date_of_birth_fields_are_labelled_in_spanish(spanish_case):
    page = Client().get(f"{spanish_case.url}identity/").content.decode()
    labels = [" ".join(label.split()) for label in re.findall(r"<label[^>]*>\s*(.*?)<", page, re.S)]
    assert labels == ["Día", "Mes", "Año"]
    assert "Por ejemplo, 7 3 1956" in page
