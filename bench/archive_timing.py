"""Time the records archive (/staff/records/) in one process: `make bench`'s archive row.

    DJANGO_SETTINGS_MODULE=bench.settings BENCH_DATABASE_URL=<the archive bench database> \
        .venv/bin/python -m bench.archive_timing [--repeat 30] [--out var/bench/sqlite/archive.json]

bench/run.py runs it on a database of its own, seeded by bench/seed.py with 200,000 decided
requests (`--add --decided`), each with its signature and record row. Production settings
(bench/settings.py: DEBUG off, the cached template loader, the full middleware), Django's test
client, a nurse signed in with both steps. Each case is asked for `--repeat` times after a
warm-up; it prints and writes the median and 90th percentile wall time per request:

- the first page (the newest 50 records);
- a procedure and a date range (the lumbar puncture's records signed 300 to 400 days ago);
- a search by name and one by record number (posted once, then the result page, as a nurse does);
- a deep page: the page older than the record signed a year ago, which is where following
  "Older" about a third of the way through the archive leads (each page costs the same: keyset);
- the CSV export's time to its first rows (the count, the audit event, the header and the first
  100 rows), and, once, the time to stream the whole export.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import statistics
import time
from pathlib import Path

TARGET_MS = 100


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--out", help="write the figures here as JSON")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone
    from django_otp import login as otp_login

    from config.idle_timeout import LAST_ACTIVITY_KEY
    from consent.models import ConsentRequest, Patient
    from staff import archive

    url, export = reverse("staff:records"), reverse("staff:records_export")
    client = Client(HTTP_X_FORWARDED_FOR="10.254.0.2", HTTP_HOST="127.0.0.1")
    user = get_user_model().objects.get(username="nurse000")
    client.force_login(user)
    request = type("R", (), {"session": client.session, "user": user})()
    otp_login(request, user.totpdevice_set.first())
    request.session[LAST_ACTIVITY_KEY] = int(time.time())
    request.session.save()
    client.cookies["sessionid"] = request.session.session_key

    decided = ConsentRequest.objects.filter(status__in=archive.ARCHIVE_STATUSES, decided_at__isnull=False)
    total = decided.count()
    today = timezone.localdate()
    year_ago = timezone.now() - datetime.timedelta(days=365)
    deep = decided.filter(decided_at__lte=year_ago).order_by("-decided_at", "-id").first()
    newer_than_deep = decided.filter(decided_at__gt=deep.decided_at).count() if deep else 0
    patient = Patient.objects.order_by("pk")[Patient.objects.count() // 2]
    cases = {
        "first page": (url, {}),
        "procedure + date range": (
            url,
            {
                "procedure": "lumbar-puncture",
                "start": (today - datetime.timedelta(days=400)).isoformat(),
                "end": (today - datetime.timedelta(days=300)).isoformat(),
            },
        ),
        "search: name": (url, {"searching": "1", "_q": patient.full_name}),
        "search: record number": (url, {"searching": "1", "_q": patient.mrn}),
        "deep page (a year back)": (url, {"older": str(archive.Key.of(deep))} if deep else {}),
    }
    results: dict = {
        "records": total,
        "deep_page_position": newer_than_deep,
        "repeat": args.repeat,
        "target_ms": TARGET_MS,
        "database": connection.vendor,
        "cases": {},
    }

    def ask(path: str, params: dict):
        params = dict(params)
        search = params.pop("_q", None)
        if search is not None:
            client.post(path, {"q": search})  # the search goes in the session, as the form posts it
        started = time.perf_counter()
        response = client.get(path, params)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"archive_timing: {path} answered {response.status_code}")
        return elapsed, response

    for name, (path, params) in cases.items():
        for _ in range(3):  # warm-up: templates compiled, caches filled
            ask(path, params)
        times, shown = [], 0
        for _ in range(args.repeat):
            elapsed, response = ask(path, params)
            times.append(elapsed)
            shown = response.content.count(b"<tr>") - 1  # the table's rows, less its header
        results["cases"][name] = _figures(times) | {"rows": shown}

    def first_rows() -> float:
        started = time.perf_counter()
        response = client.get(export)
        if response.status_code != 200:
            raise SystemExit(f"archive_timing: the export answered {response.status_code}")
        chunks = iter(response.streaming_content)
        next(chunks)  # the byte-order mark and the header
        next(chunks)  # the first batch of rows
        elapsed = (time.perf_counter() - started) * 1000
        response.close()
        return elapsed

    for _ in range(2):
        first_rows()
    results["cases"]["CSV export: first rows"] = _figures([first_rows() for _ in range(args.repeat)]) | {
        "rows": min(archive.EXPORT_FIRST_BATCH, archive.EXPORT_BATCH)
    }
    started = time.perf_counter()
    response = client.get(export)
    size = sum(len(chunk) for chunk in response.streaming_content)
    results["export_all"] = {"seconds": time.perf_counter() - started, "bytes": size}
    for line in lines(results):
        print(line)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2))


def _figures(times: list[float]) -> dict:
    ranked = sorted(times)
    p90 = ranked[math.ceil(0.9 * len(ranked)) - 1]  # nearest rank: a time one of the requests took
    return {"median": statistics.median(times), "p90": p90, "max": ranked[-1]}


def holds(results: dict) -> bool:
    """The target: every case's 90th percentile under TARGET_MS."""
    return all(case["p90"] < results["target_ms"] for case in results["cases"].values())


def lines(results: dict) -> list[str]:
    """The archive's rows of the bench table (Markdown)."""
    out = [
        f"| records archive, {results['records']:,} decided records | median ms | p90 ms | max ms | rows |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, f in results["cases"].items():
        out.append(f"| {name} | {f['median']:.1f} | {f['p90']:.1f} | {f['max']:.1f} | {f['rows']} |")
    export = results.get("export_all")
    verdict = "yes" if holds(results) else "NO"
    out += [
        "",
        f"One nurse, one request at a time, in one process ({results['repeat']} requests per row). "
        f"The deep page starts {results['deep_page_position']:,} records in."
        + (f" The whole export: {export['seconds']:.1f} s, {export['bytes'] / 1e6:.1f} MB." if export else ""),
        "",
        f"Target: every archive row's p90 < {results['target_ms']} ms: {verdict}",
    ]
    return out


if __name__ == "__main__":
    main()
