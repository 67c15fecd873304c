import io
import os

import pytest
from django.core.management import call_command

from masthead.core.upgrade import (
    PID_FILE_PREFIX,
    pid_dir,
    running_servers,
    serving_pid_file,
    site_upgraded,
)


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def test_a_running_server_is_found_by_its_locked_pid_file(var_dir):
    with serving_pid_file() as path:
        assert path.parent == pid_dir()
        assert running_servers() == [os.getpid()]
    assert running_servers() == []
    assert not path.exists()


def test_a_pid_file_left_by_a_crash_is_removed_not_signalled(var_dir):
    pid_dir().mkdir(parents=True)
    stale = pid_dir() / f"{PID_FILE_PREFIX}4242.pid"
    stale.write_text("4242")

    assert running_servers() == []
    assert not stale.exists()


@pytest.mark.django_db
def test_an_upgrade_announces_itself_to_purge_the_page_cache(var_dir):
    heard = []

    def receiver(sender, **kwargs):
        heard.append(sender)

    out = io.StringIO()
    site_upgraded.connect(receiver)
    try:
        call_command("masthead_upgrade", "--skip-collectstatic", stdout=out)
    finally:
        site_upgraded.disconnect(receiver)
    assert len(heard) == 1
    assert "No migrations to apply" in out.getvalue()
    assert "No masthead_serve runs here" in out.getvalue()
