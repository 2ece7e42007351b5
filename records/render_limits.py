"""Run the PDF render in a child process with a time limit and a memory limit.

WeasyPrint can loop, or grow without end, on hostile CSS or very large
content. A render that is stuck must not hang the worker (or a patient's
request) for ever, so it runs in a forked child process:

- the parent waits at most `PROCEED_RENDER_TIMEOUT_SECONDS`, then kills the
  child and raises `RenderTimeout`;
- the child may grow its address space by at most `PROCEED_RENDER_MEMORY_MB`
  beyond what it inherited (`RLIMIT_AS`); running out raises `RenderTooLarge`;
- a child that dies without an answer (a C library aborting when memory runs
  out, say) raises `RenderCrashed`.

All three are `RenderLimitError`s. Callers let them propagate: nothing is
stored, the signature stays, the PDF stays pending and is retried later.

Why fork, and how the database stays safe: a forked child starts at once with
every module (and every test's monkeypatch) already loaded, where "spawn" would
import Django and WeasyPrint again for each render. A forked child shares the
parent's open database connections, so it must never use them: the parent does
all the database work first (it builds the record's HTML), the child only turns
that HTML into PDF bytes (plus whatever `records.pdf.render_consent_pdf` does
after the HTML, such as sealing), and any query the child tries is refused. The
child never closes the shared connections and leaves with `os._exit`, so the
parent's connection carries on untouched. The parent's connections are not
closed before forking because the caller may be inside a transaction (tests
always are).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections

T = TypeVar("T")


class RenderLimitError(Exception):
    """The render was stopped by a limit; nothing was stored and it can be tried again."""


class RenderTimeout(RenderLimitError):
    """The render took longer than its time limit and was killed."""


class RenderTooLarge(RenderLimitError):
    """The render needed more memory than its limit."""


class RenderCrashed(RenderLimitError):
    """The rendering process died without an answer (most likely out of memory inside a C library)."""


class DatabaseUseInRenderProcess(RuntimeError):
    """The child tried to query the database, which only the parent may do."""


def _refuse_database(execute, sql, params, many, context):
    raise DatabaseUseInRenderProcess(
        "The PDF render process may not use the database: build everything it needs in the parent first."
    )


def _address_space_bytes() -> int:
    """How much address space this process already has (0 where /proc is not available)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _limit_memory(extra_bytes: int) -> None:
    """Let this process grow its address space by at most `extra_bytes`."""
    limit = _address_space_bytes() + extra_bytes
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _child(writer, func: Callable[..., Any], args: tuple, memory_bytes: int) -> None:
    # A stop signal meant for the worker should end the render at once: the parent then
    # records the failure and the render is retried later.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    for connection in connections.all():
        connection.execute_wrappers.append(_refuse_database)
    try:
        _limit_memory(memory_bytes)
        outcome = ("ok", func(*args))
    except MemoryError:
        outcome = ("too_large", None)
    except BaseException as error:  # every failure goes back to the parent, with where it happened
        error.add_note("Traceback in the render process:\n" + "".join(traceback.format_tb(error.__traceback__)))
        outcome = ("error", error)
    try:
        writer.send(outcome)
    except Exception as error:  # an exception that can't be pickled: send its type and message
        writer.send(("error", RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]} ({type(error).__name__})")))
    finally:
        writer.close()


def run_with_limits(func: Callable[..., T], *args: Any, timeout: float, memory_mb: int) -> T:
    """`func(*args)` in a forked child, stopped after `timeout` seconds or `memory_mb` more memory.

    `func` must not use the database. Its return value and any exception it
    raises come back to the caller; the limits raise `RenderLimitError`s.
    """
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(
        target=_child, args=(writer, func, args, memory_mb * 1024 * 1024), name="proceed-render", daemon=True
    )
    process.start()
    writer.close()  # so the parent sees end-of-file if the child dies
    try:
        if not reader.poll(timeout):
            raise RenderTimeout(f"The PDF render took longer than {timeout:g} seconds and was stopped.")
        try:
            outcome, value = reader.recv()
        except EOFError:
            process.join(5)
            raise RenderCrashed(
                f"The PDF render process stopped without an answer (exit code {process.exitcode}); "
                "it most likely ran out of memory."
            ) from None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        with contextlib.suppress(ValueError):
            process.close()
        reader.close()
    if outcome == "too_large":
        raise RenderTooLarge(f"The PDF render needed more than {memory_mb} MB of memory and was stopped.")
    if outcome == "error":
        raise value
    return value


def _render_from_html(signature, html: str) -> tuple[bytes, int]:
    """In the child: `render_consent_pdf` with the HTML the parent already built from the database."""
    from records import pdf  # here, not at the top: the child rebinds a name in its own copy

    # This rebinding happens in the child's copy of the module only; the parent's is untouched.
    pdf.consent_pdf_html = lambda _signature: html
    return pdf.render_consent_pdf(signature)


def render_consent_pdf_with_limits(signature) -> tuple[bytes, int]:
    """The signed record's PDF bytes and page count, rendered within the configured limits."""
    from records import pdf  # not at the top: records.pdf imports WeasyPrint, and loading it is slow

    html = pdf.consent_pdf_html(signature)  # every query happens here, in this process
    return run_with_limits(
        _render_from_html,
        signature,
        html,
        timeout=settings.PROCEED_RENDER_TIMEOUT_SECONDS,
        memory_mb=settings.PROCEED_RENDER_MEMORY_MB,
    )


def render_staff_record_pdf_with_limits(record, *, document_id: str) -> tuple[bytes, int]:
    """The cover record of a decision recorded by staff: PDF bytes and page count, within the limits."""
    from records import pdf  # not at the top: records.pdf imports WeasyPrint, and loading it is slow

    html = pdf.staff_record_pdf_html(record, document_id=document_id)  # queries here
    return run_with_limits(
        pdf.render_sealed_pdf,
        html,
        timeout=settings.PROCEED_RENDER_TIMEOUT_SECONDS,
        memory_mb=settings.PROCEED_RENDER_MEMORY_MB,
    )


def render_withdrawal_pdf_with_limits(request, *, document_id: str, withdraws) -> tuple[bytes, int]:
    """A withdrawal record's PDF bytes and page count, rendered within the configured limits."""
    from records import pdf  # not at the top: records.pdf imports WeasyPrint, and loading it is slow

    html = pdf.withdrawal_pdf_html(request, document_id=document_id, withdraws=withdraws)  # queries here
    return run_with_limits(
        pdf.render_sealed_pdf,
        html,
        timeout=settings.PROCEED_RENDER_TIMEOUT_SECONDS,
        memory_mb=settings.PROCEED_RENDER_MEMORY_MB,
    )


def render_clinician_pdf_with_limits(countersignature, *, document_id: str, patient_record) -> tuple[bytes, int]:
    """The clinician's part's PDF bytes and page count, rendered within the configured limits."""
    from records import pdf  # not at the top: records.pdf imports WeasyPrint, and loading it is slow

    html = pdf.clinician_pdf_html(countersignature, document_id=document_id, patient_record=patient_record)
    return run_with_limits(
        pdf.render_sealed_pdf,
        html,
        timeout=settings.PROCEED_RENDER_TIMEOUT_SECONDS,
        memory_mb=settings.PROCEED_RENDER_MEMORY_MB,
    )
