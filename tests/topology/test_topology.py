"""Proceed on several servers, run as processes on this machine: `make topology-test`.

What it starts, on 127.0.0.1, each on a free port and with production settings from the environment
(config.settings, DJANGO_DEBUG off, no .env, a random secret key, the worker's task queue by default):

- moto's standalone S3 server, with a bucket under Object Lock (PROCEED_STORAGE=s3, records kept
  with COMPLIANCE retention);
- a PostgreSQL database of its own, `proceed_topology_<random>`, on the server at
  TOPOLOGY_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres), migrated, with the
  sample content and a pool of patients' requests; dropped WITH (FORCE) at the end;
- Redis at TOPOLOGY_REDIS_URL (default redis://127.0.0.1:6379/12) under a key prefix of its own;
  at the end only keys with that prefix are deleted (never FLUSHDB);
- two app servers, `gunicorn config.wsgi --workers 2` ("a" and "b"), and one PDF worker,
  `manage.py proceed_worker`, each in a process group of its own; for one test a third app server
  whose Redis is one it starts itself (`redis-server`), to stop it.

Every request goes to the app servers in turn, as a load balancer would (a GET to one, the form's
POST to the other), with the patient's address in X-Forwarded-For as the proxy would add it.
Each process's output goes to a log file, shown when a test fails. At the end every process is
stopped by its id (SIGTERM, then SIGKILL), and the module fails if one is still running.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

import boto3
import psycopg
import pytest
import redis
from botocore.config import Config
from django_ratelimit.core import _get_window

from tests.topology.harness import (
    BIN,
    PY,
    ROOT,
    RUNNING_TOPOLOGIES,
    Balancer,
    Browser,
    Patient,
    Processes,
    answers_health,
    free_port,
    get_json,
    run,
    wait_for,
)

pytestmark = pytest.mark.topology

POSTGRES = os.environ.get("TOPOLOGY_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("TOPOLOGY_REDIS_URL", "redis://127.0.0.1:6379/12")
BUCKET = "proceed-topology"
S3_KEYS = {"aws_access_key_id": "topology", "aws_secret_access_key": "topology-secret"}
PATIENTS = 20
# The sweep queues again a render whose worker has not been seen for this long (records.worker).
ABANDONED_AFTER_SECONDS = 30
RENDER_TASK = "records.tasks.render_consent_document"
PROCESS_START_SECONDS = 60


class Topology:
    """Everything one run of the module starts, and how to reach it."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        (tmp / "logs").mkdir()
        self.processes = Processes(tmp / "logs")
        run_id = secrets.token_hex(4)
        self.database_name = f"proceed_topology_{run_id}"
        self.database_url = urllib.parse.urlunsplit(
            urllib.parse.urlsplit(POSTGRES)._replace(path="/" + self.database_name)
        )
        self.database_created = False
        self.redis_prefix = f"proceed-topology-{run_id}"
        self.ports = {"s3": free_port(), "a": free_port(), "b": free_port()}
        self.s3_url = f"http://127.0.0.1:{self.ports['s3']}"
        self.worker_count = 0
        self.patients: list[Patient] = []

    # Start-up ----------------------------------------------------------------------------

    def environment(self) -> dict[str, str]:
        """The production settings, from the environment only, as deploy/env.example lists them."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "PROCEED_", "DATABASE_", "REDIS_", "BENCH_", "AWS_", "TOPOLOGY_"))
        }
        env |= {
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PROCEED_ENV_FILE": "",  # not a developer's .env
            "DJANGO_SECRET_KEY": self.secret_key,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            # The app servers speak plain HTTP behind the (here imaginary) TLS proxy.
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "PROCEED_BASE_URL": f"http://127.0.0.1:{self.ports['a']}",
            "PROCEED_TRUSTED_PROXY_COUNT": "1",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": REDIS,
            "PROCEED_CACHE_KEY_PREFIX": self.redis_prefix,
            "PROCEED_STORAGE": "s3",
            "PROCEED_S3_BUCKET": BUCKET,
            "PROCEED_S3_ENDPOINT_URL": self.s3_url,
            "PROCEED_S3_REGION": "us-east-1",
            "PROCEED_S3_ACCESS_KEY_ID": S3_KEYS["aws_access_key_id"],
            "PROCEED_S3_SECRET_ACCESS_KEY": S3_KEYS["aws_secret_access_key"],
            "PROCEED_RECORD_RETENTION_DAYS": "1",
            "PROCEED_SIGNING_KEY": str(self.tmp / "signing" / "seal-key.pem"),
            "PROCEED_SIGNING_CERT": str(self.tmp / "signing" / "seal-cert.pem"),
            "PROCEED_EMERGENCY_NUMBER": "999",
            # Nothing should be written to a local folder: if something is, it is here, and removed.
            "PROCEED_PRIVATE_ROOT": str(self.tmp / "private"),
            "DJANGO_MEDIA_ROOT": str(self.tmp / "media"),
        }
        return env

    def start(self) -> None:
        self.secret_key = secrets.token_urlsafe(50)
        self.env = self.environment()
        self.require_servers()
        # What doesn't depend on the database, side by side with it: the S3 server, the seal,
        # the static files (production serves them from the manifest collectstatic writes).
        self.start_s3()
        beside = [
            subprocess.Popen(
                [PY, "manage.py", "make_dev_signing_certificate", "--out", str(self.tmp / "signing")],
                env=self.env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        ]
        beside += collect_static(self.env)
        self.sql(f'CREATE DATABASE "{self.database_name}"', database=POSTGRES)
        self.database_created = True
        run([PY, "manage.py", "migrate", "--noinput", "-v0"], self.env)
        run([PY, "manage.py", "load_sample_content"], self.env)
        made = run([PY, str(ROOT / "tests" / "topology" / "make_requests.py"), str(PATIENTS)], self.env)
        pool = json.loads(made.stdout.strip().splitlines()[-1])
        self.patients = [Patient(entry, pool["content"]) for entry in pool["patients"]]
        for process in beside:
            _, error = process.communicate(timeout=180)
            if process.returncode != 0:
                raise RuntimeError(f"{process.args[2]} failed: {error.decode(errors='replace')[-2000:]}")
        self.wait_for_s3()
        self.create_bucket()
        self.start_app("a")
        self.start_app("b")
        self.worker_id = self.start_worker()

    def require_servers(self) -> None:
        try:
            self.sql("SELECT 1", database=POSTGRES)
        except psycopg.OperationalError as error:
            raise RuntimeError(
                f"The topology test needs PostgreSQL at {POSTGRES} (TOPOLOGY_POSTGRES_URL), a user that may "
                f"create databases: {error}"
            ) from None
        try:
            redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping()
        except redis.exceptions.RedisError as error:
            raise RuntimeError(f"The topology test needs Redis at {REDIS} (TOPOLOGY_REDIS_URL): {error}") from None

    def start_s3(self) -> None:
        self.processes.start(
            "s3", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.ports["s3"])], os.environ.copy()
        )

    def wait_for_s3(self) -> None:
        def answers():
            try:
                self.s3().list_buckets()
            except Exception:
                return False
            return True

        wait_for("the S3 server answering", answers, PROCESS_START_SECONDS)

    def create_bucket(self) -> None:
        self.s3().create_bucket(Bucket=BUCKET, ObjectLockEnabledForBucket=True)

    def s3(self):
        return boto3.client(
            "s3",
            endpoint_url=self.s3_url,
            region_name="us-east-1",
            config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30),
            **S3_KEYS,
        )

    def start_app(self, name: str, env: dict[str, str] | None = None) -> int:
        """gunicorn as the README and deploy/ run it (fewer workers), on this server's port."""
        port = self.ports.setdefault(name, free_port())
        command = [str(BIN / "gunicorn"), "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
        # No control socket: two servers on one machine would share its default path in ~/.gunicorn.
        command += ["--no-control-socket", "--timeout", "120"]
        process = self.processes.start(f"app-{name}", command, env or self.env)

        def up():
            if process.poll() is not None:
                raise RuntimeError(f"app server {name} exited ({process.returncode})")
            return answers_health(port)

        wait_for(f"app server {name} answering /healthz with 200", up, PROCESS_START_SECONDS)
        return port

    def start_worker(self, *, slow: bool = False) -> str:
        """A PDF worker; returns its id (also the name of its log). `slow`: its renders wait first."""
        self.worker_count += 1
        worker_id = f"topology-worker-{self.worker_count}"
        script = [str(ROOT / "tests" / "topology" / "slow_worker.py")] if slow else ["manage.py", "proceed_worker"]
        options = ["--no-reload", "--no-startup-delay", "--interval", "0.2", "--worker-id", worker_id]
        env = self.env | {"TOPOLOGY_RENDER_DELAY": "20"} if slow else self.env
        process = self.processes.start(worker_id, [PY, *script, *options], env)

        def seen():
            if process.poll() is not None:
                raise RuntimeError(f"{worker_id} exited ({process.returncode})")
            return self.sql("SELECT 1 FROM records_workerheartbeat WHERE worker_id = %s", [worker_id])

        wait_for(f"{worker_id}'s first heartbeat", seen, PROCESS_START_SECONDS)
        return worker_id

    # Looking inside ----------------------------------------------------------------------

    def sql(self, query: str, params: list | None = None, *, database: str | None = None) -> list[tuple]:
        with psycopg.connect(database or self.database_url, autocommit=True, connect_timeout=10) as connection:
            cursor = connection.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def patient(self) -> Patient:
        """A patient no test has used yet."""
        return self.patients.pop(0)

    def signature(self, patient: Patient) -> tuple[int, str]:
        rows = self.sql("SELECT id, document_id FROM consent_signature WHERE request_id = %s", [patient.request_id])
        assert len(rows) == 1, f"signatures of request {patient.request_id}: {rows}"
        return rows[0]

    def documents(self, patient: Patient) -> list[tuple[str, str]]:
        """(file name, SHA-256) of each consent record stored for this patient's signature."""
        return self.sql(
            "SELECT d.file, d.sha256 FROM consent_consentdocument d JOIN consent_signature s ON s.id = d.signature_id "
            "WHERE s.request_id = %s",
            [patient.request_id],
        )

    def audit_actions(self, patient: Patient, action: str) -> int:
        query = "SELECT count(*) FROM consent_auditevent WHERE request_id = %s AND action = %s"
        return self.sql(query, [patient.request_id, action])[0][0]

    def render_tasks(self, signature_id: int) -> list[tuple[str, list]]:
        """(status, worker ids) of every render task of this signature, oldest first."""
        return self.sql(
            "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE task_path = %s "
            "AND args_kwargs -> 'args' ->> 0 = %s ORDER BY enqueued_at",
            [RENDER_TASK, str(signature_id)],
        )

    def request_status(self, patient: Patient) -> str:
        return self.sql("SELECT status FROM consent_consentrequest WHERE id = %s", [patient.request_id])[0][0]

    def stored_object(self, file_name: str) -> bytes:
        return self.s3().get_object(Bucket=BUCKET, Key=f"proceed/{file_name}")["Body"].read()

    def logs(self) -> str:
        return self.processes.logs()

    # The end -----------------------------------------------------------------------------

    def tear_down(self) -> list[str]:
        """Stop every process, drop the database, delete this run's Redis keys; what went wrong."""
        problems = []
        try:
            self.processes.stop_all()
        except Exception as error:
            problems.append(f"stopping the processes: {error!r}")
        if survivors := self.processes.survivors():
            problems.append(f"processes still running after the test, by process group: {survivors}")
        if self.database_created:
            try:
                self.sql(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)', database=POSTGRES)
            except Exception as error:
                problems.append(f"dropping {self.database_name}: {error!r}")
        try:
            shared = redis.Redis.from_url(REDIS, socket_connect_timeout=2, socket_timeout=5)
            for key in shared.scan_iter(match=f"{self.redis_prefix}:*", count=500):
                shared.delete(key)
        except redis.exceptions.RedisError as error:
            problems.append(f"deleting the keys {self.redis_prefix}:* from {REDIS}: {error!r}")
        return problems


def collect_static(env: dict[str, str]) -> list[subprocess.Popen]:
    """collectstatic into staticfiles/ (git-ignored), as the image's build does, unless it is up to date."""
    sources = [ROOT / "requirements.txt", ROOT / "config" / "settings.py", *(ROOT / "static").rglob("*")]
    fingerprint = hashlib.sha256(
        "\n".join(
            f"{path}:{path.stat().st_size}:{path.stat().st_mtime_ns}" for path in sources if path.is_file()
        ).encode()
    ).hexdigest()
    stamp = ROOT / "staticfiles" / ".topology-collected"
    if stamp.exists() and stamp.read_text() == fingerprint and (ROOT / "staticfiles" / "staticfiles.json").exists():
        return []
    script = (
        "import subprocess, sys, pathlib; "
        "done = subprocess.run([sys.executable, 'manage.py', 'collectstatic', '--noinput', '-v0']); "
        f"done.returncode or pathlib.Path({str(stamp)!r}).write_text({fingerprint!r}); sys.exit(done.returncode)"
    )
    return [subprocess.Popen([PY, "-c", script], env=env, cwd=ROOT, stderr=subprocess.PIPE)]


@pytest.fixture(scope="module")
def topology():
    tmp = Path(tempfile.mkdtemp(prefix="proceed-topology-"))
    topology = Topology(tmp)
    RUNNING_TOPOLOGIES.append(topology)
    started = time.monotonic()
    try:
        try:
            topology.start()
        except Exception as error:
            raise RuntimeError(f"The topology did not start: {error}\n{topology.logs()}") from error
        print(f"\ntopology started in {time.monotonic() - started:.1f} s: {topology.ports}")
        yield topology
    finally:
        problems = topology.tear_down()
        RUNNING_TOPOLOGIES.remove(topology)
        shutil.rmtree(tmp, ignore_errors=True)
    if problems:
        pytest.fail("The topology did not end cleanly:\n" + "\n".join(problems))


def servers(topology: Topology) -> list[int]:
    return [topology.ports["a"], topology.ports["b"]]


_addresses = itertools.count(1)


def address() -> str:
    """An address of its own for each simulated patient (TEST-NET-3), as the proxy reports it: none shares
    another's count of dates of birth tried."""
    return f"203.0.113.{next(_addresses)}"


def address_in_the_middle_of_its_window() -> str:
    """An address whose rate-limit window (10 minutes, starting at a moment that depends on the address:
    django-ratelimit's _get_window) does not end in the next minute, so its count is not reset halfway."""
    period = 10 * 60  # PROCEED_RATE_LIMIT_MINUTES
    for number in range(1, 255):
        candidate = f"198.51.100.{number}"  # TEST-NET-2: no patient's address
        if _get_window(candidate, period) - time.time() > 60:
            return candidate
    raise AssertionError("no address with a minute left in its window")


def wait_for_record(topology: Topology, patient: Patient, browser: Browser, timeout: float) -> None:
    """Poll the done page, as its meta refresh does (never records.pdf, which would render the PDF itself),
    until it offers the signed record."""

    def ready():
        page = browser.get(patient.root + "done/")
        assert page.status == 200, page
        return "Download your signed record (PDF)" in page.text

    wait_for(f"the signed PDF of request {patient.request_id} ready on the done page", ready, timeout, 0.5)


def download_and_compare(topology: Topology, patient: Patient, browser: Browser, port: int) -> bytes:
    """records.pdf through `port`: byte-identical to the object in the bucket, whose SHA-256 is the stored one."""
    response = browser.get(patient.root + "records.pdf", port=port)
    assert response.status == 200, response
    assert response.headers["content-type"] == "application/pdf"
    assert response.body.startswith(b"%PDF")
    [(file_name, sha256)] = topology.documents(patient)
    stored = topology.stored_object(file_name)
    assert response.body == stored
    assert hashlib.sha256(stored).hexdigest() == sha256
    return stored


# The tests, in order -------------------------------------------------------------------------


def test_a_journey_started_on_one_server_continues_on_the_other_and_the_worker_renders_the_record(topology):
    a, b = servers(topology)
    patient = topology.patient()
    browser = Browser([a, b], address())

    patient.walk_to_signing(browser)
    patient.sign(browser)
    wait_for_record(topology, patient, browser, timeout=60)
    download_and_compare(topology, patient, browser, port=b)
    [(file_name, _)] = topology.documents(patient)
    head = topology.s3().head_object(Bucket=BUCKET, Key=f"proceed/{file_name}")
    assert (head["ObjectLockMode"], head["ServerSideEncryption"]) == ("COMPLIANCE", "AES256")
    assert not (topology.tmp / "private").exists()  # no server kept a copy on its own disk

    # Every request went to the other server than the one before it, forms' GET and POST included.
    alternating = [(a, b)[turn % 2] for turn in range(len(browser.served_by) - 1)]
    assert browser.served_by == [*alternating, b]
    # The worker rendered it (the signing request only queued it), once.
    signature_id, _ = topology.signature(patient)
    assert topology.render_tasks(signature_id) == [("SUCCESSFUL", [topology.worker_id])]
    assert topology.audit_actions(patient, "document_rendered") == 1


def test_the_date_of_birth_limit_per_address_holds_across_both_servers(topology):
    a, b = servers(topology)
    limit = 20  # PROCEED_IDENTITY_CHECKS_PER_IP's default
    guesser = address_in_the_middle_of_its_window()
    balancer = Balancer([a, b])
    # Five wrong dates of birth lock a link: four links take the twenty wrong tries.
    for _ in range(limit // 5):
        patient = topology.patient()
        browser = Browser(balancer, guesser)
        for attempt in range(5):
            page = browser.get(patient.root + "identity/")
            answer = browser.post(
                patient.root + "identity/", {"csrfmiddlewaretoken": page.csrf()} | patient.date_of_birth(wrong=True)
            )
            assert answer.status == (404 if attempt == 4 else 200), answer  # the fifth locks the link

    patient = topology.patient()
    browser = Browser(balancer, guesser)
    page = browser.get(patient.root + "identity/")
    refused = [
        browser.post(
            patient.root + "identity/", {"csrfmiddlewaretoken": page.csrf()} | patient.date_of_birth(), port=port
        )
        for port in (a, b)
    ]
    elsewhere = Browser(balancer, address())
    allowed = patient.confirm_identity(elsewhere)

    assert [response.status for response in refused] == [429, 429]  # even with the right date of birth
    assert allowed.status == 302


def test_an_app_server_killed_mid_journey_loses_nothing(topology):
    a, b = servers(topology)
    patient = topology.patient()
    browser = Browser([a, b], address())
    browser.get(patient.root)
    patient.confirm_identity(browser)
    browser.submit(patient.root + "about/", {}, "/risks/")
    content = patient.content
    # The answers to the risks and the preparation are posted to server a ...
    page = browser.get(patient.root + "risks/", port=b)
    ticks = {f"ack_{key}": "on" for key in content["risks"]}
    assert browser.post(patient.root + "risks/", {"csrfmiddlewaretoken": page.csrf()} | ticks, port=a).status == 302
    page = browser.get(patient.root + "preparing/", port=b)
    answers = {f"ack_{key}": "on" for key in content["steps"]}
    answers |= {f"answer_{key}": value for key, value in content["checklist"].items()}
    assert (
        browser.post(patient.root + "preparing/", {"csrfmiddlewaretoken": page.csrf()} | answers, port=a).status == 302
    )
    # ... which is then killed: the balancer sends everything to b.
    topology.processes.kill("app-a")
    try:
        quiz = {f"q_{key}": value for key, value in content["quiz"].items()}
        browser.submit(patient.root + "understanding/", quiz, "/questions/")
        browser.submit(patient.root + "questions/", {"question": "Can I drive home afterwards?"}, "/review/")
        review = browser.get(patient.root + "review/")

        assert review.port == b and review.status == 200
        assert review.text.count("You said you understand this risk.") == len(content["risks"])
        assert review.text.count("You said you will do this.") == len(content["steps"])
        assert "not answered" not in review.text and "Not ticked yet" not in review.text
        assert "Can I drive home afterwards?" in review.text

        patient.review_and_decide(browser)
        patient.sign(browser)
        assert topology.request_status(patient) == "signed"
        wait_for_record(topology, patient, browser, timeout=60)
        download_and_compare(topology, patient, browser, port=b)
        last_on_a = len(browser.served_by) - 1 - browser.served_by[::-1].index(a)
        assert set(browser.served_by[last_on_a + 1 :]) == {b}
    finally:
        topology.start_app("a")


def test_the_object_store_down_while_a_patient_signs_keeps_the_signature_and_the_record_follows(topology):
    a, b = servers(topology)
    patient = topology.patient()
    browser = Browser([a, b], address())
    patient.walk_to_signing(browser)

    topology.processes.kill("s3")
    try:
        patient.sign(browser)
        signature_id, _ = topology.signature(patient)
        assert topology.request_status(patient) == "signed"
        # The worker tried, and failed: nothing stored, a later attempt queued (records.tasks).
        wait_for(
            "the worker's render failing with the store down",
            lambda: [status for status, _ in topology.render_tasks(signature_id)] == ["FAILED", "READY"],
            timeout=90,
            interval=0.5,
        )
        assert topology.documents(patient) == []
        assert topology.audit_actions(patient, "document_rendered") == 0
        done = browser.get(patient.root + "done/")
        assert done.status == 200 and "Your PDF is being prepared" in done.text
        assert '<meta http-equiv="refresh"' in done.text
        # Asking for the PDF now tries to render it in the request, and says it is pending: never a 500.
        pending = browser.get(patient.root + "records.pdf")
        assert pending.status == 503, pending
        status, health = get_json(b, "/healthz")
        assert health["storage"] == "error" and health["pending_pdfs"] >= 1, (status, health)
    finally:
        # The store comes back (moto keeps nothing in memory: the bucket is made again, as a store
        # coming back with its data would have it).
        topology.start_s3()
        topology.wait_for_s3()
        topology.create_bucket()

    # The task's next attempt is a minute away (records.tasks.RETRY_DELAYS); an operator, or cron,
    # renders what is pending at once.
    rendered = run([PY, "manage.py", "render_pending_documents"], topology.env)
    _, document_id = topology.signature(patient)
    assert f"Rendered {document_id}" in rendered.stdout
    assert get_json(a, "/healthz")[1]["storage"] == "ok"
    wait_for_record(topology, patient, browser, timeout=30)
    download_and_compare(topology, patient, browser, port=b)
    assert len(topology.documents(patient)) == 1
    assert topology.audit_actions(patient, "document_rendered") == 1


def test_with_redis_down_date_of_birth_checks_say_try_again_and_a_checked_patient_still_signs(topology):
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is needed to stop a Redis (apt-get install redis-server)")
    redis_port = free_port()
    topology.processes.start(
        "redis-c",
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        os.environ.copy(),
    )
    wait_for(
        "the app server c's own Redis",
        lambda: _pings(f"redis://127.0.0.1:{redis_port}/0"),
        PROCESS_START_SECONDS,
    )
    c = topology.start_app("c", topology.env | {"REDIS_URL": f"redis://127.0.0.1:{redis_port}/0"})
    try:
        checked, unchecked = topology.patient(), topology.patient()
        browser = Browser([c], address())
        browser.get(checked.root)
        checked.confirm_identity(browser)
        browser.submit(checked.root + "about/", {}, "/risks/")
        assert get_json(c, "/healthz")[1]["cache"] == "ok"

        topology.processes.kill("redis-c")

        other = Browser([c], address())
        page = other.get(unchecked.root + "identity/")
        assert page.status == 200
        refused = other.post(
            unchecked.root + "identity/", {"csrfmiddlewaretoken": page.csrf()} | unchecked.date_of_birth()
        )
        assert refused.status == 503, refused
        assert "Please try again in a few minutes" in refused.text
        assert refused.headers.get("retry-after")
        sign_in = other.get("/accounts/login/")
        refused = other.post(
            "/accounts/login/",
            {"csrfmiddlewaretoken": sign_in.csrf(), "username": "nobody", "password": "not a password"},
        )
        assert refused.status == 503 and "Please try again in a few minutes" in refused.text, refused
        status, health = get_json(c, "/healthz")
        assert (status, health["cache"]) == (200, "error")

        # The patient already past the check carries on and signs: sessions are in the database.
        checked.answer_from_risks(browser)
        checked.review_and_decide(browser)
        checked.sign(browser)
        assert topology.request_status(checked) == "signed"
        wait_for_record(topology, checked, browser, timeout=60)
        download_and_compare(topology, checked, browser, port=c)
    finally:
        topology.processes.stop("app-c")
        if topology.processes.alive("redis-c"):
            topology.processes.stop("redis-c")


def _pings(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.exceptions.RedisError:
        return False


def test_a_worker_killed_mid_render_leaves_it_to_another_and_the_record_is_kept_once(topology):
    a, b = servers(topology)
    # One worker only, whose render waits first, so it can be caught mid-render.
    topology.processes.stop(topology.worker_id)
    slow = topology.start_worker(slow=True)
    patient = topology.patient()
    browser = Browser([a, b], address())
    patient.walk_to_signing(browser)
    patient.sign(browser)
    signature_id, document_id = topology.signature(patient)

    wait_for(
        "the slow worker rendering",
        lambda: topology.render_tasks(signature_id) == [("RUNNING", [slow])],
        timeout=30,
        interval=0.05,
    )
    topology.processes.kill(slow)
    killed_at = time.monotonic()
    assert topology.documents(patient) == []
    # Another worker: its sweep queues the render again once the dead one has not been seen for 30 s.
    topology.worker_id = topology.start_worker()

    wait_for_record(topology, patient, browser, timeout=ABANDONED_AFTER_SECONDS + 45)
    took = time.monotonic() - killed_at
    download_and_compare(topology, patient, browser, port=b)
    assert len(topology.documents(patient)) == 1
    assert topology.audit_actions(patient, "document_rendered") == 1
    assert topology.render_tasks(signature_id) == [("RUNNING", [slow]), ("SUCCESSFUL", [topology.worker_id])]
    stored = topology.s3().list_objects_v2(Bucket=BUCKET, Prefix=f"proceed/consent-documents/{document_id}")
    assert stored["KeyCount"] == 1
    print(f"rendered by the second worker {took:.0f} s after the first was killed")
