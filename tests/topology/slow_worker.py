"""`manage.py proceed_worker` whose consent renders take TOPOLOGY_RENDER_DELAY seconds longer (test-only).

    python tests/topology/slow_worker.py [proceed_worker's options]     (in the topology's environment)

The topology test kills a worker while it renders. A render takes about a second, so this worker
waits first, inside the render (the task claimed, nothing stored yet), where the test can catch it.
Everything else is the real worker: its task loop, heartbeat and sweep.
"""

from __future__ import annotations

import os
import sys
import time

import django

django.setup()

from django.core.management import execute_from_command_line  # noqa: E402

from records import documents  # noqa: E402

DELAY = float(os.environ.get("TOPOLOGY_RENDER_DELAY", "10"))
_render = documents.render_consent_pdf_with_limits


def slow_render(signature):
    time.sleep(DELAY)
    return _render(signature)


documents.render_consent_pdf_with_limits = slow_render

if __name__ == "__main__":
    execute_from_command_line(["manage.py", "proceed_worker", *sys.argv[1:]])
