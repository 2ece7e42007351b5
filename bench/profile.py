"""Profile one page or the PDF in-process with pyinstrument, on the bench database `make bench` left.

    .venv/bin/python -m bench.profile risks|sign|identity|dashboard|bare|pdf [--repeat 50]

Requests go through Django's test client (the whole middleware stack, production settings
from bench/settings.py), so the profile shows the server's own work without the network.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["identity", "risks", "sign", "dashboard", "bare", "pdf"])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args(argv)
    os.environ.setdefault("BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'sqlite' / 'main-bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["PROCEED_ENV_FILE"] = ""
    import django

    django.setup()
    from django.test import Client
    from pyinstrument import Profiler

    manifest = json.loads((ROOT / "var" / "bench" / "sqlite" / "manifest.json").read_text())
    client = Client(HTTP_X_FORWARDED_FOR="10.254.0.1", HTTP_HOST="127.0.0.1")
    if args.what == "pdf":
        from consent.models import Signature
        from records.pdf import render_consent_pdf

        signature = Signature.objects.filter(procedure_version__procedure__slug="lumbar-puncture").last()
        render_consent_pdf(signature)

        def work():
            render_consent_pdf(signature)

    else:
        if args.what == "dashboard":
            from django.contrib.auth import get_user_model
            from django_otp import login as otp_login

            user = get_user_model().objects.get(username=manifest["nurses"][0]["username"])
            client.force_login(user)
            # Mark the session's second step done, as the real sign-in's code step would.
            request = type("R", (), {"session": client.session, "user": user})()
            otp_login(request, user.totpdevice_set.first())
            request.session.save()
            client.cookies["sessionid"] = request.session.session_key
            path = "/staff/"
        elif args.what == "bare":
            path = "/bench/bare/"
        else:
            patient = manifest["pages"][0]
            root = f"/c/{patient['token']}/"
            year, month, day = (int(x) for x in patient["dob"].split("-"))
            client.post(root + "identity/", {"day": day, "month": month, "year": year})
            path = root + {"identity": "identity/", "risks": "risks/", "sign": "sign/consent/"}[args.what]
        if client.get(path).status_code != 200:
            raise SystemExit(f"profile: {args.what} did not answer 200: {client.get(path)}")

        def work():
            client.get(path)

    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.repeat if args.what != "pdf" else max(1, args.repeat // 10)):
        work()
    profiler.stop()
    sys.stdout.write(
        profiler.output_text(unicode=True, color=False, show_all=bool(os.environ.get("BENCH_PROFILE_ALL")))
    )


if __name__ == "__main__":
    main()
