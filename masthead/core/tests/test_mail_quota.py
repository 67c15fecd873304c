"""One budget of mail per address, whatever form asks for it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from masthead.core import mail_quota
from masthead.core.models import MailToAddress

pytestmark = pytest.mark.django_db


def test_an_address_gets_three_mails_an_hour_across_all_kinds():
    kinds = ["comment-subscription", "newsletter-confirm", "my-data", "newsletter"]
    assert [mail_quota.reserve("Reader@Example.org", k) for k in kinds] == [
        True,
        True,
        True,
        False,
    ]
    assert mail_quota.reserve("other@example.org", "my-data")


def test_the_same_address_in_other_case_or_spacing_shares_the_budget():
    for _ in range(3):
        assert mail_quota.reserve("reader@example.org", "x")
    assert not mail_quota.reserve("  READER@example.ORG ", "x")


def test_the_daily_limit_holds_when_the_hours_pass(settings):
    hour_ago = timezone.now() - timedelta(minutes=61)
    for _ in range(3):
        assert mail_quota.reserve("reader@example.org", "x")
    MailToAddress.objects.update(created_at=hour_ago)
    for _ in range(3):
        assert mail_quota.reserve("reader@example.org", "x")
    MailToAddress.objects.update(created_at=hour_ago)
    assert not mail_quota.reserve("reader@example.org", "x")


def test_once_per_allows_one_mail_of_a_kind_in_its_window():
    day = timedelta(days=1)
    assert mail_quota.reserve("r@example.org", "already", once_per=day)
    assert not mail_quota.reserve("r@example.org", "already", once_per=day)
    assert mail_quota.reserve("r@example.org", "confirm")
    MailToAddress.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert mail_quota.reserve("r@example.org", "already", once_per=day)


def test_a_refused_mail_is_not_counted():
    for _ in range(3):
        mail_quota.reserve("r@example.org", "x")
    for _ in range(5):
        assert not mail_quota.reserve("r@example.org", "x")
    assert MailToAddress.objects.count() == 3


def test_the_address_is_never_stored_only_a_keyed_digest():
    mail_quota.reserve("secret.reader@example.org", "x")
    row = MailToAddress.objects.get()
    assert "secret" not in row.address_digest
    assert row.address_digest == mail_quota.address_digest("secret.reader@example.org")


def test_prune_forgets_old_entries_and_forget_erases_one_address():
    mail_quota.reserve("a@example.org", "x")
    mail_quota.reserve("b@example.org", "x")
    assert mail_quota.forget("a@example.org") == 1
    MailToAddress.objects.update(created_at=timezone.now() - timedelta(days=2))
    mail_quota.reserve("c@example.org", "x")
    assert mail_quota.prune() == 1
    assert MailToAddress.objects.count() == 1
