"""The load: simulated patients and nurses driving the bench server over loopback (run by bench/run.py).

Each user class is one scenario; bench/run.py starts locust once per scenario and user count:

- PageUser: one patient on their own link (BENCH_PAGE = identity, risks or sign). It confirms
  its date of birth once through the real identity page, then asks for the page again and again.
- NurseUser: one nurse, signed in through the real two pages (password, then the TOTP code its
  authenticator would show, computed by django_otp.oath.totp from the device key), then the
  dashboard again and again.
- BareUser: the bench-only bare view, the yardstick.
- JourneyUser: one patient after another on a fresh invitation, through every page from
  welcome to the signed PDF; each complete journey is reported as a "journey" request.
  With BENCH_PDF_FROM_WORKER=1 (the server queues renders for `proceed_worker`) the patient,
  once signed, asks for the done page every BENCH_PDF_POLL seconds (0.5), as its meta refresh
  would, until it offers the PDF, then downloads it: the time from the signing request's answer
  to the PDF's last byte is reported as "j: signed to PDF downloadable". Never records.pdf while
  the PDF is pending: that view renders a pending PDF itself, in the request.

No think time (wait_time 0): every user sends its next request as soon as the last is answered,
so throughput is what the server sustains at that concurrency, and latency is what each request
waited under it. With BENCH_PACE=1 each user instead pauses a random 0-2 s between requests
(about one a second, a busy person clicking through), which shows the latency 20 such users see.
Every simulated patient sends its own X-Forwarded-For address, as the proxy in front of
production would, so per-address rate limits count each patient (bench/settings.py).
The manifest (BENCH_MANIFEST, written by bench/seed.py) gives the links, dates of birth and nurses;
BENCH_RUN numbers the run so each takes patients, nurses and addresses no earlier run used.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from pathlib import Path

import gevent
from django_otp.oath import totp
from locust import FastHttpUser, between, constant, events, task

MANIFEST = json.loads(Path(os.environ.get("BENCH_MANIFEST", "var/bench/manifest.json")).read_text())
RUN = int(os.environ.get("BENCH_RUN", "0"))
USERS_PER_RUN = 20
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_numbers = itertools.count()
# The measured window: it opens when every user has started (signed in, confirmed its date of
# birth), when the statistics are reset, and closes BENCH_SECONDS later, when locust is told to
# quit. Its exact length is written to BENCH_WINDOW_FILE for the throughput figures.
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
_ready = {"users": 0, "opened": None}


def user_ready(environment) -> None:
    _ready["users"] += 1
    if _ready["opened"] is None and _ready["users"] >= environment.runner.target_user_count:
        environment.stats.reset_all()
        _ready["opened"] = time.monotonic()
        gevent.spawn_later(SECONDS, close_window, environment)


def close_window(environment) -> None:
    window = time.monotonic() - _ready["opened"]
    Path(os.environ.get("BENCH_WINDOW_FILE", "var/bench/window.txt")).write_text(f"{window}\n")
    environment.runner.quit()


def next_number() -> int:
    """This user's number, unique across the bench's runs (the runs are one after another)."""
    return RUN * USERS_PER_RUN + next(_numbers)


def address(number: int) -> str:
    return f"10.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}"


def csrf_token(response) -> str:
    match = CSRF.search(response.text or "")
    if not match:
        raise RuntimeError(f"no CSRF token on {response.request.url} (status {response.status_code})")
    return match.group(1)


# BENCH_PACE: about this many requests per second per user, each after a random pause (uniform,
# averaging 1/PACE s) so the users don't all click in step; 0: no pause, each asks again at once.
PACE = float(os.environ.get("BENCH_PACE") or 0)
# BENCH_PDF_FROM_WORKER: the server queues each PDF for the worker (JourneyUser waits for it).
PDF_FROM_WORKER = os.environ.get("BENCH_PDF_FROM_WORKER", "") == "1"
PDF_POLL = float(os.environ.get("BENCH_PDF_POLL") or 0.5)
PDF_WAIT_SECONDS = 300


class BenchUser(FastHttpUser):
    abstract = True
    wait_time = between(0, 2 / PACE) if PACE else constant(0)

    def on_start(self):
        self.number = next_number()
        self.started_up = False

    def ready(self):
        if not self.started_up:
            self.started_up = True
            user_ready(self.environment)

    def get(self, path, name, **kwargs):
        headers = {"X-Forwarded-For": address(self.number)}
        with self.client.get(path, name=name, headers=headers, catch_response=True, **kwargs) as response:
            if response.status_code != 200:
                response.failure(f"{name}: status {response.status_code}")
            return response

    def post(self, path, data, name, expect: str | None = None):
        """POST a form; without following the redirect, which must lead to `expect` (a path ending)."""
        # A browser's Origin: "null" from the patient pages (they send no referrer), our own elsewhere.
        origin = "null" if path.startswith("/c/") else self.host.rstrip("/")
        headers = {"X-Forwarded-For": address(self.number), "Origin": origin}
        with self.client.post(
            path, data=data, name=name, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code != 302 or (expect and not location.endswith(expect)):
                response.failure(f"{name}: status {response.status_code}, to {location!r}")
                raise RuntimeError(f"{name} did not go on to {expect}")
            return location

    def verify(self, patient: dict) -> str:
        """Confirm the date of birth on the patient's link; returns the link's root path."""
        root = f"/c/{patient['token']}/"
        page = self.get(root + "identity/", name="identity (first)")
        year, month, day = (int(part) for part in patient["dob"].split("-"))
        self.post(
            root + "identity/",
            {"csrfmiddlewaretoken": csrf_token(page), "day": day, "month": month, "year": year},
            name="identity POST",
        )
        return root


class PageUser(BenchUser):
    PATHS = {"identity": "identity/", "risks": "risks/", "sign": "sign/consent/"}

    def on_start(self):
        super().on_start()
        pool = MANIFEST["pages"]
        self.root = self.verify(pool[self.number % len(pool)])
        self.page = os.environ.get("BENCH_PAGE", "risks")

    @task
    def page(self):
        self.ready()
        self.get(self.root + self.PATHS[self.page], name=self.page)


class NurseUser(BenchUser):
    def on_start(self):
        super().on_start()
        nurses = MANIFEST["nurses"]
        nurse = nurses[self.number % len(nurses)]
        page = self.get("/accounts/login/", name="sign-in (first)")
        self.post(
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": csrf_token(page),
                "username": nurse["username"],
                "password": MANIFEST["nurse_password"],
            },
            name="sign-in POST",
        )
        page = self.get("/accounts/two-step/", name="two-step (first)")
        code = f"{totp(bytes.fromhex(nurse['totp_key'])):06d}"
        self.post("/accounts/two-step/", {"csrfmiddlewaretoken": csrf_token(page), "code": code}, name="two-step POST")

    @task
    def dashboard(self):
        self.ready()
        response = self.get("/staff/", name="dashboard")
        if response.text and "Sign in" in response.text[:2000] and "Sign out" not in response.text:
            response.failure("dashboard: not signed in")


class BareUser(BenchUser):
    @task
    def bare(self):
        self.ready()
        self.get("/bench/bare/", name="bare")


class JourneyUser(BenchUser):
    """One whole journey per iteration, each on its own fresh invitation.

    With BENCH_PACE the patient also reads each page before answering it: a random pause
    (uniform, averaging 1/PACE s) before every form it posts.
    """

    def post(self, path, data, name, expect: str | None = None):
        if PACE:
            time.sleep(random.uniform(0, 2 / PACE))  # noqa: S311 (a pause, not a secret)
        return super().post(path, data, name, expect)

    @task
    def journey(self):
        self.ready()
        pool = MANIFEST["journey"]
        # Journeys are numbered across users and runs so no link is used twice.
        number = next_journey()
        if number >= len(pool):
            time.sleep(1)  # every seeded invitation is used: idle rather than repeat one
            return
        patient = pool[number]
        content = MANIFEST["content"]
        self.client.cookiejar.clear()  # a new patient, a new browser
        started = time.perf_counter()
        root = f"/c/{patient['token']}/"
        try:
            self.get(root, name="j: welcome")
            self.verify(patient)
            page = self.get(root + "about/", name="j: about")
            self.post(root + "about/", {"csrfmiddlewaretoken": csrf_token(page)}, "j: about POST", "/risks/")
            page = self.get(root + "risks/", name="j: risks")
            data = {"csrfmiddlewaretoken": csrf_token(page)} | {f"ack_{key}": "on" for key in content["risks"]}
            self.post(root + "risks/", data, "j: risks POST", "/preparing/")
            page = self.get(root + "preparing/", name="j: preparing")
            data = {"csrfmiddlewaretoken": csrf_token(page)} | {f"ack_{key}": "on" for key in content["steps"]}
            data |= {f"answer_{key}": "no" for key in content["checklist_questions"]}
            self.post(root + "preparing/", data, "j: preparing POST", "/understanding/")
            page = self.get(root + "understanding/", name="j: understanding")
            data = {"csrfmiddlewaretoken": csrf_token(page)} | {f"q_{k}": v for k, v in content["quiz"].items()}
            self.post(root + "understanding/", data, "j: understanding POST", "/questions/")
            page = self.get(root + "questions/", name="j: questions")
            self.post(
                root + "questions/", {"csrfmiddlewaretoken": csrf_token(page), "question": ""}, "j: questions POST"
            )
            page = self.get(root + "review/", name="j: review")
            data = {"csrfmiddlewaretoken": csrf_token(page), "confirmed": "on"}
            self.post(root + "review/", data, "j: review POST", "/decide/")
            page = self.get(root + "decide/", name="j: decide")
            data = {"csrfmiddlewaretoken": csrf_token(page), "decision": "consent"}
            self.post(root + "decide/", data, "j: decide POST", "/sign/consent/")
            page = self.get(root + "sign/consent/", name="j: sign")
            data = {"csrfmiddlewaretoken": csrf_token(page), "signer": "patient", "typed_name": patient["name"]}
            if PDF_FROM_WORKER:
                self.post(root + "sign/consent/", data, "j: sign POST (queues the PDF)", "/done/")
                signed = time.perf_counter()
                self.wait_for_pdf(root)
            else:
                self.post(root + "sign/consent/", data, "j: sign POST (renders the PDF)", "/done/")
                self.get(root + "done/", name="j: done")
            pdf = self.get(root + "records.pdf", name="j: records.pdf")
            if not (pdf.content or b"").startswith(b"%PDF"):
                raise RuntimeError("the signed PDF did not come back")
            if PDF_FROM_WORKER:
                events.request.fire(
                    request_type="PDF",
                    name="j: signed to PDF downloadable",
                    response_time=(time.perf_counter() - signed) * 1000,
                    response_length=len(pdf.content),
                    exception=None,
                )
        except RuntimeError as error:
            events.request.fire(
                request_type="JOURNEY", name="journey", response_time=0, response_length=0, exception=error
            )
            return
        events.request.fire(
            request_type="JOURNEY",
            name="journey",
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=None,
        )

    def wait_for_pdf(self, root: str) -> None:
        """The done page, again and again, until the worker has stored the PDF (it then offers the download)."""
        deadline = time.perf_counter() + PDF_WAIT_SECONDS
        while True:
            page = self.get(root + "done/", name="j: done")
            if "Download your signed record (PDF)" in (page.text or ""):
                return
            if time.perf_counter() > deadline:
                raise RuntimeError(f"the PDF was not ready within {PDF_WAIT_SECONDS} s")
            time.sleep(PDF_POLL)


# Journeys are numbered from BENCH_JOURNEY_OFFSET across this run's users; the next unused number
# is written to BENCH_JOURNEY_NEXT_FILE when locust quits, for the next journey run to start from.
JOURNEY_NUMBERS = itertools.count(int(os.environ.get("BENCH_JOURNEY_OFFSET", "0")))
_journeys_taken = {"next": int(os.environ.get("BENCH_JOURNEY_OFFSET", "0"))}


def next_journey() -> int:
    number = next(JOURNEY_NUMBERS)
    _journeys_taken["next"] = number + 1
    return number


@events.quitting.add_listener
def _save_next_journey(environment, **kwargs):
    if path := os.environ.get("BENCH_JOURNEY_NEXT_FILE"):
        Path(path).write_text(f"{_journeys_taken['next']}\n")
