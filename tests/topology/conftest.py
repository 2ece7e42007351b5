"""A failed topology test shows the end of every process's log (app servers, workers, S3, Redis)."""

from __future__ import annotations

import pytest

from tests.topology.harness import RUNNING_TOPOLOGIES


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and RUNNING_TOPOLOGIES:
        report.sections.append(("topology: the processes' logs", RUNNING_TOPOLOGIES[-1].logs()))
