"""The deployment files in deploy/, checked without Docker (README: "Running on several servers").

Each check reads the files as text and returns the problems it finds. The tests run every check
on the files as they are (no problems), and again on a copy broken on purpose (at least one
problem), so no check can pass whatever the files say.
"""

from __future__ import annotations

import configparser
import json
import re
import shlex
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"

COMPOSE = "deploy/compose.yaml"
DOCKERFILE = "deploy/Dockerfile"
ENV_EXAMPLE = "deploy/env.example"
NGINX = "deploy/nginx/proceed.conf"
BUCKET_SCRIPT = "deploy/minio/create-bucket.sh"
DEPLOY_README = "deploy/README.md"
README = "README.md"
MAKEFILE = "Makefile"
WEB_UNIT = "deploy/systemd/proceed-web.service"
WORKER_UNIT = "deploy/systemd/proceed-worker.service"
ANCHOR_UNIT = "deploy/systemd/proceed-anchor.service"
ANCHOR_TIMER = "deploy/systemd/proceed-anchor.timer"
SERVICE_UNITS = (WEB_UNIT, WORKER_UNIT, ANCHOR_UNIT)

# The variables of issue 16's table (multi-server settings and the existing ones they work with).
SPEC_VARIABLES = (
    "REDIS_URL",
    "PROCEED_CACHE_KEY_PREFIX",
    "PROCEED_STORAGE",
    "PROCEED_S3_BUCKET",
    "PROCEED_S3_ENDPOINT_URL",
    "PROCEED_S3_REGION",
    "PROCEED_S3_ACCESS_KEY_ID",
    "PROCEED_S3_SECRET_ACCESS_KEY",
    "PROCEED_S3_PREFIX",
    "PROCEED_S3_SSE",
    "PROCEED_S3_KMS_KEY_ID",
    "PROCEED_RECORD_RETENTION_DAYS",
    "PROCEED_TASK_BACKEND",
    "DATABASE_URL",
    "DJANGO_SECRET_KEY",
    "DJANGO_DEBUG",
    "DJANGO_ALLOWED_HOSTS",
    "PROCEED_BASE_URL",
    "PROCEED_TRUSTED_PROXY_COUNT",
    "PROCEED_SIGNING_KEY",
    "PROCEED_SIGNING_CERT",
    "PROCEED_SIGNING_KEY_PASSWORD",
    "PROCEED_PRIVATE_ROOT",
)
# Variables whose value is a credential: in compose.yaml only ever filled in from .env.
CREDENTIALS = frozenset(
    {
        "DJANGO_SECRET_KEY",
        "POSTGRES_PASSWORD",
        "REDIS_PASSWORD",
        "REDISCLI_AUTH",
        "MINIO_ROOT_USER",
        "MINIO_ROOT_PASSWORD",
        "PROCEED_S3_ACCESS_KEY_ID",
        "PROCEED_S3_SECRET_ACCESS_KEY",
        "PROCEED_SIGNING_KEY_PASSWORD",
        "DJANGO_EMAIL_HOST_PASSWORD",
    }
)
# ...and of those, the ones env.example may only hold a placeholder for.
SECRETS = frozenset(name for name in CREDENTIALS if not name.endswith(("_USER", "_KEY_ID")))
PLACEHOLDER = "CHANGE_ME"
PROCEED_SERVICES = ("app1", "app2", "worker", "anchor", "migrate")

Files = dict[str, str]


def read_files() -> Files:
    paths = [
        COMPOSE,
        DOCKERFILE,
        ENV_EXAMPLE,
        NGINX,
        BUCKET_SCRIPT,
        DEPLOY_README,
        README,
        MAKEFILE,
        *SERVICE_UNITS,
        ANCHOR_TIMER,
    ]
    return {path: (ROOT / path).read_text() for path in paths}


# Reading the files --------------------------------------------------------------------------


INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Z][A-Z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def compose_services(files: Files) -> dict[str, dict]:
    """compose.yaml's services, with YAML merge keys (<<: *proceed) applied."""
    return yaml.safe_load(files[COMPOSE])["services"]


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {name: "" if value is None else str(value) for name, value in env.items()}


def command_text(service: dict) -> str:
    command = service.get("command") or ""
    return " ".join(command) if isinstance(command, list) else str(command)


def env_example_entries(files: Files) -> dict[str, str]:
    """NAME -> value for every "NAME=value" line, including the "#NAME=value" ones compose.yaml sets."""
    entries = {}
    for line in files[ENV_EXAMPLE].splitlines():
        match = re.match(r"^#?([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            entries[match.group(1)] = match.group(2)
    return entries


def dockerfile_instructions(files: Files) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined and comments dropped."""
    logical, current = [], ""
    for line in files[DOCKERFILE].splitlines():
        if line.strip().startswith("#"):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        current += line
        if current.strip():
            logical.append(current.strip())
        current = ""
    instructions = []
    for line in logical:
        keyword, _, arguments = line.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def unit(files: Files, path: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read_string(files[path], source=path)
    return parser


def readme_section(files: Files) -> str:
    text = files[README]
    start = text.find("\n### Running on several servers\n")
    if start < 0:
        return ""
    rest = text[start + 1 :]
    following = re.search(r"^#{2,3} ", rest[4:], flags=re.MULTILINE)
    return rest[: following.start() + 4] if following else rest


def readme_variables(files: Files) -> set[str]:
    """Every variable named in the first column of the section's variable table."""
    names, in_table = set(), False
    for line in readme_section(files).splitlines():
        if not line.startswith("|"):
            in_table = False
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0] == "variable":
            in_table = True
        elif in_table and not set(cells[0]) <= set("-: "):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", cells[0]))
    return names


# The checks -----------------------------------------------------------------------------------


def compose_topology_problems(files: Files) -> list[str]:
    services = compose_services(files)
    problems = []
    missing = {"app1", "app2", "worker", "anchor", "migrate", "postgres", "redis", "minio", "proxy"} - set(services)
    if missing:
        return [f"compose.yaml has no service {', '.join(sorted(missing))}"]
    image = services["app1"].get("image")
    for name in PROCEED_SERVICES:
        if not image or services[name].get("image") != image:
            problems.append(f"{name} does not run the app's image {image!r}")
        if services[name].get("build", {}).get("dockerfile") != "deploy/Dockerfile":
            problems.append(f"{name} is not built from deploy/Dockerfile")
    for name in ("app1", "app2"):
        if services[name].get("command"):
            problems.append(f"{name} overrides the image's command (gunicorn)")
    if "manage.py proceed_worker" not in command_text(services["worker"]):
        problems.append("the worker does not run `manage.py proceed_worker`")
    anchor = command_text(services["anchor"])
    if "manage.py anchor_audit_chain" not in anchor or "sleep 900" not in anchor:
        problems.append("the anchor does not run `manage.py anchor_audit_chain` every 15 minutes")
    if "manage.py migrate" not in command_text(services["migrate"]) or services["migrate"].get("restart") != "no":
        problems.append("migrate is not a one-shot `manage.py migrate`")
    for name in ("app1", "app2", "worker", "anchor"):
        condition = services[name].get("depends_on", {}).get("migrate", {}).get("condition")
        if condition != "service_completed_successfully":
            problems.append(f"{name} does not wait for migrate to complete")
    for name, prefix in (("postgres", "postgres:16"), ("redis", "redis:7"), ("proxy", "nginx:")):
        if not str(services[name].get("image", "")).startswith(prefix):
            problems.append(f"{name} is not {prefix}")
    if "minio/minio" not in str(services["minio"].get("image", "")):
        problems.append("minio is not MinIO")
    bucket = services.get("create-bucket", {})
    if "minio/mc" not in str(bucket.get("image", "")) or not any(
        str(volume).startswith("./minio/create-bucket.sh:") for volume in bucket.get("volumes", [])
    ):
        problems.append("no create-bucket service runs deploy/minio/create-bucket.sh with mc")
    if not any(str(volume).startswith("./nginx/proceed.conf:") for volume in services["proxy"].get("volumes", [])):
        problems.append("the proxy does not use deploy/nginx/proceed.conf")
    volumes = yaml.safe_load(files[COMPOSE]).get("volumes") or {}
    for name, target in (("postgres", "/var/lib/postgresql/data"), ("minio", "/data")):
        named = [str(v).split(":")[0] for v in services[name].get("volumes", []) if str(v).endswith(":" + target)]
        if not named or named[0] not in volumes:
            problems.append(f"{name}'s data ({target}) is not on a named volume")
    for name in ("app1", "app2", "worker", "anchor"):
        env = environment(services[name])
        expected = {
            "PROCEED_TRUSTED_PROXY_COUNT": "1",
            "DJANGO_BEHIND_HTTPS_PROXY": "1",
            "PROCEED_STORAGE": "s3",
            "PROCEED_TASK_BACKEND": "database",
            "DJANGO_DEBUG": "0",
        }
        for variable, value in expected.items():
            if env.get(variable) != value:
                problems.append(f"{name}: {variable} is {env.get(variable)!r}, not {value!r}")
        for variable in SPEC_VARIABLES:
            if variable not in env:
                problems.append(f"{name}: {variable} is not in its environment")
        # .env, its env_file, also holds MinIO's administrator: the app has its own user.
        if services[name].get("env_file") and any(env.get(v) != "" for v in ("MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD")):
            problems.append(f"{name} gets MinIO's administrator from .env")
        mounts = {
            volume.get("target"): volume for volume in services[name].get("volumes", []) if isinstance(volume, dict)
        }
        for variable in ("PROCEED_SIGNING_KEY", "PROCEED_SIGNING_CERT"):
            mount = mounts.get(env.get(variable))
            if not mount or mount.get("read_only") is not True:
                problems.append(f"{name}: {variable} ({env.get(variable)}) is not a file mounted read-only")
    return problems


def compose_secret_problems(files: Files) -> list[str]:
    """No credential is written into compose.yaml: each comes from .env through ${...}."""
    problems = []
    for name, service in compose_services(files).items():
        for variable, value in environment(service).items():
            if variable in CREDENTIALS and value:
                match = INTERPOLATION.fullmatch(value)
                if not match or (match.group("op") in ("-", ":-") and match.group("arg")):
                    problems.append(f"{name}: {variable} is written in compose.yaml instead of coming from .env")
            if "://" in value:
                password = urlsplit(INTERPOLATION.sub("X", value)).password
                raw_password = re.search(r"://[^/@:]*:([^@]*)@", value)
                if password and not (raw_password and INTERPOLATION.fullmatch(raw_password.group(1))):
                    problems.append(f"{name}: {variable} has a password written into its URL")
    # A long opaque token anywhere (a pasted key) is a secret too, whatever it is called.
    for token in re.findall(r"[A-Za-z0-9_+=-]{32,}", re.sub(r"\$\{[^}]*\}", "", files[COMPOSE])):
        problems.append(f"compose.yaml holds what looks like a secret: {token[:6]}...")
    return problems


def env_example_problems(files: Files) -> list[str]:
    entries = env_example_entries(files)
    problems = [f"env.example does not name {name}" for name in SPEC_VARIABLES if name not in entries]
    interpolated = {match.group("name") for match in INTERPOLATION.finditer(files[COMPOSE])}
    problems += [f"compose.yaml reads {name}, which env.example does not name" for name in interpolated - set(entries)]
    for name, value in entries.items():
        if name in SECRETS and value not in ("", PLACEHOLDER):
            problems.append(f"env.example gives {name} a value; only the placeholder {PLACEHOLDER} belongs there")
        for match in re.finditer(r"://[^/@:\s]*:([^@\s]*)@", value):
            if match.group(1) != PLACEHOLDER:
                problems.append(f"env.example writes a password into {name}")
    for required in ("DJANGO_SECRET_KEY", "PROCEED_S3_SECRET_ACCESS_KEY", "POSTGRES_PASSWORD"):
        if entries.get(required) != PLACEHOLDER:
            problems.append(f"env.example must leave {required} as {PLACEHOLDER}")
    return problems


def dockerfile_problems(files: Files) -> list[str]:
    instructions = dockerfile_instructions(files)
    keywords = [keyword for keyword, _ in instructions]
    problems = []
    bases = [arguments for keyword, arguments in instructions if keyword == "FROM"]
    if len(bases) != 1 or not re.fullmatch(r"python:3\.11-slim-bookworm(@sha256:[0-9a-f]{64})?", bases[0]):
        problems.append(f"the base image is {bases}, not python:3.11-slim-bookworm (or its digest)")
    if "CMD" not in keywords:
        return [*problems, "no CMD"]
    cmd_at = len(keywords) - 1 - keywords[::-1].index("CMD")
    users = [arguments for keyword, arguments in instructions[:cmd_at] if keyword == "USER"]
    if not users or users[-1].split(":")[0] in ("root", "0"):
        problems.append("the command does not run as a non-root USER")
    healthchecks = [arguments for keyword, arguments in instructions if keyword == "HEALTHCHECK"]
    if not healthchecks or "/healthz" not in healthchecks[0] or "urllib" not in healthchecks[0]:
        problems.append("no HEALTHCHECK calling /healthz with urllib")
    runs = [arguments for keyword, arguments in instructions if keyword == "RUN"]
    if not any("manage.py collectstatic --noinput" in run for run in runs):
        problems.append("static files are not collected at build")
    for keyword, arguments in instructions:
        if keyword in ("ENV", "ARG", "LABEL") and "DJANGO_SECRET_KEY" in arguments:
            problems.append(f"{keyword} puts DJANGO_SECRET_KEY into the image")
    if ("EXPOSE", "8000") not in instructions:
        problems.append("port 8000 is not exposed")
    try:
        command = json.loads(instructions[cmd_at][1])
    except ValueError:
        command = []
    if command != gunicorn_command(files):
        problems.append(f"CMD {command} is not gunicorn config.wsgi --workers 3 --bind 0.0.0.0:8000")
    # gunicorn's access log writes request paths, patients' link tokens included.
    if any("access-log" in part for part in command):
        problems.append("CMD turns gunicorn's access log on, which would write patients' link tokens")
    # The same install as a VM's: the Makefile's setuptools, and the requirements without build isolation.
    for tool in ("pip", "setuptools"):
        pin = re.search(rf'"({tool}==[0-9.]+)"', files[MAKEFILE])
        if not pin or not any(pin.group(1) in run for run in runs):
            problems.append(f"the image does not install the Makefile's {tool}")
    if not any("--no-build-isolation -r requirements.txt" in run for run in runs):
        problems.append("the requirements are not installed as in the README (--no-build-isolation)")
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core"):
        if not any(re.search(rf"\b{re.escape(package)}\b", run) for run in runs):
            problems.append(f"WeasyPrint's {package} is not installed")
    return problems


def apt_packages(text: str) -> set[str]:
    """The packages of every `apt-get install` in a Dockerfile or a shell block, options left out."""
    packages = set()
    for command in re.findall(r"apt-get install ([^&\n\\]*(?:\\\n[^&\n\\]*)*)", text):
        packages.update(word for word in command.replace("\\\n", " ").split() if not word.startswith("-"))
    return packages


def pip_installs(text: str) -> list[list[str]]:
    """The arguments of every `pip install`, without --no-cache-dir and with requirements.txt's path relative."""
    installs = []
    for command in re.findall(r"pip install ([^&\n\\]*)", text):
        words = command.replace("/opt/proceed/requirements.txt", "requirements.txt").split()
        installs.append([word for word in words if word != "--no-cache-dir"])
    return installs


def same_steps_problems(files: Files) -> list[str]:
    """The image is built with the steps of a VM install (deploy/README.md), so testing one tests the other."""
    dockerfile = "\n".join(arguments for keyword, arguments in dockerfile_instructions(files) if keyword == "RUN")
    vm_steps = files[DEPLOY_README]
    problems = []
    image_packages, vm_packages = apt_packages(dockerfile), apt_packages(vm_steps) - {"python3.11", "python3.11-venv"}
    if not image_packages or image_packages != vm_packages:
        problems.append(f"the image installs {sorted(image_packages)}, a VM {sorted(vm_packages)}")
    if not pip_installs(dockerfile) or pip_installs(dockerfile) != pip_installs(vm_steps):
        problems.append(f"the image runs pip install {pip_installs(dockerfile)}, a VM {pip_installs(vm_steps)}")
    for step in ("python3.11 -m venv /opt/proceed/.venv", "collectstatic --noinput"):
        if step not in dockerfile or step not in vm_steps:
            problems.append(f"`{step}` is not a step of both")
    return problems


def gunicorn_command(files: Files) -> list[str]:
    """The README's gunicorn line, for every interface: what the image and proceed-web.service run."""
    line = re.search(r"gunicorn config\.wsgi --bind \S+ --workers (\d+)", files[README])
    workers = line.group(1) if line else "?"
    return ["gunicorn", "config.wsgi", "--workers", workers, "--bind", "0.0.0.0:8000"]


def seconds(value: str) -> int:
    match = re.fullmatch(r"(\d+)\s*s?", value.strip())
    return int(match.group(1)) if match else 0


def render_timeout(files: Files) -> int:
    example = seconds(env_example_entries(files).get("PROCEED_RENDER_TIMEOUT_SECONDS", "0"))
    return max(example, settings.PROCEED_RENDER_TIMEOUT_SECONDS)


def systemd_problems(files: Files) -> list[str]:
    problems, units = [], {}
    for path in (*SERVICE_UNITS, ANCHOR_TIMER):
        try:
            units[path] = unit(files, path)
        except configparser.Error as error:
            problems.append(f"{path} does not parse: {error}")
    if problems:
        return problems
    private_root = env_example_entries(files).get("PROCEED_PRIVATE_ROOT", "")
    for path in SERVICE_UNITS:
        service = units[path]["Service"]
        expected = {
            "User": "proceed",
            "WorkingDirectory": "/opt/proceed",
            "EnvironmentFile": "/etc/proceed/env",
            "NoNewPrivileges": "yes",
            "PrivateTmp": "yes",
            "ProtectSystem": "strict",
            "ProtectHome": "yes",
        }
        for key, value in expected.items():
            if service.get(key) != value:
                problems.append(f"{path}: {key} is {service.get(key)!r}, not {value!r}")
        writable = service.get("ReadWritePaths", "").split()
        if not private_root or not any(private_root == p or private_root.startswith(p + "/") for p in writable):
            problems.append(f"{path}: PROCEED_PRIVATE_ROOT ({private_root}) is not in ReadWritePaths")
    web = shlex.split(units[WEB_UNIT]["Service"].get("ExecStart", ""))
    if not web or web[0] != "/opt/proceed/.venv/bin/gunicorn" or web[1:] != gunicorn_command(files)[1:]:
        problems.append(f"proceed-web runs {web}, not the image's gunicorn command")
    if units[WEB_UNIT]["Service"].get("Restart") != "on-failure":
        problems.append("proceed-web is not restarted on failure")
    worker = units[WORKER_UNIT]["Service"]
    if shlex.split(worker.get("ExecStart", "")) != ["/opt/proceed/.venv/bin/python", "manage.py", "proceed_worker"]:
        problems.append(f"proceed-worker runs {worker.get('ExecStart')!r}, not manage.py proceed_worker")
    if seconds(worker.get("TimeoutStopSec", "0")) <= render_timeout(files):
        problems.append("proceed-worker's TimeoutStopSec leaves no time to finish a render")
    anchor = units[ANCHOR_UNIT]["Service"]
    if shlex.split(anchor.get("ExecStart", "")) != ["/opt/proceed/.venv/bin/python", "manage.py", "anchor_audit_chain"]:
        problems.append("proceed-anchor does not run manage.py anchor_audit_chain")
    if anchor.get("Type") != "oneshot":
        problems.append("proceed-anchor is not a oneshot")
    timer = units[ANCHOR_TIMER]["Timer"]
    if timer.get("OnCalendar") != "*:0/15" or timer.get("Unit", "proceed-anchor.service") != "proceed-anchor.service":
        problems.append("proceed-anchor.timer does not start proceed-anchor.service every 15 minutes")
    grace = seconds(str(compose_services(files)["worker"].get("stop_grace_period", "0")))
    if grace <= render_timeout(files):
        problems.append("compose's worker has no stop_grace_period longer than a render")
    return problems


def readme_problems(files: Files) -> list[str]:
    section = readme_section(files)
    if not section:
        return ['README.md has no "Running on several servers" section']
    documented, example = readme_variables(files), set(env_example_entries(files))
    problems = [f"README's table names {name}, which env.example does not" for name in sorted(documented - example)]
    problems += [f"env.example names {name}, which README's table does not" for name in sorted(example - documented)]
    for needed in ("(#background-worker)", "pg_dump", "Object Lock", "replicat", "verify_records", "/verify/"):
        if needed not in section:
            problems.append(f"the section does not mention {needed}")
    # Every deployment file is described in deploy/README.md.
    listed = files[DEPLOY_README]
    for path in sorted(DEPLOY.rglob("*")):
        name = path.relative_to(DEPLOY).as_posix()
        if path.is_file() and name != "README.md" and f"`{name}`" not in listed:
            problems.append(f"deploy/README.md does not describe {name}")
    return problems


def proxy_problems(files: Files) -> list[str]:
    conf, problems = files[NGINX], []
    services = compose_services(files)
    for name in ("app1", "app2"):
        if not re.search(rf"^\s*server {name}:8000\b", conf, flags=re.MULTILINE):
            problems.append(f"the proxy does not send requests to {name}:8000")
    if "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" not in conf:
        problems.append("the proxy does not append the client's address to X-Forwarded-For")
    if "proxy_set_header X-Forwarded-Proto $scheme;" not in conf:
        problems.append("the proxy does not overwrite X-Forwarded-Proto")
    if environment(services["app1"]).get("PROCEED_TRUSTED_PROXY_COUNT") != "1":
        problems.append("the app is not told that one proxy appends to X-Forwarded-For")
    # Every access log uses the format that hides patients' link tokens, and that format does hide them.
    for target, log_format in re.findall(r"^\s*access_log\s+(\S+?)(?:\s+(\S+?))?;", conf, flags=re.MULTILINE):
        if target != "off" and log_format != "proceed":
            problems.append(f"access_log {target} does not use the `proceed` format")
    mapping = re.search(r'map \$request_uri \$proceed_logged_uri \{\s*"~([^"]+)"\s+"([^"]+)";', conf)
    if not mapping or "$proceed_logged_uri" not in conf.split("log_format proceed", 1)[-1].split(";")[0]:
        problems.append("the `proceed` log format does not log the redacted path")
    else:
        pattern = re.compile(mapping.group(1).replace("(?<", "(?P<"))
        token = "k3Lx9-QvW0_aZ7pTt5rYb2NcM8dFh4Js6Ue1GiOoPl"
        found = pattern.match(f"/c/{token}/step/3/?x=1")
        logged = mapping.group(2).replace("$rest", found.group("rest")) if found else ""
        if token in logged or logged != "/c/<token>/step/3/?x=1":
            problems.append(f"a patient's link is logged as {logged!r}")
    if "client_max_body_size 21m;" not in conf:
        problems.append("the proxy does not cap request bodies at 21 MB (a 20 MB scan and the form around it)")
    return problems


def bucket_problems(files: Files) -> list[str]:
    script, problems = files[BUCKET_SCRIPT], []
    if not re.search(r"^mc mb .*--with-lock", script, flags=re.MULTILINE):
        problems.append("the bucket is not made with Object Lock (mc mb --with-lock)")
    if re.search(r"^[^#\n]*mc retention set", script, flags=re.MULTILINE):
        problems.append("the bucket gets a default retention; Proceed sets retention per record")
    if re.search(r"^[^#\n]*s3:(DeleteObjectVersion|BypassGovernanceRetention|PutBucket)", script, flags=re.MULTILINE):
        problems.append("the app's user may remove versions, bypass retention or change the bucket")
    return problems


CHECKS: dict[str, Callable[[Files], list[str]]] = {
    "compose topology": compose_topology_problems,
    "compose secrets": compose_secret_problems,
    "env.example": env_example_problems,
    "Dockerfile": dockerfile_problems,
    "same steps": same_steps_problems,
    "systemd": systemd_problems,
    "README": readme_problems,
    "proxy": proxy_problems,
    "bucket": bucket_problems,
}


@pytest.fixture(scope="module")
def files() -> Files:
    return read_files()


@pytest.mark.parametrize("check", CHECKS)
def test_deploy_files(files, check):
    assert CHECKS[check](files) == []


# Each check, shown failing on a copy of the files broken in one place: (check, file, old, new).
BROKEN = [
    ("compose topology", COMPOSE, "  app2:\n    <<: *proceed\n", "  app2:\n    <<: *proceed\n    image: other:1\n"),
    ("compose topology", COMPOSE, '["python", "manage.py", "proceed_worker"]', '["python", "manage.py", "db_worker"]'),
    ("compose topology", COMPOSE, "image: redis:7-bookworm", "image: valkey/valkey:8"),
    ("compose topology", COMPOSE, "image: postgres:16-bookworm", "image: postgres:15"),
    ("compose topology", COMPOSE, "    PROCEED_S3_PREFIX: ${PROCEED_S3_PREFIX:-proceed/}\n", ""),
    ("compose topology", COMPOSE, 'PROCEED_TRUSTED_PROXY_COUNT: "1"', 'PROCEED_TRUSTED_PROXY_COUNT: "0"'),
    ("compose topology", COMPOSE, "PROCEED_TASK_BACKEND: database", "PROCEED_TASK_BACKEND: immediate"),
    ("compose topology", COMPOSE, "      read_only: true\n", "      read_only: false\n"),
    ("compose topology", COMPOSE, "condition: service_completed_successfully", "condition: service_started"),
    ("compose topology", COMPOSE, "python manage.py anchor_audit_chain", "python manage.py verify_audit_chain"),
    ("compose topology", COMPOSE, "      - minio-data:/data\n", "      - ./minio-data:/data\n"),
    ("compose topology", COMPOSE, '    MINIO_ROOT_PASSWORD: ""\n', ""),
    (
        "compose secrets",
        COMPOSE,
        "DJANGO_SECRET_KEY: ${DJANGO_SECRET_KEY:?set DJANGO_SECRET_KEY in deploy/.env}",
        "DJANGO_SECRET_KEY: not-so-secret",
    ),
    (
        "compose secrets",
        COMPOSE,
        "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in deploy/.env}",
        "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-hunter2}",
    ),
    ("compose secrets", COMPOSE, "postgres://proceed:${POSTGRES_PASSWORD:?", "postgres://proceed:hunter2@x/${X:?"),
    ("compose secrets", COMPOSE, "PROCEED_S3_PREFIX:-proceed/}", "PROCEED_S3_PREFIX:-proceed/}\n    X: " + "aB3" * 15),
    ("env.example", ENV_EXAMPLE, "PROCEED_S3_PREFIX=proceed/\n", ""),
    ("env.example", ENV_EXAMPLE, "DJANGO_SECRET_KEY=CHANGE_ME", "DJANGO_SECRET_KEY=" + "s3cr3t" * 10),
    ("env.example", ENV_EXAMPLE, "MINIO_ROOT_PASSWORD=CHANGE_ME", "MINIO_ROOT_PASSWORD=minio123"),
    ("env.example", ENV_EXAMPLE, "#DATABASE_URL=postgres://proceed:CHANGE_ME@", "#DATABASE_URL=postgres://proceed:pw@"),
    ("env.example", COMPOSE, "${PROCEED_S3_REGION:-us-east-1}", "${PROCEED_S3_AREA:-us-east-1}"),
    ("Dockerfile", DOCKERFILE, "FROM python:3.11-slim-bookworm", "FROM python:3.11-slim"),
    ("Dockerfile", DOCKERFILE, "\nUSER proceed\n", "\nUSER root\n"),
    ("Dockerfile", DOCKERFILE, "\nUSER proceed\n", "\n"),
    ("Dockerfile", DOCKERFILE, "'http://127.0.0.1:8000/healthz'", "'http://127.0.0.1:8000/'"),
    ("Dockerfile", DOCKERFILE, "python manage.py collectstatic --noinput", "python manage.py check"),
    ("Dockerfile", DOCKERFILE, "\nUSER proceed\n", "\nENV DJANGO_SECRET_KEY=build-only\nUSER proceed\n"),
    ("Dockerfile", DOCKERFILE, '"0.0.0.0:8000"]', '"0.0.0.0:8000", "--access-logfile", "-"]'),
    ("Dockerfile", DOCKERFILE, '"--workers", "3"', '"--workers", "5"'),
    ("Dockerfile", DOCKERFILE, '"setuptools==80.9.0"', '"setuptools==70.0.0"'),
    ("Dockerfile", DOCKERFILE, "        fonts-dejavu-core \\\n", ""),
    ("Dockerfile", DOCKERFILE, '"pip==26.3"', '"pip==25.0"'),
    ("same steps", DOCKERFILE, "        libharfbuzz-subset0 \\\n", ""),
    ("same steps", DEPLOY_README, " fonts-dejavu-core", " fonts-dejavu"),
    ("same steps", DEPLOY_README, 'pip install "pip==26.3" "setuptools==80.9.0"', 'pip install "setuptools==80.9.0"'),
    ("same steps", DEPLOY_README, "--no-build-isolation -r", "-r"),
    ("same steps", DEPLOY_README, "proceed_manage collectstatic --noinput", "proceed_manage collectstatic"),
    ("systemd", WEB_UNIT, "--workers 3", "--workers 9"),
    ("systemd", WEB_UNIT, "ProtectSystem=strict", "ProtectSystem=full"),
    ("systemd", WEB_UNIT, "User=proceed", "User=root"),
    ("systemd", WEB_UNIT, "Restart=on-failure", "Restart=no"),
    ("systemd", WEB_UNIT, "[Service]\n", "[Service]\nthis line is not a setting\n"),
    ("systemd", WORKER_UNIT, "manage.py proceed_worker", "manage.py db_worker"),
    ("systemd", WORKER_UNIT, "TimeoutStopSec=90", "TimeoutStopSec=30"),
    ("systemd", WORKER_UNIT, "ReadWritePaths=/var/lib/proceed", "ReadWritePaths=/var/lib/other"),
    ("systemd", ANCHOR_UNIT, "Type=oneshot", "Type=simple"),
    ("systemd", ANCHOR_TIMER, "OnCalendar=*:0/15", "OnCalendar=hourly"),
    ("systemd", COMPOSE, "stop_grace_period: 90s", "stop_grace_period: 10s"),
    ("README", README, "| `PROCEED_S3_PREFIX` | `proceed/` | Folder", "| `PROCEED_S3_FOLDER` | `proceed/` | Folder"),
    ("README", README, "`POSTGRES_PASSWORD`, `REDIS_PASSWORD`, ", "`REDIS_PASSWORD`, "),
    ("README", README, "### Running on several servers", "### Running on many servers"),
    ("README", DEPLOY_README, "| `minio/create-bucket.sh` |", "| the bucket script |"),
    ("proxy", NGINX, "server app2:8000", "server app3:8000"),
    ("proxy", NGINX, "X-Forwarded-For $proxy_add_x_forwarded_for;", "X-Forwarded-For $http_x_forwarded_for;"),
    ("proxy", NGINX, "access_log /var/log/nginx/access.log proceed;", "access_log /var/log/nginx/access.log;"),
    ("proxy", NGINX, '"/c/<token>$rest"', '"$request_uri"'),
    ("proxy", NGINX, "client_max_body_size 21m;", "client_max_body_size 100m;"),
    ("bucket", BUCKET_SCRIPT, "--with-lock ", ""),
    (
        "bucket",
        BUCKET_SCRIPT,
        "\nmc admin policy create",
        '\nmc retention set --default compliance 30d "$b"\nmc admin policy create',
    ),
    ("bucket", BUCKET_SCRIPT, '"s3:DeleteObject",', '"s3:DeleteObject", "s3:DeleteObjectVersion",'),
]


@pytest.mark.parametrize(("check", "path", "old", "new"), BROKEN, ids=[f"{b[0]}: {b[3][:40]!r}" for b in BROKEN])
def test_each_check_can_fail(files, check, path, old, new):
    assert old in files[path], f"{path} no longer contains {old!r}: update this test"
    broken = {**files, path: files[path].replace(old, new, 1)}
    assert CHECKS[check](broken), f"the {check} check did not notice {path} changed to {new!r}"
