"""The benchmark driver: `make bench` (full) and `make bench-smoke` (tiny, for CI: no timing assertions).

    .venv/bin/python -m bench.run [--smoke] [--port 8300]

One run, on this machine, in this order:

1. A dedicated database, made afresh: with DATABASE_URL set, `<name>_bench` (and
   `<name>_bench_growth`) on that PostgreSQL server, dropped again at the end; otherwise SQLite
   files under var/bench/. Never the developer's database. Seeded by bench/seed.py.
2. The app as in production: gunicorn (2 x CPUs + 1 sync workers), DEBUG off, the production
   settings plus only what plain HTTP on loopback needs (bench/settings.py), static files
   collected and served by WhiteNoise from its compressed manifest storage.
3. Load from a separate process, locust headless (bench/locustfile.py), one scenario at a
   time, each for a fixed time at a fixed number of users: each patient page, the nurse
   dashboard and the bare view at 1 and at 20 users; then whole journeys at 20 patients,
   the PDF rendered in the signing request (the immediate task backend); then the same
   journeys on a server with production's default, the database task backend, and
   `manage.py proceed_worker` processes rendering the PDFs (`--journeys-only`: only the two
   journey rows, a few minutes).
4. Page weight of each patient page and everything it loads, as a browser with an empty cache
   would fetch it (Accept-Encoding: gzip, br).
5. The dashboard on a second database with 2,000 requests, then with 200,000.
6. PDF rendering in one process (bench/pdf_bench.py).
7. The records archive on a third database with 200,000 decided records, in one process
   (bench/archive_timing.py; `--archive-only`: only this row, a few minutes).

It prints one table, checks the targets of issue 8 (full run only), and writes the table
to var/bench/results-<database>.md and the figures to var/bench/results-<database>.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = ROOT / "var" / "bench"
STATIC = BENCH_VAR / "static"  # bench/settings.py's STATIC_ROOT, shared by both databases' runs
VAR = BENCH_VAR  # this run's files: var/bench/<sqlite|postgresql>/, set in main()
PY = sys.executable
BIN = Path(sys.executable).parent
PAGES = ["identity", "risks", "sign"]

FULL = {
    "patients": 10_000,
    "requests": 20_000,
    "seconds": 12,
    "journey_seconds": 60,
    "users": [1, 20],
    "renders": 500,
    "growth": [2_000, 200_000],
    "growth_seconds": 12,
    "workers": 2 * (os.cpu_count() or 1) + 1,  # gunicorn's advice for sync workers
    "warm_up": True,
    "paced": True,
    "pages": PAGES,
    "pdf_workers": 2,  # proceed_worker processes for the journeys with the worker's queue
    "archive": 200_000,  # decided records in the records archive's database
    "archive_patients": 50_000,
    "archive_base": 560,  # the next two weeks' appointments (40 a day), before the history is added
    "archive_repeat": 30,
}
SMOKE = {
    "patients": 200,
    "requests": 400,
    "seconds": 2,
    "journey_seconds": 5,
    "users": [3],  # one load level: the harness, not the figures
    "renders": 1,
    "growth": [200, 600],
    "growth_seconds": 2,
    "workers": 2,
    "warm_up": False,
    "paced": False,
    "pages": ["risks"],  # one patient page is enough to keep the harness working
    "pdf_workers": 1,
    "archive": 600,
    "archive_patients": 300,
    "archive_base": 100,
    "archive_repeat": 3,
}
# The targets of issue 8, checked on the full run.
TARGETS_MS = 50  # patient pages and dashboard p95 at 20 users
TARGET_BARE_SHARE = 0.25  # patient-page throughput / bare view's
TARGET_GROWTH = 1.5  # dashboard p95 at 200,000 requests / at 2,000
TARGET_PDF_RATIO = 1.2
TARGET_PDF_MEDIAN_MS = 500
TARGET_MEMORY_MB = 50
TARGET_PAGE_KB = 100
TARGET_ARCHIVE_MS = 100  # every records archive row's p90 (issue 17)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# Databases -------------------------------------------------------------------------------


class Databases:
    """The bench's own databases: SQLite files, or `<name>_bench*` on the DATABASE_URL server."""

    def __init__(self):
        self.server_url = os.environ.get("DATABASE_URL", "")
        self.kind = "postgresql" if self.server_url.startswith(("postgres://", "postgresql://")) else "sqlite"
        if self.server_url and self.kind == "sqlite" and not self.server_url.startswith("sqlite"):
            raise SystemExit(f"bench: DATABASE_URL must be PostgreSQL or SQLite, not {self.server_url.split(':')[0]}")

    def url(self, suffix: str) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{VAR / f'{suffix}-bench.sqlite3'}"
        parts = urllib.parse.urlsplit(self.server_url)
        return urllib.parse.urlunsplit(parts._replace(path="/" + self.name(suffix)))

    def name(self, suffix: str) -> str:
        base = urllib.parse.urlsplit(self.server_url).path.lstrip("/") or "proceed"
        return f"{base}_bench" + ("" if suffix == "main" else f"_{suffix}")

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.server_url, autocommit=True) as connection:
            connection.execute(sql)

    def create(self, suffix: str) -> str:
        if self.kind == "sqlite":
            for path in VAR.glob(f"{suffix}-bench.sqlite3*"):
                path.unlink()
        else:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name(suffix)}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name(suffix)}"')
        return self.url(suffix)

    def drop(self, suffix: str) -> None:
        if self.kind == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name(suffix)}" WITH (FORCE)')


# Processes -------------------------------------------------------------------------------


def environment(
    database_url: str, port: int, *, plain_static: bool = False, task_backend: str = "immediate"
) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PROCEED_", "DATABASE_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "BENCH_DATABASE_URL": database_url,
            "PROCEED_ENV_FILE": "",  # not the developer's .env (it turns DEBUG on)
            # Most rows render the PDF in the signing request (what a one-box install without a
            # worker did); production's default, the worker's queue ("database"), has journeys of its own.
            "PROCEED_TASK_BACKEND": task_backend,
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "PROCEED_BASE_URL": f"http://127.0.0.1:{port}",
            "BENCH_MANIFEST": str(VAR / "manifest.json"),
            "PYTHONPATH": str(ROOT),
        }
    )
    if plain_static:
        env["BENCH_STATIC_PLAIN"] = "1"
    return env


def run(command: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, env=env, cwd=ROOT, text=True, capture_output=True, **kwargs)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"bench: {' '.join(command[:4])} ... failed")
    return result


class Server:
    """gunicorn serving the bench settings on 127.0.0.1:port, as production would (behind its proxy)."""

    def __init__(self, env: dict[str, str], port: int, workers: int):
        self.env, self.port, self.workers = env, port, workers
        self.process: subprocess.Popen | None = None

    def __enter__(self):
        self.log = open(VAR / "gunicorn.log", "a")
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--worker-class",
                "sync",
                "--timeout",
                "120",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _, _ = fetch(self.port, "/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None:
                raise SystemExit(f"bench: gunicorn exited; see {VAR / 'gunicorn.log'}")
            time.sleep(0.3)
        raise SystemExit("bench: gunicorn did not answer /healthz within a minute")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class PdfWorkers:
    """`manage.py proceed_worker` processes, the command deploy/ runs, rendering the PDFs the server queues."""

    def __init__(self, env: dict[str, str], count: int, port: int):
        self.env, self.count, self.port = env, count, port
        self.processes: list[subprocess.Popen] = []

    def __enter__(self):
        self.log = open(VAR / "worker.log", "a")
        for _ in range(self.count):
            self.processes.append(
                subprocess.Popen(
                    [PY, "manage.py", "proceed_worker"],
                    env=self.env,
                    cwd=ROOT,
                    stdout=self.log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(process.poll() is not None for process in self.processes):
                raise SystemExit(f"bench: a PDF worker exited; see {VAR / 'worker.log'}")
            status, _, body = fetch(self.port, "/healthz")
            if status == 200 and json.loads(body).get("worker_seen_seconds_ago") is not None:
                time.sleep(1)  # the others start alongside
                return self
            time.sleep(0.3)
        raise SystemExit("bench: no PDF worker said it was alive within a minute")

    def __exit__(self, *exc):
        for process in self.processes:  # SIGTERM: each finishes the render in progress, then exits
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(90)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.log.close()


def fetch(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One GET on loopback; the body exactly as sent (compressed bodies are not decompressed)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def collect_static(env: dict[str, str], *, plain: bool) -> None:
    """collectstatic into var/bench/static/, as production's deploy step; skipped when already up to date.

    WhiteNoise compresses every file with gzip and brotli, which takes a minute or two here; the
    smoke run (no page weight target) uses Django's manifest storage without compression instead.
    """
    kind = "plain" if plain else "compressed"
    stamp = STATIC / f".collected-{kind}"
    sources = [*(ROOT / "static").rglob("*"), ROOT / "requirements.txt", ROOT / "config" / "settings.py"]
    newest = max(path.stat().st_mtime for path in sources if path.is_file())
    if stamp.exists() and stamp.stat().st_mtime > newest:
        return
    log(f"collectstatic ({kind})")
    shutil.rmtree(STATIC, ignore_errors=True)
    run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    stamp.touch()


# Load ------------------------------------------------------------------------------------

_runs = iter(range(1, 10_000))


def locust(env, port, user_class, users, seconds, *, page="", label="", pace=0, extra=None) -> dict[str, dict]:
    """Run one locust scenario; its stats rows by request name."""
    number = next(_runs)
    prefix = VAR / f"locust-{number:02d}"
    window_file = VAR / f"locust-{number:02d}-window.txt"
    run_env = (
        env
        | {
            "BENCH_RUN": str(number),
            "BENCH_PAGE": page,
            "BENCH_SECONDS": str(seconds),
            "BENCH_WINDOW_FILE": str(window_file),
            "BENCH_PACE": str(pace),
        }
        | (extra or {})
    )
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",  # only a safety net: the locustfile ends the run `seconds` after all users started
        f"{seconds + 90}s",
        "--stop-timeout",
        "30",
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        user_class,
    ]
    log(f"locust {label or user_class}: {users} user(s){f' at {pace}/s each' if pace else ''}, {seconds} s")
    subprocess.run(command, env=run_env, cwd=ROOT, text=True, capture_output=True, timeout=seconds + 150)
    rows = {"window": float(window_file.read_text()) if window_file.exists() else float(seconds)}
    with open(f"{prefix}_stats.csv") as file:
        for row in csv.DictReader(file):
            rows[row["Name"]] = row
    failures = {}
    failures_path = Path(f"{prefix}_failures.csv")
    if failures_path.exists():
        with open(failures_path) as file:
            for row in csv.DictReader(file):
                failures[row["Name"]] = f"{row['Occurrences']} x {row['Error']}"
    for name, text in failures.items():
        log(f"  failures in {name}: {text}")
    return rows


def figures(rows: dict, name: str) -> dict:
    row, seconds = rows[name], rows["window"]
    count = int(row["Request Count"])
    return {
        "requests": count,
        "failures": int(row["Failure Count"]),
        "rps": count / seconds,
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
    }


def journeys(env, port, users, seconds, *, from_worker: bool, offset: int = 0, label="journeys", pace=0) -> dict:
    """Whole journeys at `users` patients; `from_worker`: the server queues the PDFs for proceed_worker."""
    next_file = VAR / "journey-next.txt"
    next_file.unlink(missing_ok=True)
    extra = {"BENCH_JOURNEY_OFFSET": str(offset), "BENCH_JOURNEY_NEXT_FILE": str(next_file)}
    if from_worker:
        extra["BENCH_PDF_FROM_WORKER"] = "1"
    rows = locust(env, port, "JourneyUser", users, seconds, label=label, extra=extra, pace=pace)
    journey = rows.get("journey", {"Request Count": 0, "Failure Count": 0})
    completed = int(journey["Request Count"]) - int(journey["Failure Count"])
    sign = rows.get("j: sign POST (queues the PDF)" if from_worker else "j: sign POST (renders the PDF)", {})
    result = {
        "users": users,
        "pace": pace,
        "completed": completed,
        "failed": int(journey["Failure Count"]),
        "per_minute": completed / rows["window"] * 60,
        "sign_p50": float(sign.get("50%", "nan")),
        "sign_p95": float(sign.get("95%", "nan")),
        "next_journey": int(next_file.read_text()) if next_file.exists() else offset + 1000,
    }
    if from_worker:
        ready = rows.get("j: signed to PDF downloadable", {})
        result |= {
            "pdfs": int(ready.get("Request Count", 0)),
            "pdf_ready_p50": float(ready.get("50%", "nan")),
            "pdf_ready_p95": float(ready.get("95%", "nan")),
            "pdf_ready_max": float(ready.get("Max Response Time", "nan")),
        }
    return result


def worker_journeys(env, port, plan, workers, *, offset: int) -> dict:
    """The journeys again with production's task backend: gunicorn queues each PDF in the database and
    `plan["pdf_workers"]` proceed_worker processes render it; how long signing takes, and how long until
    the PDF can be downloaded. Without think time (as the journeys before), then (full run) with
    patients who read each page for 2 s on average, the renders no longer queueing behind each other."""
    worker_env = env | {"PROCEED_TASK_BACKEND": "database"}
    count = plan["pdf_workers"]
    users, seconds = plan["users"][-1], plan["journey_seconds"]
    rows = {}
    with Server(worker_env, port, workers), PdfWorkers(worker_env, count, port):
        if plan["warm_up"]:
            locust(worker_env, port, "PageUser", workers * 2, 2, page="risks", label="warm-up risks")
        label = f"journeys, PDFs from {count} worker{'s' if count > 1 else ''}"
        rows["busy"] = journeys(worker_env, port, users, seconds, from_worker=True, offset=offset, label=label)
        if plan["paced"]:
            offset = rows["busy"]["next_journey"]
            rows["paced"] = journeys(
                worker_env,
                port,
                users,
                seconds,
                from_worker=True,
                offset=offset,
                label=label + ", 2 s a page",
                pace=0.5,
            )
    return {name: row | {"pdf_workers": count} for name, row in rows.items()}


def journeys_line(j: dict, seconds: int) -> str:
    return (
        f"Complete journeys (welcome to signed PDF) at {j['users']} patients: {j['per_minute']:.1f} per minute "
        f"({j['completed']} in {seconds} s, {j['failed']} failed; "
        f"signing, which renders the PDF, p50 {j['sign_p50']:.0f} ms, p95 {j['sign_p95']:.0f} ms)"
    )


def worker_journeys_lines(rows: dict, seconds: int) -> list[str]:
    lines = []
    for name, w in rows.items():
        who = "The same journeys" if name == "busy" else "The same, the patients reading each page for 2 s on average,"
        lines += [
            f"{who} with production's task backend (PROCEED_TASK_BACKEND=database, {w['pdf_workers']} "
            f"`manage.py proceed_worker` rendering the PDFs): {w['per_minute']:.1f} per minute ({w['completed']} "
            f"in {seconds} s, {w['failed']} failed); signing, which queues the PDF, p50 {w['sign_p50']:.0f} ms, "
            f"p95 {w['sign_p95']:.0f} ms; from signing to the PDF downloadable (done page asked every 0.5 s), "
            f"p50 {w['pdf_ready_p50']:.0f} ms, p95 {w['pdf_ready_p95']:.0f} ms, max {w['pdf_ready_max']:.0f} ms "
            f"({w['pdfs']} PDFs)",
            "",
        ]
    return lines[:-1]


# Page weight -----------------------------------------------------------------------------

ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="(/[^"]+)"')
CSS_URL = re.compile(r"url\((?!['\"]?data:)['\"]?([^'\")]+)['\"]?\)")


class Browser:
    """A minimal browser: keeps cookies, sends what a browser sends, counts bytes as received."""

    def __init__(self, port: int, address: str):
        self.port, self.address, self.cookies = port, address, {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict, bytes]:
        headers = {"Accept-Encoding": "gzip, br", "X-Forwarded-For": self.address, "Accept": "text/html,*/*"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": "null"}
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
            return response.status, {k.lower(): v for k, v in response.getheaders()}, payload
        finally:
            connection.close()


def page_weight(port: int, manifest: dict) -> dict[str, dict]:
    """Each patient page with its CSS, JS, images and fonts, as an empty-cache browser loads it."""
    patient = manifest["pages"][-1]
    root = f"/c/{patient['token']}/"
    browser = Browser(port, "10.255.255.254")
    _, _, body = browser.request("GET", root + "identity/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    year, month, day = (int(x) for x in patient["dob"].split("-"))
    status, _, _ = browser.request(
        "POST", root + "identity/", {"csrfmiddlewaretoken": token, "day": day, "month": month, "year": year}
    )
    if status != 302:
        raise SystemExit(f"bench: page weight: the identity check answered {status}")
    weights = {}
    paths = {
        "welcome": "",
        "identity": "identity/",
        "about": "about/",
        "risks": "risks/",
        "preparing": "preparing/",
        "understanding": "understanding/",
        "questions": "questions/",
        "review": "review/",
        "decide": "decide/",
        "sign": "sign/consent/",
    }
    for name, path in paths.items():
        status, _, body = browser.request("GET", root + path)
        if status != 200:
            raise SystemExit(f"bench: page weight: {name} answered {status}")
        total, requests, seen = len(body), 1, set()
        queue = ASSET.findall(body.decode("utf-8", "replace"))
        while queue:
            asset = queue.pop(0).replace("&amp;", "&")
            if asset in seen:
                continue
            seen.add(asset)
            status, _headers, payload = browser.request("GET", asset)
            total += len(payload)
            requests += 1
            if asset.split("?")[0].endswith(".css"):
                text = fetch(port, asset)[2]  # uncompressed, only to find the fonts and images it loads
                for url in CSS_URL.findall(text.decode("utf-8", "replace")):
                    queue.append(urllib.parse.urljoin(asset, url.split("#")[0]))
        weights[name] = {"bytes": total, "requests": requests, "html_bytes": len(body)}
    return weights


# The run ---------------------------------------------------------------------------------


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    except OSError:
        memory_kb = 0
    import django

    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(memory_kb / 2**20, 1),
        "python": platform.python_version(),
        "django": django.get_version(),
        "os": platform.platform(),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Proceed's benchmark")
    parser.add_argument("--smoke", action="store_true", help="tiny data, short runs, no target checks (CI)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8300")))
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: 2 x CPUs + 1; smoke: 2)")
    parser.add_argument(
        "--renders", type=int, default=int(os.environ.get("BENCH_PDF_RENDERS", "0")), help="PDF renders (default 500)"
    )
    parser.add_argument(
        "--journeys-only",
        action="store_true",
        help="seed, then only the journeys: PDFs rendered in the signing request, then by proceed_worker",
    )
    parser.add_argument("--pdf-workers", type=int, help="proceed_worker processes for those journeys (default 2)")
    parser.add_argument(
        "--archive-only",
        action="store_true",
        help="only the records archive: its own database with 200,000 decided records, timed in one process",
    )
    args = parser.parse_args(argv)
    plan = dict(SMOKE if args.smoke else FULL)
    if args.pdf_workers:
        plan["pdf_workers"] = args.pdf_workers
    databases = Databases()
    global VAR
    VAR = BENCH_VAR / databases.kind
    if args.renders:
        plan["renders"] = args.renders
    args.workers = args.workers or plan["workers"]
    VAR.mkdir(parents=True, exist_ok=True)
    for old in VAR.glob("locust-*"):
        old.unlink()
    (VAR / "gunicorn.log").unlink(missing_ok=True)
    (VAR / "worker.log").unlink(missing_ok=True)
    started = time.monotonic()
    results: dict = {"machine": machine(), "database": databases.kind, "smoke": args.smoke, "plan": plan}
    # The machine may be shared: the load average before and during the run says how busy it was.
    results["load_average"] = {"before": os.getloadavg()[0]}
    log(f"database: {databases.kind}; {args.workers} gunicorn workers on 127.0.0.1:{args.port}")
    try:
        if args.archive_only:
            results["archive"] = archive_row(databases, plan, args)
            return report_archive(results, plan, databases.kind, started)
        url = databases.create("main")
        env = environment(url, args.port, plain_static=args.smoke)
        log(f"seeding {plan['patients']} patients, {plan['requests']} requests")
        seeded = run(
            [
                *(PY, "-m", "bench.seed", "--patients", str(plan["patients"]), "--requests", str(plan["requests"])),
                *("--manifest", str(VAR / "manifest.json")),
            ],
            env,
        )
        log(seeded.stdout.strip())
        collect_static(env, plain=args.smoke)
        if args.journeys_only:
            with Server(env, args.port, args.workers):
                if plan["warm_up"]:
                    locust(env, args.port, "PageUser", args.workers * 2, 2, page="risks", label="warm-up risks")
                results["journeys"] = journeys(
                    env, args.port, plan["users"][-1], plan["journey_seconds"], from_worker=False
                )
            results["worker_journeys"] = worker_journeys(
                env, args.port, plan, args.workers, offset=results["journeys"]["next_journey"]
            )
            return report_journeys(results, plan, databases.kind, started)
        manifest = json.loads((VAR / "manifest.json").read_text())
        seconds = plan["seconds"]
        with Server(env, args.port, args.workers):
            # Warm up: every worker imports and caches what it needs before anything is measured.
            for user_class, page in [("PageUser", "risks"), ("PageUser", "sign"), ("NurseUser", ""), ("BareUser", "")]:
                if not plan["warm_up"]:
                    break
                locust(env, args.port, user_class, args.workers * 2, 2, page=page, label=f"warm-up {page}")
            load = {}
            for users in plan["users"]:
                for name in [*plan["pages"], "dashboard", "bare"]:
                    user_class = {"dashboard": "NurseUser", "bare": "BareUser"}.get(name, "PageUser")
                    rows = locust(env, args.port, user_class, users, seconds, page=name, label=name)
                    load[f"{name}@{users}"] = figures(rows, name)
            # The same pages at 20 users who each ask about once a second (a random 0-2 s pause):
            # the latency a busy hour sees.
            paced_users = plan["users"][-1]
            for name in [*plan["pages"], "dashboard"] if plan["paced"] else []:
                user_class = {"dashboard": "NurseUser"}.get(name, "PageUser")
                rows = locust(env, args.port, user_class, paced_users, seconds, page=name, label=name, pace=1)
                load[f"{name}@{paced_users}/s"] = figures(rows, name)
            results["load"] = load
            results["journeys"] = journeys(
                env, args.port, plan["users"][-1], plan["journey_seconds"], from_worker=False
            )
            results["load_average"]["after the HTTP load"] = os.getloadavg()[0]
            log("page weight")
            results["weight"] = page_weight(args.port, manifest)
        save(results, databases.kind)
        results["worker_journeys"] = worker_journeys(
            env, args.port, plan, args.workers, offset=results["journeys"]["next_journey"]
        )
        save(results, databases.kind)
        log(f"PDF: {plan['renders']} renders")
        out = VAR / "pdf.json"
        run([PY, "-m", "bench.pdf_bench", "--renders", str(plan["renders"]), "--out", str(out)], env)
        results["pdf"] = json.loads(out.read_text())
        save(results, databases.kind)

        growth = {}
        growth_url = databases.create("growth")
        growth_env = environment(growth_url, args.port, plain_static=args.smoke) | {
            "BENCH_MANIFEST": str(VAR / "manifest-growth.json")
        }
        small, large = plan["growth"]
        run(
            [
                *(PY, "-m", "bench.seed", "--patients", str(small // 2), "--requests", str(small), "--no-pools"),
                *("--manifest", str(VAR / "manifest-growth.json")),
            ],
            growth_env,
        )
        for count in (small, large):
            if count != small:
                log(f"growing the dashboard's data to {large} requests")
                run([PY, "-m", "bench.seed", "--add", "--requests", str(large - small)], growth_env)
            with Server(growth_env, args.port, args.workers):
                if plan["warm_up"]:
                    locust(growth_env, args.port, "NurseUser", args.workers * 2, 2, label="warm-up dashboard")
                users = plan["users"][-1]
                rows = locust(
                    growth_env, args.port, "NurseUser", users, plan["growth_seconds"], label=f"dashboard, {count}"
                )
                growth[count] = figures(rows, "dashboard")
        results["growth"] = {str(k): v for k, v in growth.items()}
        save(results, databases.kind)
        results["archive"] = archive_row(databases, plan, args)
    finally:
        if databases.kind == "postgresql":
            databases.drop("main")
            databases.drop("growth")
            databases.drop("archive")
    results["seconds"] = time.monotonic() - started
    results["finished"] = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    table = render(results, plan)
    print(table)
    (VAR / f"results-{databases.kind}.md").write_text(table + "\n")
    (VAR / f"results-{databases.kind}.json").write_text(json.dumps(results, indent=2))
    failed_requests = sum(v["failures"] for v in results["load"].values()) + results["journeys"]["failed"]
    failed_requests += sum(row["failed"] for row in results["worker_journeys"].values())
    worker_completed = all(row["completed"] for row in results["worker_journeys"].values())
    if failed_requests or results["journeys"]["completed"] == 0 or not worker_completed:
        log(f"{failed_requests} requests or journeys failed (see the locust lines above and var/bench/gunicorn.log)")
        return 1
    return 0


def report_journeys(results: dict, plan: dict, kind: str, started: float) -> int:
    """`--journeys-only`: print and keep only the journey rows (results-<database>-journeys.*)."""
    results["seconds"] = time.monotonic() - started
    results["finished"] = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    m, j, w = results["machine"], results["journeys"], results["worker_journeys"]
    table = "\n".join(
        [
            f"Proceed benchmark, {kind}, {results['finished']}, journeys only"
            + (" (SMOKE: tiny data, short runs)" if results["smoke"] else ""),
            f"Machine: {m['cpus']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM; Python {m['python']}, Django {m['django']}",
            f"Data: {plan['patients']:,} patients, {plan['requests']:,} requests; run took "
            f"{results['seconds'] / 60:.1f} min; load average (1 min) before {results['load_average']['before']:.1f}, "
            f"after {os.getloadavg()[0]:.1f}",
            "",
            journeys_line(j, plan["journey_seconds"]),
            "",
            *worker_journeys_lines(w, plan["journey_seconds"]),
        ]
    )
    print(table)
    (VAR / f"results-{kind}-journeys.md").write_text(table + "\n")
    (VAR / f"results-{kind}-journeys.json").write_text(json.dumps(results, indent=2))
    failed = j["failed"] + sum(row["failed"] for row in w.values())
    if failed or not j["completed"] or not all(row["completed"] for row in w.values()):
        log(f"{failed} journeys failed (see the locust lines above, var/bench/gunicorn.log and worker.log)")
        return 1
    return 0


def archive_row(databases: Databases, plan: dict, args) -> dict:
    """The records archive on a database of its own: the next two weeks' appointments, then
    `plan["archive"]` decided records with their signatures (bench/seed.py --add --decided), timed
    in one process by bench/archive_timing.py."""
    url = databases.create("archive")
    manifest = VAR / "manifest-archive.json"
    env = environment(url, args.port, plain_static=args.smoke) | {"BENCH_MANIFEST": str(manifest)}
    log(f"seeding the records archive: {plan['archive']:,} decided records")
    run(
        [
            *(PY, "-m", "bench.seed", "--patients", str(plan["archive_patients"])),
            *("--requests", str(plan["archive_base"]), "--no-pools", "--manifest", str(manifest)),
        ],
        env,
    )
    log(run([PY, "-m", "bench.seed", "--add", "--decided", "--requests", str(plan["archive"])], env).stdout.strip())
    collect_static(env, plain=args.smoke)
    out = VAR / "archive.json"
    log("records archive timing")
    run([PY, "-m", "bench.archive_timing", "--repeat", str(plan["archive_repeat"]), "--out", str(out)], env)
    return json.loads(out.read_text())


def report_archive(results: dict, plan: dict, kind: str, started: float) -> int:
    """`--archive-only`: print and keep only the archive's rows (results-<database>-archive.*)."""
    from bench import archive_timing

    results["seconds"] = time.monotonic() - started
    results["finished"] = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    m = results["machine"]
    table = "\n".join(
        [
            f"Proceed benchmark, {kind}, {results['finished']}, records archive only"
            + (" (SMOKE: tiny data, short runs)" if results["smoke"] else ""),
            f"Machine: {m['cpus']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM; Python {m['python']}, Django {m['django']}",
            f"Run took {results['seconds'] / 60:.1f} min; load average (1 min) before "
            f"{results['load_average']['before']:.1f}, after {os.getloadavg()[0]:.1f}",
            "",
            *archive_timing.lines(results["archive"]),
        ]
    )
    print(table)
    (VAR / f"results-{kind}-archive.md").write_text(table + "\n")
    (VAR / f"results-{kind}-archive.json").write_text(json.dumps(results, indent=2))
    return 0 if results["smoke"] or archive_timing.holds(results["archive"]) else 1


def save(results: dict, kind: str) -> None:
    """The figures so far, so a run stopped part-way keeps what it measured."""
    (VAR / f"results-{kind}.json").write_text(json.dumps(results, indent=2))


def render(results: dict, plan: dict) -> str:
    """The table, in Markdown (it reads as plain text too)."""
    m, load, users = results["machine"], results["load"], plan["users"]
    high = users[-1]
    bare = load[f"bare@{high}"]["rps"]
    lines = [
        f"Proceed benchmark, {results['database']}, {results['finished']}"
        + (" (SMOKE: tiny data, short runs)" if results["smoke"] else ""),
        f"Machine: {m['cpus']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM; Python {m['python']}, Django {m['django']}",
        f"Data: {plan['patients']:,} patients, {plan['requests']:,} requests; locust {plan['seconds']} s per row; "
        f"run took {results['seconds'] / 60:.1f} min",
        "Load average (1 min): "
        + ", ".join(f"{when} {value:.1f}" for when, value in results.get("load_average", {}).items()),
        "",
        f"| page | users | req/s | p50 ms | p95 ms | p99 ms | req/s vs bare ({high} users) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in [*PAGES, "dashboard", "bare"]:
        for count in [*users, f"{high}/s"]:
            f = load.get(f"{name}@{count}")
            if f is None:
                continue
            share = f"{f['rps'] / bare:.2f}" if count == high else ""
            failed = f" ({f['failures']} failed)" if f["failures"] else ""
            shown = f"{high}, ~1 req/s each" if count == f"{high}/s" else count
            lines.append(
                f"| {name} | {shown} | {f['rps']:.0f}{failed} | {f['p50']:.0f} | {f['p95']:.0f} | {f['p99']:.0f} "
                f"| {share} |"
            )
    j, pdf = results["journeys"], results["pdf"]
    lines += [
        "",
        journeys_line(j, plan["journey_seconds"]),
        "",
        *worker_journeys_lines(results["worker_journeys"], plan["journey_seconds"]),
        "",
        "| consent PDF (lumbar puncture) | median ms | p95 ms |",
        "| --- | ---: | ---: |",
        f"| pipeline: template, PDF/A-3b, seal ({pdf['renders']} renders) | {pdf['pipeline_median_ms']:.0f} "
        f"| {pdf['pipeline_p95_ms']:.0f} |",
        f"| raw WeasyPrint on the same HTML ({pdf['raw_renders']} renders) | {pdf['raw_median_ms']:.0f} "
        f"| {pdf['raw_p95_ms']:.0f} |",
        f"| as the server runs it (forked child with limits, {pdf['worker_renders']} renders) "
        f"| {pdf['worker_median_ms']:.0f} | |",
        "",
        f"Pipeline / raw: {pdf['ratio']:.2f}x; {pdf['pages']} pages per document; resident memory "
        f"{pdf['rss_start_mb']:.0f} MB -> {pdf['rss_end_mb']:.0f} MB over {pdf['renders']} renders "
        f"(growth {pdf['rss_growth_mb']:+.1f} MB, WeasyPrint's own: see docs/performance.md); the server's "
        f"worker, rendering in forked children: {pdf['worker_rss_growth_mb']:+.1f} MB over {pdf['worker_renders']}",
        "",
        f"| dashboard at {high} users | req/s | p50 ms | p95 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    growth = results["growth"]
    for count, f in growth.items():
        lines.append(f"| {int(count):,} requests | {f['rps']:.0f} | {f['p50']:.0f} | {f['p95']:.0f} | {f['p99']:.0f} |")
    small, large = (growth[str(c)] for c in plan["growth"])
    growth_ratio = large["p95"] / small["p95"] if small["p95"] else float("nan")
    lines += [
        "",
        f"p95 growth: {growth_ratio:.2f}x",
        "",
        "| patient page | bytes transferred | requests | HTML bytes |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, w in results["weight"].items():
        lines.append(f"| {name} | {w['bytes']:,} | {w['requests']} | {w['html_bytes']:,} |")
    archive = results.get("archive")
    if archive:
        from bench import archive_timing

        lines += ["", *archive_timing.lines(archive)]
    if not results["smoke"]:
        worst_p95 = max(load[f"{name}@{high}"]["p95"] for name in [*PAGES, "dashboard"])
        worst_paced = max(load[f"{name}@{high}/s"]["p95"] for name in [*PAGES, "dashboard"])
        worst_share = min(load[f"{name}@{high}"]["rps"] for name in PAGES) / bare
        heaviest = max(w["bytes"] for w in results["weight"].values())
        checks = [
            (
                f"pages and dashboard p95 at {high} users, no think time, <= {TARGETS_MS} ms",
                f"{worst_p95:.0f} ms",
                worst_p95 <= TARGETS_MS,
            ),
            (
                f"pages and dashboard p95 at {high} users asking about once a second <= {TARGETS_MS} ms",
                f"{worst_paced:.0f} ms",
                worst_paced <= TARGETS_MS,
            ),
            (
                f"patient-page throughput >= {TARGET_BARE_SHARE} of bare",
                f"{worst_share:.2f}",
                worst_share >= TARGET_BARE_SHARE,
            ),
            (
                f"dashboard p95 at {plan['growth'][1]:,} <= {TARGET_GROWTH}x at {plan['growth'][0]:,}",
                f"{growth_ratio:.2f}x",
                growth_ratio <= TARGET_GROWTH,
            ),
            (f"PDF pipeline <= {TARGET_PDF_RATIO}x raw", f"{pdf['ratio']:.2f}x", pdf["ratio"] <= TARGET_PDF_RATIO),
            (
                f"PDF median <= {TARGET_PDF_MEDIAN_MS} ms",
                f"{pdf['pipeline_median_ms']:.0f} ms",
                pdf["pipeline_median_ms"] <= TARGET_PDF_MEDIAN_MS,
            ),
            (
                f"memory growth over {pdf['renders']} renders < {TARGET_MEMORY_MB} MB",
                f"{pdf['rss_growth_mb']:.1f} MB",
                pdf["rss_growth_mb"] < TARGET_MEMORY_MB,
            ),
            (f"every patient page <= {TARGET_PAGE_KB} KB", f"{heaviest / 1000:.1f} KB", heaviest <= 100_000),
        ]
        if archive:
            worst = max(case["p90"] for case in archive["cases"].values())
            checks.append(
                (
                    f"records archive p90 at {archive['records']:,} records < {TARGET_ARCHIVE_MS} ms",
                    f"{worst:.0f} ms",
                    worst < TARGET_ARCHIVE_MS,
                )
            )
        lines += ["", "| target | measured | holds |", "| --- | ---: | --- |"]
        lines += [f"| {what} | {value} | {'yes' if ok else 'NO'} |" for what, value, ok in checks]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
