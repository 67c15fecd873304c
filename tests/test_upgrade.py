"""Several servers upgrading at once against one database migrate it once."""

import re
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from masthead.core.upgrade import migration_lock

from .processes import ROOT, child_env

WAITING = "Another server is migrating; waiting for it."


def start_upgrade() -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "masthead_upgrade",
            "--skip-collectstatic",
            "--no-reload",
        ],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def applied(name: str) -> int:
    return (
        MigrationRecorder(connection).migration_qs.filter(app="core", name=name).count()
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_servers_upgrading_together_apply_a_pending_migration_once(tmp_path):
    latest = MigrationRecorder(connection).migration_qs.filter(app="core")
    newest = latest.order_by("-name").values_list("name", flat=True).first()
    call_command("migrate", "core", "0003", verbosity=0)  # as before the release
    assert applied(newest) == 0

    # Both start while a third holds the lock, so both must wait for it.
    with migration_lock():
        upgrades = [start_upgrade(), start_upgrade()]
        try:
            deadline = time.monotonic() + 120
            outputs = ["", ""]
            for number, upgrade in enumerate(upgrades):
                while WAITING not in outputs[number]:
                    assert time.monotonic() < deadline, outputs
                    assert upgrade.poll() is None, upgrade.stdout.read()
                    outputs[number] += upgrade.stdout.readline()
        except BaseException:
            for upgrade in upgrades:
                upgrade.kill()
            raise
    for number, upgrade in enumerate(upgrades):
        rest, _ = upgrade.communicate(timeout=180)
        outputs[number] += rest
        assert upgrade.returncode == 0, outputs[number]

    applying = re.compile(rf"Applying core\.{newest}\.\.\.\s*OK")
    assert sorted(bool(applying.search(out)) for out in outputs) == [False, True]
    assert any("No migrations to apply." in output for output in outputs), outputs
    assert applied(newest) == 1
