import pytest

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


def test_an_esp_without_a_webhook_secret_is_warned_about(settings):
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "x"}
    (warning,) = check_bounce_webhooks_are_guarded(None)
    assert warning.id == "newsletter.W001"

    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "x", "WEBHOOK_SECRET": "a:b"}
    assert check_bounce_webhooks_are_guarded(None) == []


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
