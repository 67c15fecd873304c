import pytest
from django.core.checks import ERROR, run_checks

from masthead.newsletter.checks import (
    check_bounce_webhooks_are_guarded,
    check_newsletter_settings,
)


def test_sane_settings_pass():
    assert check_newsletter_settings(None) == []


@pytest.mark.parametrize("value", [0, -5, "200", 1.5, True])
def test_a_bad_batch_size_is_named(settings, value):
    settings.MASTHEAD_NEWSLETTER_BATCH_SIZE = value
    (error,) = check_newsletter_settings(None)
    assert error.id == "newsletter.E001"
    assert "MASTHEAD_NEWSLETTER_BATCH_SIZE" in error.msg


def test_an_esp_without_a_webhook_secret_is_an_error(settings):
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "x"}
    (error,) = check_bounce_webhooks_are_guarded(None)
    assert error.id == "newsletter.E002"
    assert error.level == ERROR
    assert "ANYMAIL_WEBHOOK_SECRET" in error.msg

    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "x", "WEBHOOK_SECRET": "a:b"}
    assert check_bounce_webhooks_are_guarded(None) == []


@pytest.mark.parametrize(
    ("esp", "signing_key"),
    [
        ("mailgun", "MAILGUN_WEBHOOK_SIGNING_KEY"),
        ("mandrill", "MANDRILL_WEBHOOK_KEY"),
        ("postal", "POSTAL_WEBHOOK_KEY"),
    ],
)
def test_an_esp_that_signs_its_webhooks_needs_its_signing_key_too(
    settings, esp, signing_key
):
    settings.ANYMAIL_ESP = esp
    settings.ANYMAIL = {"WEBHOOK_SECRET": "a:b"}
    (error,) = check_bounce_webhooks_are_guarded(None)
    assert f"ANYMAIL_{signing_key}" in error.msg

    settings.ANYMAIL = {"WEBHOOK_SECRET": "a:b", signing_key: "k"}
    assert check_bounce_webhooks_are_guarded(None) == []


@pytest.mark.parametrize("secret", ["", "no-colon", ["a:b", ""], []])
def test_an_unusable_webhook_secret_counts_as_none(settings, secret):
    settings.ANYMAIL_ESP = "postmark"
    settings.ANYMAIL = {"WEBHOOK_SECRET": secret}
    (error,) = check_bounce_webhooks_are_guarded(None)
    assert error.id == "newsletter.E002"


def test_smtp_or_the_outbox_needs_no_webhook_secret(settings):
    settings.ANYMAIL_ESP = ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.ANYMAIL = {}
    assert check_bounce_webhooks_are_guarded(None) == []


def test_check_deploy_reports_the_missing_secret_as_an_error(settings):
    settings.ANYMAIL_ESP = "postmark"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "x"}
    found = run_checks(include_deployment_checks=True)
    assert any(m.id == "newsletter.E002" and m.level == ERROR for m in found)
    assert not any(m.id == "newsletter.E002" for m in run_checks())


@pytest.mark.parametrize("delays", [(), (0, 60), ("60",), 60])
def test_bad_retry_delays_are_named(settings, delays):
    settings.MASTHEAD_NEWSLETTER_RETRY_DELAYS = delays
    (error,) = check_newsletter_settings(None)
    assert error.id == "newsletter.E003"


def test_anymail_options_come_from_the_environment(monkeypatch):
    import importlib

    import masthead.settings.base as base

    monkeypatch.setenv("ANYMAIL_WEBHOOK_SECRET", "hooks:pw")
    monkeypatch.setenv("ANYMAIL_POSTMARK_SERVER_TOKEN", "tok")
    try:
        reloaded = importlib.reload(base)
        assert reloaded.ANYMAIL["WEBHOOK_SECRET"] == "hooks:pw"
        assert reloaded.ANYMAIL["POSTMARK_SERVER_TOKEN"] == "tok"
        assert "ESP" not in reloaded.ANYMAIL
    finally:
        monkeypatch.undo()
        importlib.reload(base)
