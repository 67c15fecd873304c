"""The repository stays buildable: lint clean, migrations complete, checks green."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.core.management import call_command

from .processes import ROOT


def test_ruff_finds_nothing():
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run(
        [str(ruff), "check", "."], cwd=ROOT, capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stdout


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_system_checks_pass():
    call_command("check", fail_level="WARNING")


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    quick_start = readme[: readme.index("make test") + 20]

    assert "make run" in quick_start
    assert len(quick_start) < 2500, "the quick start must come first"


def test_make_help_lists_the_entry_points():
    result = subprocess.run(
        ["make", "help"], cwd=ROOT, capture_output=True, text=True, check=True
    )

    for target in ("run", "test", "lint"):
        assert f"make {target}" in result.stdout


def test_the_licence_is_the_agpl_the_package_declares():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    licence = (ROOT / "LICENSE").read_text()

    assert project["license"] == "AGPL-3.0-or-later"
    assert project["license-files"] == ["LICENSE"]
    assert licence.lstrip().startswith("GNU AFFERO GENERAL PUBLIC LICENSE")
    assert "Version 3, 19 November 2007" in licence
    assert "13. Remote Network Interaction; Use with the GNU General" in licence
