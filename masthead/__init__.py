"""Masthead, a self-hostable publishing platform for reader-funded newsrooms."""

import importlib.metadata
import tomllib
from pathlib import Path


def _version() -> str:
    # pyproject.toml is the one place the version is written; an installed
    # Masthead carries it in its metadata, a bare checkout only in the file.
    try:
        return importlib.metadata.version("masthead")
    except importlib.metadata.PackageNotFoundError:
        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        try:
            return tomllib.loads(pyproject.read_text())["project"]["version"]
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "unknown"


__version__ = _version()
