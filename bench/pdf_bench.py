"""Consent PDF rendering, measured in one process (run by bench/run.py after the journeys signed some).

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.pdf_bench --renders 500 --out result.json

- pipeline: `records.pdf.render_consent_pdf(signature)` for a lumbar puncture consent signed
  during the journey benchmark: the record's template rendered from the database, drawn as
  PDF/A-3b by WeasyPrint, sealed with the clinic's certificate by pyHanko. Timed `--renders`
  times; the process's resident memory (psutil) is read after a few warm-up renders and after
  the last, and the growth between is reported.
- raw: WeasyPrint alone, `HTML(string=html, base_url=..., url_fetcher=...).write_pdf()`, on the
  very same HTML (a plain PDF, no PDF/A, no seal), with the same fetcher, so the stylesheet and
  fonts it loads are the same. Timed every tenth iteration, interleaved with the pipeline so both
  see the same machine.
- worker: the path the server really takes (`records.render_limits`: the same pipeline in a
  forked child with a time and memory limit), timed a few times, for reference.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import time


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=500)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    import psutil
    from weasyprint import HTML

    from consent.models import Signature
    from records.pdf import StaticFilesFetcher, consent_pdf_html, pdf_base_url, render_consent_pdf
    from records.render_limits import render_consent_pdf_with_limits

    lumbar = Signature.objects.filter(procedure_version__procedure__slug="lumbar-puncture").order_by("-pk")
    # One the journeys signed (a real name, the real statement); a seeded one only if none did.
    signature = lumbar.exclude(typed_name="(seeded)").first() or lumbar.first()
    html = consent_pdf_html(signature)
    process = psutil.Process()

    def raw() -> float:
        started = time.perf_counter()
        HTML(string=html, base_url=pdf_base_url(), url_fetcher=StaticFilesFetcher()).write_pdf()
        return time.perf_counter() - started

    warm_up = 5 if args.renders >= 100 else 1  # imports, font discovery and caches, before memory is first read
    for _ in range(warm_up):
        render_consent_pdf(signature)
        raw()
    gc.collect()
    rss_start = process.memory_info().rss
    pipeline_times, raw_times, pages = [], [], 0
    for number in range(args.renders):
        started = time.perf_counter()
        _, pages = render_consent_pdf(signature)
        pipeline_times.append(time.perf_counter() - started)
        if number % 10 == 0:
            raw_times.append(raw())
    gc.collect()
    rss_end = process.memory_info().rss
    # The server's own path: each render in a forked child, so the worker's memory should stay flat.
    worker_times = []
    worker_rss_start = process.memory_info().rss
    for _ in range(50 if args.renders >= 100 else 1):
        started = time.perf_counter()
        render_consent_pdf_with_limits(signature)
        worker_times.append(time.perf_counter() - started)
    gc.collect()
    worker_rss_growth = process.memory_info().rss - worker_rss_start
    result = {
        "renders": args.renders,
        "pages": pages,
        "html_bytes": len(html.encode()),
        "pipeline_median_ms": statistics.median(pipeline_times) * 1000,
        "pipeline_p95_ms": percentile(pipeline_times, 0.95) * 1000,
        "raw_median_ms": statistics.median(raw_times) * 1000,
        "raw_p95_ms": percentile(raw_times, 0.95) * 1000,
        "raw_renders": len(raw_times),
        "worker_median_ms": statistics.median(worker_times) * 1000,
        "worker_renders": len(worker_times),
        "worker_rss_growth_mb": worker_rss_growth / 2**20,
        "rss_start_mb": rss_start / 2**20,
        "rss_end_mb": rss_end / 2**20,
        "rss_growth_mb": (rss_end - rss_start) / 2**20,
    }
    result["ratio"] = result["pipeline_median_ms"] / result["raw_median_ms"]
    with open(args.out, "w") as file:
        json.dump(result, file)


if __name__ == "__main__":
    main()
