"""Screenshots of every patient journey step at phone size, and the signed PDF as images.

Run `make run` in one terminal, then `make screenshots` in another. It makes a
fresh request for the sample lumbar puncture in the local database, walks it
in Debian's Chromium at 390x844 (with a wrong date of birth, a missing tick, a
wrong quiz answer and a mismatched name on the way, to show the messages),
saves one full-page PNG per page in the output folder (and one more at 200% text), downloads the signed
PDF and turns each of its pages into a PNG with pdftoppm.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.utils import timezone  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from consent.services import create_consent_request, find_or_create_patient  # noqa: E402
from procedures.models import Procedure  # noqa: E402

DOB = datetime.date(1948, 6, 2)
NAME = "Margaret O'Brien"


def new_case() -> str:
    patient = find_or_create_patient(mrn="SCREENSHOT-0001", full_name=NAME, date_of_birth=DOB)
    _, token = create_consent_request(
        patient=patient,
        procedure=Procedure.objects.get(slug="lumbar-puncture"),
        appointment_at=timezone.now() + datetime.timedelta(days=5),
        clinician="Dr Priya Shah",
        created_by=None,
        confirm_another=True,  # a fresh request on every run
    )
    return token


def choose_every(page, index: int) -> None:
    names = set(page.locator("input[type=radio]").evaluate_all("els => els.map(e => e.name)"))
    for name in names:
        page.locator(f"input[name='{name}']").nth(index).check()


def choose_correct(page, questions: list[dict]) -> None:
    """The right answer to each quiz question, from the published version the request shows."""
    names = list(dict.fromkeys(page.locator("input[type=radio]").evaluate_all("els => els.map(e => e.name)")))
    for name, question in zip(names, questions, strict=True):
        page.locator(f"input[name='{name}']").nth(question["correct_choice"] - 1).check()


def load_lazy_pictures(page) -> None:
    """Scroll down the page so every lazily loaded picture loads, then wait until each has."""
    height = page.evaluate("document.body.scrollHeight")
    for y in range(0, height, 600):
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_timeout(50)
    page.wait_for_function("Array.from(document.images).every(image => image.complete)")
    page.evaluate("window.scrollTo(0, 0)")


def draw_signature(page) -> None:
    canvas = page.locator("canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 100)
    page.mouse.down()
    for i in range(30):
        page.mouse.move(box["x"] + 20 + i * 9, box["y"] + 100 - (i % 6) * 12)
    page.mouse.up()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="screenshots")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(exist_ok=True)
    link = f"{args.base_url}/c/{new_case()}/"
    # Read before Playwright starts its event loop (Django refuses queries inside one).
    questions = Procedure.objects.get(slug="lumbar-puncture").current_version.content["questions"]

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=args.chromium, args=["--no-sandbox", "--disable-background-networking"]
        )
        page = browser.new_page(viewport={"width": 390, "height": 844})

        def shot(name: str) -> None:
            """The page as it is, and again at 200% text (the root font size doubled, as a
            patient's browser setting does), to see that nothing is cut or runs together."""
            load_lazy_pictures(page)
            page.screenshot(path=out / f"{name}.png", full_page=True)
            page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
            page.screenshot(path=out / f"{name}-text-200.png", full_page=True)
            page.evaluate("() => { document.documentElement.style.fontSize = ''; }")
            print(out / f"{name}.png", "and", out / f"{name}-text-200.png")

        page.goto(link)
        shot("01-welcome")
        page.click("main a.btn-primary")  # Start
        page.fill("#id_day", "3")
        page.fill("#id_month", str(DOB.month))
        page.fill("#id_year", str(DOB.year))
        page.click("button[type=submit]")
        shot("02-identity-wrong-date")
        page.fill("#id_day", str(DOB.day))
        page.click("button[type=submit]")
        shot("03-about")
        page.click("button[type=submit]")
        ticks = page.locator("input[name^=ack_]")
        for i in range(ticks.count() - 1):
            ticks.nth(i).check()
        page.click("button[type=submit]")
        shot("04-risks-one-missing")
        page.locator("input[name^=ack_]").last.check()
        page.click("button[type=submit]")
        for tick in page.locator("input[name^=ack_]").all():
            tick.check()
        choose_every(page, 0)
        shot("05-preparing")
        page.click("button[type=submit]")
        choose_every(page, 0)
        page.click("button[type=submit]")
        shot("06-understanding-wrong-answer")
        choose_correct(page, questions)
        page.click("button[type=submit]")
        page.fill("#id_question", "Can my daughter stay with me during the test?")
        shot("07-questions")
        page.click("button[type=submit]")
        shot("08-review")
        page.check("#id_confirmed")
        page.click("button[type=submit]")
        shot("09-decide")
        page.check("#id_decision_0")
        page.click("button[type=submit]")
        page.wait_for_selector("canvas", state="visible")
        draw_signature(page)
        page.fill("#id_typed_name", "Margaret OBrien")
        page.click("button[type=submit]")
        shot("10-sign-name-mismatch")
        page.fill("#id_typed_name", NAME.lower())
        page.click("button[type=submit]")
        shot("11-done")
        with page.expect_download() as download:
            page.click("text=Download your signed record")
        pdf = out / "records.pdf"
        download.value.save_as(pdf)
        browser.close()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(out / "pdf-page")], check=True)  # noqa: S603, S607
    print(f"{pdf} and its pages as {out}/pdf-page-*.png")


if __name__ == "__main__":
    main()
