"""Nothing keyed by an address escapes "my data": a new one fails here until handled."""

from django.apps import apps
from django.db import models

from masthead.privacy import queries, services


def _address_columns() -> set[str]:
    """Every model field that stores an email address (or a digest of one)."""
    found = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if not getattr(field, "concrete", False) or field.is_relation:
                continue
            if isinstance(field, models.EmailField) or "email" in field.name.lower():
                found.add(f"{model._meta.label}.{field.name}")
    return found


def test_every_address_column_is_exported():
    missing = _address_columns() - set(queries.EMAIL_COLUMNS)

    assert not missing, (
        f"{sorted(missing)} store an email address: add them to "
        "privacy.queries.EMAIL_COLUMNS and to the export"
    )


def test_every_address_column_has_an_erasure_rule():
    missing = _address_columns() - set(services.ERASURE)

    assert not missing, (
        f"{sorted(missing)} store an email address: say in "
        "privacy.services.ERASURE what erasing does to them"
    )


def test_the_lists_name_no_column_that_is_gone():
    columns = _address_columns()

    assert set(queries.EMAIL_COLUMNS) <= columns
    assert set(services.ERASURE) <= columns


def test_every_exported_column_has_a_part_of_the_export(db):
    document = queries.export("nobody@example.org")

    assert set(queries.EMAIL_COLUMNS.values()) <= set(document)


def test_the_finder_sees_the_columns_it_must():
    columns = _address_columns()

    assert {
        "comments.Comment.author_email",
        "revenue.Donation.email",
        "newsletter.Suppression.email_hash",
    } <= columns


# django-axes ships models with address columns. Our handler keeps its counts in
# the cache and the access logs are off, so their tables stay empty:
# tests/test_no_ip_stored.py checks that after failed and successful sign-ins.
AXES_MODELS = {"axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog"}


def test_no_model_of_ours_stores_an_ip_address():
    ip_fields = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.get_fields()
        if isinstance(field, models.GenericIPAddressField | models.IPAddressField)
    }

    assert {field.rsplit(".", 1)[0] for field in ip_fields} <= AXES_MODELS


def test_axes_keeps_its_counts_in_the_cache_and_writes_no_log(settings):
    from axes.handlers.cache import AxesCacheHandler
    from django.utils.module_loading import import_string

    assert issubclass(import_string(settings.AXES_HANDLER), AxesCacheHandler)
    assert settings.AXES_DISABLE_ACCESS_LOG is True
    assert not getattr(settings, "AXES_ENABLE_ACCESS_FAILURE_LOG", False)
