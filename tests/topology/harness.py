"""The topology's machinery: processes started and stopped by id, free ports, a browser, the stores.

Used by tests/topology/test_topology.py; nothing here is a test. Every process is started in a
session of its own (its process group has its id), so stopping it stops what it started too
(gunicorn's workers, the PDF worker's render child), and only that.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
BIN = Path(sys.executable).parent
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HTTP_TIMEOUT = 30
# The topologies started and not yet torn down (tests/topology/conftest.py shows their logs on a failure).
RUNNING_TOPOLOGIES: list = []


def free_port() -> int:
    """A port nothing listens on at this moment (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(what: str, check: Callable[[], object], timeout: float, interval: float = 0.2):
    """Call `check` until it returns something true; that value. Fails naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)


def group_alive(pgid: int) -> bool:
    """Whether any process of this process group is still running (zombies waiting to be reaped don't count)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command name: state, ppid, pgrp.
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


class Processes:
    """Every process the topology starts, by name and id; each one's output in a log file of its own."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.running: dict[str, subprocess.Popen] = {}
        self.started: list[int] = []  # every process group ever started, for the check at the end

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        if name in self.running and self.running[name].poll() is None:
            raise RuntimeError(f"{name} is already running")
        with open(self.log_dir / f"{name}.log", "ab") as log:
            log.write(f"\n=== {time.strftime('%H:%M:%S')} {' '.join(command)}\n".encode())
            log.flush()
            process = subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.running[name] = process
        self.started.append(process.pid)
        return process

    def pid(self, name: str) -> int:
        return self.running[name].pid

    def alive(self, name: str) -> bool:
        return name in self.running and self.running[name].poll() is None

    def kill(self, name: str) -> None:
        """kill -9, at once, the process and everything in its group (a crash, a pulled plug)."""
        process = self.running.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
        wait_for(f"{name}'s processes gone after SIGKILL", lambda: not group_alive(process.pid), 10, 0.05)

    def stop(self, name: str, grace: float = 15) -> None:
        """SIGTERM (a clean stop), then SIGKILL for whatever of its group is left after `grace` seconds."""
        process = self.running.pop(name, None)
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(grace)
        deadline = time.monotonic() + grace
        while group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if group_alive(process.pid) or process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(10)

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)

    def survivors(self) -> list[int]:
        """Process groups started here with a process still running."""
        time_left = time.monotonic() + 5
        while time.monotonic() < time_left:
            alive = [pgid for pgid in self.started if group_alive(pgid)]
            if not alive:
                return []
            time.sleep(0.1)
        return alive

    def logs(self, tail: int = 60) -> str:
        parts = []
        for path in sorted(self.log_dir.glob("*.log")):
            lines = path.read_text(errors="replace").splitlines()
            parts.append(f"----- {path.name} (last {min(tail, len(lines))} of {len(lines)} lines)")
            parts.extend(lines[-tail:])
        return "\n".join(parts)


def run(command: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    """A short command (manage.py ...) in the topology's environment; its output in the failure if it fails."""
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command[1:4])} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result


def get_json(port: int, path: str) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=HTTP_TIMEOUT)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        return response.status, json.loads(body) if body.startswith(b"{") else {}
    finally:
        connection.close()


def answers_health(port: int) -> bool:
    try:
        return get_json(port, "/healthz")[0] == 200
    except OSError:
        return False


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes, port: int):
        self.status, self.headers, self.body, self.port = status, headers, body, port

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    def csrf(self) -> str:
        match = CSRF.search(self.text)
        if not match:
            raise AssertionError(f"no CSRF token in the page from :{self.port} (status {self.status})")
        return match.group(1)

    def __repr__(self) -> str:
        return f"<{self.status} from :{self.port} to {self.location!r}>"


class Balancer:
    """What a load balancer does with the app servers: each request to the next one in turn; one that
    refuses connections (down) is skipped, as a balancer's health check would take it out."""

    def __init__(self, ports: list[int]):
        self.ports = list(ports)
        self.turn = 0

    def order(self) -> list[int]:
        ports = self.ports[self.turn % len(self.ports) :] + self.ports[: self.turn % len(self.ports)]
        self.turn += 1
        return ports


class Browser:
    """A patient's browser: cookies kept by hand, `Origin: null` on the patient pages' posts (what a
    browser sends from a no-referrer page; their CSRF check accepts it), their own address in X-Forwarded-For
    as the proxy in front of the app servers would add it. Redirects are not followed."""

    def __init__(self, balancer: Balancer | list[int], address: str):
        self.balancer = balancer if isinstance(balancer, Balancer) else Balancer(balancer)
        self.address = address
        self.cookies: dict[str, str] = {}
        self.served_by: list[int] = []

    def request(self, method: str, path: str, body: dict | None = None, *, port: int | None = None) -> Response:
        headers = {"X-Forwarded-For": self.address, "Accept": "text/html,*/*", "User-Agent": "proceed-topology"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        ports = [port] if port else self.balancer.order()
        for candidate in ports:
            if body is not None:  # staff pages are posted from their own origin
                headers["Origin"] = "null" if path.startswith("/c/") else f"http://127.0.0.1:{candidate}"
            connection = http.client.HTTPConnection("127.0.0.1", candidate, timeout=HTTP_TIMEOUT)
            try:
                connection.request(method, path, body=data, headers=headers)
                response = connection.getresponse()
                payload = response.read()
            except ConnectionRefusedError:
                if port or candidate == ports[-1]:
                    raise
                continue  # that server is down: the balancer sends the request to the next
            finally:
                connection.close()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
            self.served_by.append(candidate)
            return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, payload, candidate)
        raise AssertionError("unreachable")

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict, **kwargs) -> Response:
        return self.request("POST", path, data, **kwargs)

    def submit(self, path: str, data: dict, expect: str = "", **kwargs) -> Response:
        """GET the form, then POST it with its CSRF token (each to whichever server is next); the POST's
        answer must be a redirect whose location ends with `expect`."""
        page = self.get(path, **kwargs)
        assert page.status == 200, f"GET {path}: {page!r}"
        response = self.post(path, {"csrfmiddlewaretoken": page.csrf(), **data}, **kwargs)
        assert response.status == 302 and response.location.endswith(expect), f"POST {path}: {response!r}"
        return response


class Patient:
    """One patient's link and details (made by tests/topology/make_requests.py) and the journey's answers."""

    def __init__(self, entry: dict, content: dict):
        self.token, self.name, self.request_id = entry["token"], entry["name"], entry["request_id"]
        self.dob = tuple(int(part) for part in entry["dob"].split("-"))
        self.content = content
        self.root = f"/c/{self.token}/"

    def date_of_birth(self, *, wrong: bool = False) -> dict:
        year, month, day = self.dob
        return {"day": day, "month": month, "year": year - 1 if wrong else year}

    def confirm_identity(self, browser: Browser, **kwargs) -> Response:
        return browser.submit(self.root + "identity/", self.date_of_birth(), "/about/", **kwargs)

    def answer_until_questions(self, browser: Browser, question: str = "") -> None:
        """About to questions, each page's GET and POST to whichever server is next."""
        browser.submit(self.root + "about/", {}, "/risks/")
        self.answer_from_risks(browser, question)

    def answer_from_risks(self, browser: Browser, question: str = "") -> None:
        """The risks page to the questions page."""
        content = self.content
        browser.submit(self.root + "risks/", {f"ack_{key}": "on" for key in content["risks"]}, "/preparing/")
        answers = {f"ack_{key}": "on" for key in content["steps"]}
        answers |= {f"answer_{key}": value for key, value in content["checklist"].items()}
        browser.submit(self.root + "preparing/", answers, "/understanding/")
        quiz = {f"q_{key}": value for key, value in content["quiz"].items()}
        browser.submit(self.root + "understanding/", quiz, "/questions/")
        browser.submit(self.root + "questions/", {"question": question}, "/review/")

    def review_and_decide(self, browser: Browser) -> None:
        browser.submit(self.root + "review/", {"confirmed": "on"}, "/decide/")
        browser.submit(self.root + "decide/", {"decision": "consent"}, "/sign/consent/")

    def sign(self, browser: Browser, **kwargs) -> Response:
        return browser.submit(
            self.root + "sign/consent/", {"signer": "patient", "typed_name": self.name}, "/done/", **kwargs
        )

    def walk_to_signing(self, browser: Browser, question: str = "") -> None:
        browser.get(self.root)
        self.confirm_identity(browser)
        self.answer_until_questions(browser, question)
        self.review_and_decide(browser)
