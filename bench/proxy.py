"""nginx run by the bench: deploy/nginx.conf in front of app processes, or static.

The shipped deploy/nginx.conf holds real-install defaults (port 80, /srv/...,
/var/...). `render()` swaps each default for the bench's own port and paths in
a work directory, and refuses to run when a default is no longer in the file,
so the bench always measures the config that ships. nginx runs unprivileged
style: started by us with `-p <workdir>`, `daemon off`, its pid, temp files and
logs in the work directory, never the system service.
"""

import getpass
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from .servers import Started, free_port
from .sites import ROOT

SHIPPED_CONF = ROOT / "deploy" / "nginx.conf"
UPSTREAM_LINE = "server 127.0.0.1:8000 max_fails=1 fail_timeout=2s;"
# The static-file reference: the same worker and connection settings as the
# shipped config, serving one directory with gzip_static.
STATIC_CONF = """
worker_processes auto;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
{user}
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65s;
    keepalive_requests 10000;
    client_body_temp_path {workdir}/temp/body;
    proxy_temp_path {workdir}/temp/proxy;
    fastcgi_temp_path {workdir}/temp/fastcgi;
    uwsgi_temp_path {workdir}/temp/uwsgi;
    scgi_temp_path {workdir}/temp/scgi;
    access_log {workdir}/access.log combined buffer=64k flush=5s;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        gzip_static on;
        default_type "text/html; charset=utf-8";
    }}
}}
"""


def nginx_binary() -> str:
    path = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if path is None:
        raise RuntimeError("nginx is not installed: run bin/ensure-bench-tools")
    return path


def user_line() -> str:
    # As root, nginx's workers would become `nobody` and could not read the
    # private work directory; as anyone else the directive is ignored.
    return f"user {getpass.getuser()};" if os.geteuid() == 0 else ""


def render(
    conf: str,
    *,
    workdir: Path,
    port: int,
    upstreams: list[str],
    static_root: Path,
    media_root: Path | None = None,
) -> str:
    """The shipped config with the bench's port, app processes and paths."""
    media_root = media_root or workdir / "media"
    servers = "\n        ".join(
        f"server {address} max_fails=1 fail_timeout=2s;" for address in upstreams
    )
    replacements = {
        "user www-data;": user_line(),
        "pid /run/nginx.pid;": f"pid {workdir}/nginx.pid;",
        "/var/log/nginx/": f"{workdir}/",
        "/var/lib/nginx/": f"{workdir}/temp/",
        "/var/cache/nginx/masthead": f"{workdir}/cache",
        "/srv/masthead/static/": f"{static_root}/",
        "/srv/masthead/media/": f"{media_root}/",
        "listen 80 default_server;": f"listen 127.0.0.1:{port} default_server;",
        UPSTREAM_LINE: servers,
    }
    for default, value in replacements.items():
        if default not in conf:
            raise RuntimeError(f"deploy/nginx.conf no longer contains {default!r}")
        conf = conf.replace(default, value)
    return conf


class Nginx(Started):
    """`with Nginx(workdir, conf_text_for_port) as proxy:` serves at proxy.url."""

    def __init__(self, workdir: Path, make_conf):
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.conf_path = workdir / "nginx.conf"
        self.make_conf = make_conf
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 10) -> None:
        for sub in ("temp", "cache"):
            (self.workdir / sub).mkdir(parents=True, exist_ok=True)
        self.conf_path.write_text(self.make_conf(self.port))
        command = [
            nginx_binary(),
            "-p",
            str(self.workdir),
            "-c",
            str(self.conf_path),
            "-g",
            "daemon off;",
        ]
        check = subprocess.run(  # noqa: S603 - our own arguments, no shell
            [*command, "-t", "-q"], capture_output=True, text=True, check=False
        )
        if check.returncode != 0:
            raise RuntimeError(f"nginx config refused:\n{check.stderr}")
        log = (self.workdir / "nginx.out").open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own arguments, no shell
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited; see {self.workdir}/error.log")
            try:
                urllib.request.urlopen(f"{self.url}/", timeout=2).close()  # noqa: S310 - loopback
                return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"nginx not answering; see {self.workdir}/error.log")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGQUIT)  # graceful
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the session we started
            self.process.wait(timeout=5)


def app_proxy(
    workdir: Path,
    upstreams: list[str],
    static_root: Path,
    media_root: Path | None = None,
) -> Nginx:
    """deploy/nginx.conf in front of the given app processes (host:port)."""
    shipped = SHIPPED_CONF.read_text()
    return Nginx(
        workdir,
        lambda port: render(
            shipped,
            workdir=workdir,
            port=port,
            upstreams=upstreams,
            static_root=static_root,
            media_root=media_root,
        ),
    )


def static_server(workdir: Path, root: Path) -> Nginx:
    """nginx serving files from root, gzip_static on: the speed-of-light reference."""
    return Nginx(
        workdir,
        lambda port: STATIC_CONF.format(
            workdir=workdir, port=port, root=root, user=user_line()
        ),
    )
