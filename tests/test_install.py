"""The install as the README promises it: one lock for every supported Python,
runtime packages apart from the test tools, a stale .venv rebuilt, data kept."""

import shutil
import subprocess
import sys
import tomllib

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .processes import ROOT, clean_env

# Debian 12, Ubuntu 24.04, the newest we test, and the floor of requires-python.
SUPPORTED_PYTHONS = ("3.11.0", "3.11.2", "3.12.3", "3.13.0")


def locked_requirements(lock_name: str) -> list[tuple[Requirement, list[str]]]:
    """Each pin of a lock file with its hashes, continuation lines joined."""
    text = (ROOT / lock_name).read_text().replace("\\\n", " ")
    pins = []
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        spec, *hashes = line.split("--hash=")
        pins.append((Requirement(spec.strip()), [h.strip() for h in hashes]))
    return pins


def pins_for(lock_name: str, python: str) -> dict[str, str]:
    environment = {
        **default_environment(),
        "python_full_version": python,
        "python_version": python.rsplit(".", 1)[0],
        "sys_platform": "linux",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
    }
    chosen: dict[str, str] = {}
    for requirement, _ in locked_requirements(lock_name):
        if requirement.marker and not requirement.marker.evaluate(environment):
            continue
        name = canonicalize_name(requirement.name)
        assert name not in chosen, f"{lock_name} pins {name} twice for {python}"
        (specifier,) = requirement.specifier
        chosen[name] = specifier.version
    return chosen


def project_requirements(extra: str | None = None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    if extra:
        return [Requirement(r) for r in project["optional-dependencies"][extra]]
    return [Requirement(r) for r in project["dependencies"]]


@pytest.mark.parametrize("lock_name", ["requirements.lock", "requirements-dev.lock"])
def test_every_pin_is_exact_and_hashed(lock_name):
    pins = locked_requirements(lock_name)

    assert len(pins) > 50
    for requirement, hashes in pins:
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", requirement
        assert hashes and all(h.startswith("sha256:") for h in hashes), requirement


@pytest.mark.parametrize("python", SUPPORTED_PYTHONS)
def test_the_locks_hold_what_pyproject_asks_for_on_every_python(python):
    runtime = pins_for("requirements.lock", python)
    dev = pins_for("requirements-dev.lock", python)

    for lock, requirements in (
        (runtime, project_requirements()),
        (dev, project_requirements() + project_requirements("dev")),
    ):
        for requirement in requirements:
            name = canonicalize_name(requirement.name)
            assert name in lock, f"{name} is not locked for {python}: make lock"
            assert requirement.specifier.contains(lock[name], prereleases=True), (
                f"{name}=={lock[name]} is outside {requirement.specifier}: make lock"
            )
    assert {name: dev[name] for name in runtime} == runtime
    assert "pytest" not in runtime and "ruff" not in runtime


def test_soupsieve_has_a_pin_for_pythons_before_3_11_5():
    # soupsieve 4.1 needs 3.11.5; Debian 12's Python is 3.11.2.
    old = pins_for("requirements.lock", "3.11.2")["soupsieve"]
    new = pins_for("requirements.lock", "3.13.0")["soupsieve"]

    assert int(old.split(".")[0]) < 4 <= int(new.split(".")[0])


def make(*args: str, cwd=ROOT, **env: str) -> subprocess.CompletedProcess:
    environment = clean_env(**env)
    environment.pop("PYTHON", None)
    environment.pop("MAKEFLAGS", None)
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def fake_venv(directory, version_line: str, has_pip: bool = True):
    """A .venv whose python answers `import pip` and `sys.version` like another."""
    python = directory / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(
        "#!/bin/sh\n"
        f'case "$*" in *"import pip"*) exit {0 if has_pip else 1};; esac\n'
        f"echo '{version_line}'\n"
    )
    python.chmod(0o755)
    installed = directory / ".runtime"
    installed.touch()
    return directory


def test_make_run_installs_the_runtime_lock_only(tmp_path):
    result = make("-n", "run", f"VENV={tmp_path / 'venv'}")

    assert "--require-hashes -r requirements.lock" in result.stdout
    assert "requirements-dev.lock" not in result.stdout


def test_make_test_adds_the_dev_lock(tmp_path):
    result = make("-n", "test", f"VENV={tmp_path / 'venv'}")

    assert "--require-hashes -r requirements.lock" in result.stdout
    assert "--require-hashes -r requirements-dev.lock" in result.stdout


def test_a_venv_made_by_another_python_is_rebuilt_when_python_is_named(tmp_path):
    venv = fake_venv(tmp_path / "venv", "3.13.0 (main) [GCC 12.2.0]")

    named = make("-n", "run", f"VENV={venv}", f"PYTHON={sys.executable}")
    unnamed = make("-n", "run", f"VENV={venv}")

    assert f"rm -rf {venv}" in named.stdout
    assert "-r requirements.lock" in named.stdout
    assert "rm -rf" not in unnamed.stdout
    assert "-r requirements.lock" not in unnamed.stdout


def test_a_venv_of_the_named_python_is_kept(tmp_path):
    venv = fake_venv(tmp_path / "venv", sys.version.replace("\n", " "))
    (venv / "bin" / "python").write_text(
        f'#!/bin/sh\ncase "$*" in *"import pip"*) exit 0;; esac\n'
        f'exec {sys.executable} "$@"\n'
    )

    result = make("-n", "run", f"VENV={venv}", f"PYTHON={sys.executable}")

    assert "rm -rf" not in result.stdout
    assert "-r requirements.lock" not in result.stdout


def test_a_venv_without_pip_is_rebuilt(tmp_path):
    venv = fake_venv(tmp_path / "venv", "irrelevant", has_pip=False)

    result = make("-n", "run", f"VENV={venv}")

    assert f"rm -rf {venv}" in result.stdout


def test_a_python_without_venv_gets_a_one_line_hint(tmp_path):
    python = tmp_path / "python3"
    python.write_text(
        "#!/bin/sh\n"
        'case "$*" in *ensurepip*) exit 1;; esac\n'
        f'exec {sys.executable} "$@"\n'
    )
    python.chmod(0o755)

    result = make("run", f"VENV={tmp_path / 'venv'}", f"PYTHON={python}")

    minor = sys.version_info[1]
    assert result.returncode != 0
    assert result.stderr.splitlines()[0] == (
        f"{python} cannot make a virtualenv: sudo apt install python3.{minor}-venv"
    )
    assert not (tmp_path / "venv").exists()


def test_a_missing_python_is_named(tmp_path):
    result = make("run", f"VENV={tmp_path / 'venv'}", "PYTHON=python3.99")

    assert result.returncode != 0
    assert "python3.99 not found" in result.stderr


def test_make_clean_keeps_the_database_media_and_backups(tmp_path):
    shutil.copy(ROOT / "Makefile", tmp_path)
    data = [
        tmp_path / "var" / "masthead.sqlite3",
        tmp_path / "var" / "media" / "original_images" / "front.jpg",
        tmp_path / "var" / "backups" / "masthead-2026.tar.gz",
    ]
    for path in data:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("kept")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / "static").mkdir()

    result = make("clean", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert all(path.read_text() == "kept" for path in data)
    assert not (tmp_path / ".venv").exists()
    assert not (tmp_path / "static").exists()


@pytest.mark.slow
def test_a_failed_install_shows_pips_error_and_leaves_no_stamp(tmp_path):
    shutil.copy(ROOT / "Makefile", tmp_path)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "requirements.lock").write_text(
        "masthead-no-such-package==1.0 --hash=sha256:" + "0" * 64 + "\n"
    )
    offline = tmp_path / "no-wheels"
    offline.mkdir()

    result = make(
        "run",
        f"PYTHON={sys.executable}",
        cwd=tmp_path,
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(offline),
        PIP_CONFIG_FILE="/dev/null",
    )

    assert result.returncode != 0
    assert "ERROR: Could not find a version that satisfies the requirement" in (
        result.stderr
    )
    assert "masthead-no-such-package==1.0" in result.stderr
    assert not (tmp_path / ".venv" / ".runtime").exists()
