"""Payment providers behind one interface, chosen by MASTHEAD_PAYMENT_PROVIDERS."""

from functools import cache

from django.utils.module_loading import import_string

from .. import conf
from .base import Provider, ProviderError


class ProviderConfigError(Exception):
    """An entry of MASTHEAD_PAYMENT_PROVIDERS that cannot work; names the entry."""


def configured() -> dict[str, Provider]:
    """Every configured provider by name, built once per settings value."""
    return _build(_frozen(conf.get("MASTHEAD_PAYMENT_PROVIDERS")))


def get(name: str) -> Provider:
    try:
        return configured()[name]
    except KeyError:
        raise ProviderError(f"No payment provider named {name!r}.") from None


def label_of(name: str) -> str:
    """The provider's label for readers, or its name if it is no longer set up."""
    provider = configured().get(name)
    return provider.label if provider else name


def problems() -> list[str]:
    """What is wrong with the configuration, one message per bad entry."""
    entries = conf.get("MASTHEAD_PAYMENT_PROVIDERS")
    if not isinstance(entries, dict) or not entries:
        return ["MASTHEAD_PAYMENT_PROVIDERS must name at least one provider."]
    found = []
    for name, entry in entries.items():
        try:
            provider = _provider(name, entry)
        except ProviderConfigError as error:
            found.append(str(error))
            continue
        found += [f"Payment provider {name!r}: {p}" for p in provider.check()]
    return found


def _frozen(entries) -> tuple:
    # A hashable copy, so that the cache notices a changed setting (tests).
    return tuple(
        (
            name,
            entry.get("BACKEND"),
            tuple(sorted((entry.get("OPTIONS") or {}).items())),
        )
        for name, entry in entries.items()
    )


@cache
def _build(frozen: tuple) -> dict[str, Provider]:
    return {
        name: _provider(name, {"BACKEND": backend, "OPTIONS": dict(options)})
        for name, backend, options in frozen
    }


def _provider(name: str, entry) -> Provider:
    if not isinstance(entry, dict) or "BACKEND" not in entry:
        raise ProviderConfigError(
            f"Payment provider {name!r} needs a BACKEND (a dotted class path)."
        )
    try:
        backend = import_string(entry["BACKEND"])
    except ImportError as error:
        raise ProviderConfigError(
            f"Payment provider {name!r}: cannot import {entry['BACKEND']!r} ({error})."
        ) from error
    if not (isinstance(backend, type) and issubclass(backend, Provider)):
        raise ProviderConfigError(
            f"Payment provider {name!r}: {entry['BACKEND']!r} is not a Provider."
        )
    options = entry.get("OPTIONS", {})
    if not isinstance(options, dict):
        raise ProviderConfigError(f"Payment provider {name!r}: OPTIONS must be a dict.")
    try:
        return backend(name, options)
    except TypeError as error:  # e.g. a subclass that lacks an abstract method
        raise ProviderConfigError(
            f"Payment provider {name!r}: {entry['BACKEND']!r} cannot be built "
            f"({error})."
        ) from error
