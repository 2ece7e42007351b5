"""Time the nurse dashboard in-process: the median of N renders through Django's test client.

    .venv/bin/python -m bench.dashboard_timing [--repeat 50] [--per-day 80] [--profile]

Seeds its own SQLite file (var/dashboard-timing/, once; delete it to seed again) with
bench/seed.py: 2,000 patients and 4,000 requests, `--per-day` upcoming appointments a day, so
the default range (today and the next 7 days) holds about 8 x per-day rows (640 at 80), 50 a
page. Test settings (DEBUG off, cached template loader, plain static storage), so it needs no
collectstatic. Prints the median, 10th and 90th percentile wall time per request and the
number of queries; `--profile` prints a pyinstrument profile of the timed requests instead.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--per-day", type=int, default=80)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--save-html", metavar="PATH", help="write the page (CSRF token blanked) to compare")
    args = parser.parse_args(argv)
    folder = ROOT / "var" / "dashboard-timing"
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / f"dashboard-{args.per_day}.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django_otp import login as otp_login

    from bench import seed

    if not database.exists() or database.stat().st_size < 100_000:
        call_command("migrate", verbosity=0)
        seed.PAGE_POOL, seed.JOURNEY_POOL = 0, 0
        seed.seed(2000, 4000, args.per_day)
    client = Client(HTTP_X_FORWARDED_FOR="10.254.0.1", HTTP_HOST="127.0.0.1")
    user = get_user_model().objects.get(username="nurse000")
    client.force_login(user)
    request = type("R", (), {"session": client.session, "user": user})()
    otp_login(request, user.totpdevice_set.first())
    request.session.save()
    client.cookies["sessionid"] = request.session.session_key
    for _ in range(5):
        response = client.get("/staff/")
        if response.status_code != 200:
            raise SystemExit(f"dashboard_timing: the dashboard answered {response.status_code}")
    queries = []  # Django empties its own query log when a request starts, so count them here

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get("/staff/")
    times = []
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    for _ in range(args.repeat):
        started = time.perf_counter()
        client.get("/staff/")
        times.append((time.perf_counter() - started) * 1000)
    if profiler:
        profiler.stop()
        sys.stdout.write(profiler.output_text(unicode=True, color=False))
    if args.save_html:
        import re

        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
        Path(args.save_html).write_text(page)
    deciles = statistics.quantiles(times, n=10)
    rows = response.content.decode().count("<tr>")
    sys.stdout.write(
        f"dashboard: median {statistics.median(times):.1f} ms, p10 {deciles[0]:.1f} ms, p90 {deciles[-1]:.1f} ms "
        f"over {args.repeat} requests; {len(queries)} queries; {rows} table rows; {len(response.content)} bytes\n"
    )


if __name__ == "__main__":
    main()
