"""The production kit: Dockerfile, compose.yaml, deploy/Caddyfile, the systemd
units and the environment examples (docs/deploy.md).

Each piece is checked by the tool that will read it where that tool is here
(systemd-analyze, caddy, docker-compose), and its promises are read from the
file itself: non-root, static files collected at build time, no dev tools,
the same gunicorn flags as `masthead_serve`, every required variable named.
"""

import ast
import os
import re
import secrets
import shlex
import shutil
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from masthead.core.management.commands.masthead_serve import gunicorn_command

from .processes import ROOT, clean_env, free_port

SYSTEMD = ROOT / "deploy" / "systemd"
LONG_RUNNING_UNITS = [
    "masthead-web.service",
    "masthead-worker.service",
    "masthead-scheduler.service",
]
ALL_UNITS = [*LONG_RUNNING_UNITS, "masthead-backup.service", "masthead-backup.timer"]
APP_SERVICES = ["migrate", "web", "worker", "scheduler", "backup"]


def required_production_variables() -> set[str]:
    """The names production settings refuse to start without (`_require`)."""
    tree = ast.parse((ROOT / "masthead/settings/production.py").read_text())
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "_require"
        and isinstance(node.args[0], ast.Constant)
    }


def read_env_file(path: Path) -> dict[str, str]:
    """NAME=value lines, as both compose and systemd read them (no quotes)."""
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value
    return values


def unit_settings(name: str) -> dict[str, list[str]]:
    """Each key of a unit file with all its values: systemd allows repeats."""
    settings: dict[str, list[str]] = {}
    for line in (SYSTEMD / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            settings.setdefault(key, []).append(value)
    return settings


def dockerfile_stages() -> list[tuple[str, list[str]]]:
    """(FROM line, its instructions) per stage, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    stages: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("FROM "):
            stages.append((line, []))
        elif line and not line.startswith("#") and stages:
            stages[-1][1].append(line)
    return stages


def serve_flags(argv: list[str]) -> list[str]:
    """gunicorn's flags without the address and the worker count, which each
    way of running sets for itself."""
    start = next(i for i, arg in enumerate(argv) if arg.endswith("gunicorn")) + 1
    return [
        arg for arg in argv[start:] if not arg.startswith(("--bind=", "--workers="))
    ]


# --- systemd --------------------------------------------------------------------


def run_systemd_verify(unit_dir: Path, names: list[str]) -> subprocess.CompletedProcess:
    """`systemd-analyze verify` on the files as shipped. It also checks that each
    command exists, so it runs in a private mount namespace where
    /srv/masthead/.venv/bin/python is this interpreter; the host is untouched."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is missing (Debian's systemd package)")
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare for a private /srv to verify in")
    script = (
        "mount -t tmpfs tmpfs /srv && mkdir -p /srv/masthead/.venv/bin && "
        f"ln -s {shlex.quote(sys.executable)} /srv/masthead/.venv/bin/python && "
        f"systemd-analyze verify {' '.join(shlex.quote(n) for n in names)}"
    )
    return subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
        cwd=unit_dir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_systemd_units_pass_systemd_analyze_verify():
    result = run_systemd_verify(SYSTEMD, ALL_UNITS)
    # verify only warns about an unknown key (exit 0): any output is a failure.
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_systemd_verify_as_run_here_catches_a_misspelt_option(tmp_path):
    broken = (SYSTEMD / "masthead-web.service").read_text()
    broken = broken.replace("ProtectSystem=strict", "ProtectSystm=strict")
    (tmp_path / "masthead-web.service").write_text(broken)
    result = run_systemd_verify(tmp_path, ["masthead-web.service"])
    assert "ProtectSystm" in result.stdout + result.stderr


@pytest.mark.parametrize("name", [*LONG_RUNNING_UNITS, "masthead-backup.service"])
def test_unit_runs_as_masthead_with_the_environment_file_and_hardening(name):
    settings = unit_settings(name)
    assert settings["User"] == ["masthead"]
    assert settings["EnvironmentFile"] == ["/etc/masthead/masthead.env"]
    assert (
        "DJANGO_SETTINGS_MODULE=masthead.settings.production"
        in (settings["Environment"])
    )
    assert settings["WorkingDirectory"] == ["/srv/masthead"]
    for key, value in {
        "ProtectSystem": "strict",
        "NoNewPrivileges": "yes",
        "PrivateTmp": "yes",
        "ProtectHome": "yes",
        "StateDirectory": "masthead",
        "ReadWritePaths": "/var/lib/masthead",
        "CapabilityBoundingSet": "",
    }.items():
        assert settings.get(key) == [value], key
    assert "MASTHEAD_VAR_DIR=/var/lib/masthead" in settings["Environment"]


def test_each_unit_starts_its_own_process():
    commands = {
        name: unit_settings(name)["ExecStart"][0]
        for name in [*LONG_RUNNING_UNITS, "masthead-backup.service"]
    }
    python = "/srv/masthead/.venv/bin/python"
    assert commands["masthead-web.service"].startswith(f"{python} -m gunicorn ")
    assert commands["masthead-web.service"].endswith(" masthead.wsgi")
    assert commands["masthead-worker.service"] == (
        f"{python} manage.py db_worker --no-reload"
    )
    assert commands["masthead-scheduler.service"] == (
        f"{python} manage.py masthead_scheduler"
    )
    assert commands["masthead-backup.service"] == f"{python} manage.py masthead_backup"


def test_backup_timer_starts_the_backup_service_every_night_and_catches_up():
    timer = unit_settings("masthead-backup.timer")
    assert timer["Unit"] == ["masthead-backup.service"]
    assert timer["OnCalendar"] == ["*-*-* 03:15:00"]
    assert timer["Persistent"] == ["true"]
    assert timer["WantedBy"] == ["timers.target"]
    assert unit_settings("masthead-backup.service")["Type"] == ["oneshot"]


def test_web_processes_use_the_gunicorn_flags_of_masthead_serve():
    expected = serve_flags(gunicorn_command("127.0.0.1", "8000", 2))
    _, runtime = dockerfile_stages()[-1]
    cmd = next(line for line in runtime if line.startswith("CMD "))
    image_argv = yaml.safe_load(cmd.removeprefix("CMD "))
    unit_argv = shlex.split(unit_settings("masthead-web.service")["ExecStart"][0])
    assert serve_flags(image_argv) == expected
    assert serve_flags(unit_argv) == expected
    assert "--bind=0.0.0.0:8000" in image_argv
    assert "--bind=127.0.0.1:8000" in unit_argv


# --- the image ------------------------------------------------------------------


def test_dockerfile_builds_in_one_stage_and_runs_from_another_as_non_root():
    stages = dockerfile_stages()
    assert len(stages) >= 2
    (build_from, _), (_, runtime) = stages[0], stages[-1]
    assert build_from.endswith(" AS build")
    assert any(line.startswith("COPY --from=build /opt/venv") for line in runtime)
    users = [line.split()[1] for line in runtime if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}
    assert users[-1] in " ".join(runtime)  # the runtime stage creates that user


def test_static_files_are_collected_at_build_time_with_production_settings():
    _, build = dockerfile_stages()[0]
    collect = [line for line in build if "collectstatic" in line]
    assert len(collect) == 1
    assert collect[0].startswith("RUN ")
    assert "DJANGO_SETTINGS_MODULE=masthead.settings.production" in collect[0]
    assert "STATIC_ROOT=/app/static" in collect[0]
    # The throwaway key lives in that one command, never in the image's ENV.
    env_lines = " ".join(
        line
        for _, stage in dockerfile_stages()
        for line in stage
        if line.startswith(("ENV ", "ARG "))
    )
    assert "SECRET_KEY" not in env_lines


def test_image_installs_runtime_packages_only():
    stages = dockerfile_stages()
    everything = " ".join(line for _, stage in stages for line in stage)
    assert "[dev]" not in everything
    assert "-c requirements.lock" in everything
    _, runtime = stages[-1]
    runtime_text = " ".join(runtime)
    for build_tool in ("python3-venv", "python3-pip", "build-essential", "gcc"):
        assert build_tool not in runtime_text
    # masthead_backup needs pg_dump beside the app.
    assert "postgresql-client" in runtime_text


def test_dockerignore_keeps_local_state_and_the_virtualenv_out():
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    assert "*" in lines  # everything is excluded unless named
    sent = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert sent == {
        "pyproject.toml",
        "requirements.lock",
        "manage.py",
        "masthead",
        "templates",
        "static_src",
    }
    copied = {
        source.rstrip("/").removeprefix("./")
        for _, stage in dockerfile_stages()
        for line in stage
        if line.startswith("COPY ") and "--from" not in line
        for source in line.split()[1:-1]
    }
    assert copied <= sent


# --- compose ----------------------------------------------------------------------


def compose_command() -> list[str] | None:
    """docker-compose, or the compose plugin of the docker client: neither needs
    an engine to resolve a file."""
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        plugin = subprocess.run(
            ["docker", "compose", "version"], capture_output=True, check=False
        )
        if plugin.returncode == 0:
            return ["docker", "compose"]
    return None


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_runs_every_service_of_a_production_site(compose):
    services = compose["services"]
    assert set(services) == {*APP_SERVICES, "postgres", "redis", "proxy"}
    commands = {name: services[name].get("command") for name in APP_SERVICES}
    assert commands["web"] is None  # the image's CMD: gunicorn
    assert commands["worker"] == ["python", "manage.py", "db_worker", "--no-reload"]
    assert commands["scheduler"] == ["python", "manage.py", "masthead_scheduler"]
    assert commands["migrate"][:3] == ["python", "manage.py", "migrate"]
    assert "masthead_backup" in " ".join(commands["backup"])
    assert services["proxy"]["image"] == "caddy:2"


def test_compose_app_services_share_the_image_settings_and_database(compose):
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service["image"] == "${MASTHEAD_IMAGE:-masthead:latest}"
        assert service["build"] == "."
        assert service["env_file"] == ".env"
        assert service["environment"]["DATABASE_URL"].endswith(
            "@postgres:5432/masthead"
        )
        assert service["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    for name in ["web", "worker", "scheduler", "backup"]:
        depends = compose["services"][name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}


def test_compose_keeps_the_database_media_and_backups_in_volumes(compose):
    services = compose["services"]
    assert {"postgres-data", "media", "backups", "caddy-data"} <= set(
        compose["volumes"]
    )
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    for name in ["web", "worker", "backup"]:
        assert "media:/var/lib/masthead/media" in services[name]["volumes"]
        assert "private:/var/lib/masthead/private" in services[name]["volumes"]
    assert "backups:/var/lib/masthead/backups" in services["backup"]["volumes"]
    assert "media:/srv/media:ro" in services["proxy"]["volumes"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in services["proxy"]["volumes"]


def test_compose_checks_health_and_trusts_only_the_proxys_address(compose):
    services = compose["services"]
    for name in ["web", "postgres", "redis"]:
        assert services[name]["healthcheck"]["test"][0] == "CMD"
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["proxy"]["depends_on"]["web"] == {"condition": "service_healthy"}
    proxy_address = services["proxy"]["networks"]["default"]["ipv4_address"]
    assert services["web"]["environment"]["MASTHEAD_TRUSTED_PROXIES"] == proxy_address
    assert {p.split(":")[-1] for p in services["proxy"]["ports"]} == {
        "80",
        "443",
        "443/udp",
    }


def test_docker_compose_accepts_the_file_with_the_example_environment(tmp_path):
    command = compose_command()
    if command is None:
        pytest.skip("neither docker-compose nor the docker compose plugin is here")
    shutil.copy(ROOT / "compose.yaml", tmp_path)
    (tmp_path / "deploy").mkdir()
    shutil.copy(ROOT / "deploy" / "Caddyfile", tmp_path / "deploy")
    example = (ROOT / ".env.example").read_text()
    filled = example.replace(
        "\nSECRET_KEY=\n", f"\nSECRET_KEY={secrets.token_urlsafe(50)}\n"
    )
    filled = filled.replace("\nPOSTGRES_PASSWORD=\n", "\nPOSTGRES_PASSWORD=abc123\n")
    (tmp_path / ".env").write_text(filled)
    result = subprocess.run(
        [*command, "-f", "compose.yaml", "config"],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    web = resolved["services"]["web"]["environment"]
    assert web["DATABASE_URL"] == "postgres://masthead:abc123@postgres:5432/masthead"
    assert web["ALLOWED_HOSTS"] == "news.example.org"

    (tmp_path / ".env").write_text(example)  # POSTGRES_PASSWORD left empty
    refused = subprocess.run(
        [*command, "-f", "compose.yaml", "config"],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode != 0
    assert "set POSTGRES_PASSWORD in .env" in refused.stderr


# --- the environment examples ------------------------------------------------------

ENV_EXAMPLES = [ROOT / ".env.example", ROOT / "deploy" / "masthead.env.example"]


def test_production_settings_still_require_what_the_examples_were_written_for():
    # If this changes, so must both examples (and the test below proves them).
    assert {"SECRET_KEY", "ALLOWED_HOSTS"} <= required_production_variables()


@pytest.mark.parametrize("example", ENV_EXAMPLES, ids=lambda p: p.name)
def test_env_example_names_every_variable_production_requires(example):
    names = set(read_env_file(example))
    required = required_production_variables() | {"SITE_URL", "DEFAULT_FROM_EMAIL"}
    assert required <= names, required - names


@pytest.mark.parametrize("example", ENV_EXAMPLES, ids=lambda p: p.name)
def test_env_example_once_filled_in_passes_check_deploy(example, tmp_path):
    values = read_env_file(example)
    # The blanks are the secrets an operator generates, as the comments say.
    values = {name: value or secrets.token_hex(32) for name, value in values.items()}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean_env(
            **values,
            DJANGO_SETTINGS_MODULE="masthead.settings.production",
            MASTHEAD_VAR_DIR=str(tmp_path),
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# --- Caddy --------------------------------------------------------------------------


def caddy_env(tmp_path, **extra: str) -> dict[str, str]:
    settings = {
        "ACME_EMAIL": "ops@example.org",
        "MASTHEAD_DOMAIN": "news.example.org",
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    return clean_env(**{**settings, **extra})


def require_caddy() -> str:
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("caddy is missing (Debian's caddy package; bin/ensure-test-tools)")
    return caddy


def test_caddyfile_is_valid(tmp_path):
    result = subprocess.run(
        [
            require_caddy(),
            "validate",
            "--config",
            "deploy/Caddyfile",
            "--adapter",
            "caddyfile",
        ],
        cwd=ROOT,
        env=caddy_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Valid configuration" in result.stdout + result.stderr


class Upstream(BaseHTTPRequestHandler):
    """Stands in for gunicorn: answers with the headers Caddy sent it."""

    def do_GET(self):
        body = (
            f"proto={self.headers.get('X-Forwarded-Proto')}\n"
            f"for={self.headers.get('X-Forwarded-For')}\n"
            f"host={self.headers.get('Host')}\n"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def caddy(tmp_path):
    """deploy/Caddyfile run by Caddy on loopback ports, for `localhost` (a local
    certificate), in front of a stand-in app; media from a temporary folder."""
    caddy = require_caddy()
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    media = tmp_path / "media"
    (media / "images").mkdir(parents=True)
    (media / "images" / "photo.2e16d0ba.fill-640x360.webp").write_bytes(b"RIFFwebp")
    (media / "original_images").mkdir()
    (media / "original_images" / "photo.jpg").write_bytes(b"\xff\xd8exif")
    http_port, https_port = free_port(), free_port()
    log = (tmp_path / "caddy.log").open("wb")
    process = subprocess.Popen(
        [
            caddy,
            "run",
            "--config",
            str(ROOT / "deploy/Caddyfile"),
            "--adapter",
            "caddyfile",
        ],
        env=caddy_env(
            tmp_path,
            MASTHEAD_DOMAIN="localhost",
            MASTHEAD_UPSTREAM=f"127.0.0.1:{upstream.server_address[1]}",
            MASTHEAD_MEDIA=str(media),
            HTTP_PORT=str(http_port),
            HTTPS_PORT=str(https_port),
        ),
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    root = tmp_path / "data/caddy/pki/authorities/local/root.crt"
    try:
        context = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            if root.exists():
                context = ssl.create_default_context(cafile=str(root))
                try:
                    fetch(context, f"https://localhost:{https_port}/")
                    break
                except (OSError, ssl.SSLError):
                    pass
            time.sleep(0.3)
        else:
            pytest.fail("Caddy did not serve: " + (tmp_path / "caddy.log").read_text())
        yield context, http_port, https_port
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
        upstream.shutdown()
        upstream.server_close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(context, url: str):
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=context), NoRedirect()
    )
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.mark.slow
def test_caddy_terminates_tls_and_tells_the_app_the_scheme(caddy):
    context, _, https_port = caddy
    status, _, body = fetch(
        context, f"https://localhost:{https_port}/story/?utm_source=x"
    )
    assert status == 200
    assert "proto=https" in body.decode()
    assert "host=localhost" in body.decode()


@pytest.mark.slow
def test_caddy_overwrites_a_forwarded_header_the_client_sent(caddy):
    context, _, https_port = caddy
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context))
    request = urllib.request.Request(
        f"https://localhost:{https_port}/",
        headers={"X-Forwarded-Proto": "http", "X-Forwarded-For": "203.0.113.9"},
    )
    with opener.open(request, timeout=10) as response:
        body = response.read().decode()
    assert "proto=https" in body
    assert "203.0.113.9" not in body


@pytest.mark.slow
def test_caddy_redirects_http_to_https(caddy):
    context, http_port, _ = caddy
    status, headers, _ = fetch(context, f"http://localhost:{http_port}/story/")
    assert status in (301, 302, 308)
    assert headers["Location"].startswith("https://localhost")


@pytest.mark.slow
def test_caddy_serves_renditions_forever_and_never_an_original(caddy):
    context, _, https_port = caddy
    base = f"https://localhost:{https_port}/media"
    status, headers, body = fetch(
        context, f"{base}/images/photo.2e16d0ba.fill-640x360.webp"
    )
    assert (status, body) == (200, b"RIFFwebp")
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    status, _, body = fetch(context, f"{base}/original_images/photo.jpg")
    assert status == 404
    assert b"exif" not in body
