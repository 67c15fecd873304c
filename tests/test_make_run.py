"""`make run` as a user meets it: it serves, prints the account, Ctrl-C stops it."""

import os
import re
import signal
import subprocess
import time
import urllib.request

import pytest

from .processes import ROOT, clean_env, free_port


def start_make_run(var_dir, port):
    return subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=ROOT,
        env=clean_env(MASTHEAD_VAR_DIR=str(var_dir), PORT=str(port), DEMO_ARTICLES="8"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal would give it
    )


def wait_for(url: str, process, seconds: float = 240) -> bytes:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"make run exited early: {process.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
                return response.read()
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer in {seconds}s")


def interrupt(process) -> str:
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends to the whole group
    output, _ = process.communicate(timeout=30)
    return output


def group_is_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.slow
def test_make_run_serves_the_demo_and_ctrl_c_stops_everything(tmp_path):
    port = free_port()
    first = start_make_run(tmp_path, port)
    home = wait_for(f"http://127.0.0.1:{port}/", first).decode()
    output = interrupt(first)

    assert '<article class="teaser">' in home
    assert "loading demo content" in output
    password = re.search(r"Password: (\S+)", output).group(1)
    deadline = time.monotonic() + 10
    while not group_is_gone(first.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert group_is_gone(first.pid), "web server or worker outlived Ctrl-C"

    second = start_make_run(tmp_path, port)
    wait_for(f"http://127.0.0.1:{port}/healthz", second)
    output = interrupt(second)

    assert "loading demo content" not in output
    assert f"Password: {password}" in output
