from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from masthead.newsletter import services, tokens
from masthead.newsletter.choices import (
    DeliveryStatus,
    SubscriberStatus,
    SuppressionReason,
)
from masthead.newsletter.exceptions import InvalidToken
from masthead.newsletter.models import (
    Delivery,
    PendingSignup,
    Subscriber,
    Suppression,
    email_hash,
)
from masthead.newsletter.sending import start_sending

pytestmark = pytest.mark.django_db


def _link_token(mail) -> str:
    url = next(word for word in mail.body.split() if "/newsletter/confirm/" in word)
    return url.rstrip("/").split("/")[-1]


def test_signup_keeps_the_address_pending_until_the_link_is_clicked(
    daily_list, breaking_list, mailoutbox
):
    services.signup(" Ana@Example.org ", [daily_list.pk, breaking_list.pk], "Ana")

    subscriber = Subscriber.objects.get()
    assert subscriber.email == "ana@example.org"
    assert subscriber.status == SubscriberStatus.PENDING
    assert not subscriber.lists.exists()
    (mail,) = mailoutbox
    assert mail.to == ["ana@example.org"]
    assert "Daily digest" in mail.body and "Breaking news" in mail.body

    services.confirm(_link_token(mail))

    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert subscriber.confirmed_at is not None
    assert subscriber.name == "Ana"
    assert set(subscriber.lists.all()) == {daily_list, breaking_list}


def test_a_confirmation_link_works_once(daily_list, mailoutbox):
    services.signup("ana@example.org", [daily_list.pk])
    token = _link_token(mailoutbox[0])
    first = services.confirm(token)
    with pytest.raises(InvalidToken, match="no longer valid"):
        services.confirm(token)
    assert first.memberships.count() == 1


def test_signing_up_again_keeps_one_row_and_mails_again(daily_list, mailoutbox):
    services.signup("ana@example.org", [daily_list.pk])
    services.signup("ANA@example.org", [daily_list.pk])
    assert Subscriber.objects.count() == 1
    assert len(mailoutbox) == 2


def test_a_confirmed_subscriber_is_not_changed_by_someone_typing_their_address(
    subscriber, breaking_list, daily_list, mailoutbox
):
    services.signup(subscriber.email, [breaking_list.pk], name="Mallory")

    subscriber.refresh_from_db()
    assert subscriber.name == ""
    assert set(subscriber.lists.all()) == {daily_list}
    (mail,) = mailoutbox
    assert "already subscribed" in mail.body
    # Only the owner's click adds the list.
    services.confirm(_link_token(mail))
    assert set(subscriber.lists.all()) == {daily_list, breaking_list}


def test_a_suppressed_address_gets_no_mail(daily_list, mailoutbox):
    services.suppress("gone@example.org", SuppressionReason.BOUNCED)
    services.signup("gone@example.org", [daily_list.pk])
    assert mailoutbox == []
    assert not Subscriber.objects.exists()


def test_unknown_or_inactive_lists_send_nothing(daily_list, mailoutbox):
    daily_list.active = False
    daily_list.save()
    services.signup("ana@example.org", [daily_list.pk, 999_999])
    assert mailoutbox == []


def test_an_expired_link_is_refused_with_words_for_the_reader(daily_list, mailoutbox):
    services.signup("ana@example.org", [daily_list.pk])
    token = _link_token(mailoutbox[0])
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        with pytest.raises(InvalidToken, match="expired"):
            services.confirm(token)
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-a-token",
        signing.dumps({"s": 1, "k": "x", "l": [1]}, salt="another.salt"),
        signing.dumps({"s": 1, "k": "x", "l": "1"}, salt=tokens.CONFIRM_SALT),
    ],
)
def test_forged_links_are_refused(token, daily_list):
    with pytest.raises(InvalidToken):
        services.confirm(token)


def test_a_link_for_an_erased_subscriber_is_refused(daily_list, mailoutbox):
    services.signup("ana@example.org", [daily_list.pk])
    token = _link_token(mailoutbox[0])
    services.erase(Subscriber.objects.get())
    # A new signup may reuse the id on SQLite; the key prefix tells them apart.
    services.signup("bo@example.org", [daily_list.pk])
    with pytest.raises(InvalidToken):
        services.confirm(token)
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING


def test_unsubscribing_from_the_last_list_unsubscribes_and_skips_queued_mail(
    subscriber, daily_list, edition
):
    start_sending(edition)
    services.unsubscribe(subscriber, daily_list)

    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None
    assert Delivery.objects.get().status == DeliveryStatus.SKIPPED


def test_leaving_one_of_two_lists_keeps_the_other(subscriber, breaking_list):
    services.set_preferences(
        subscriber, [li.pk for li in subscriber.lists.all()] + [breaking_list.pk], ""
    )
    services.unsubscribe(subscriber, breaking_list)
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert list(subscriber.lists.values_list("slug", flat=True)) == ["daily"]


def test_preferences_with_no_list_unsubscribe_and_a_list_resubscribes(
    subscriber, daily_list
):
    services.set_preferences(subscriber, [], "Ana Lima")
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert subscriber.name == "Ana Lima"

    services.set_preferences(subscriber, [daily_list.pk], "Ana Lima")
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert list(subscriber.lists.all()) == [daily_list]


def test_suppression_outlives_erasure_and_keeps_no_address(subscriber):
    assert services.suppress(subscriber.email, SuppressionReason.COMPLAINED)
    assert not services.suppress(subscriber.email, SuppressionReason.BOUNCED)
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.SUPPRESSED

    services.erase(subscriber)

    assert not Subscriber.objects.exists()
    suppression = Suppression.objects.get()
    assert suppression.email_hash == email_hash(subscriber.email)
    assert subscriber.email not in str(Suppression.objects.values())
    assert services.is_suppressed(subscriber.email.upper())


def test_an_unknown_suppression_reason_is_refused(subscriber):
    with pytest.raises(ValueError):
        services.suppress(subscriber.email, "felt-like-it")


def test_erase_removes_deliveries_and_memberships(subscriber, edition):
    start_sending(edition)
    services.erase(subscriber)
    assert not Delivery.objects.exists()
    assert not subscriber.__class__.objects.filter(email=subscriber.email).exists()


def test_unconfirmed_signups_are_purged_after_a_week(daily_list, subscriber):
    services.signup("late@example.org", [daily_list.pk])
    services.unsubscribe(subscriber)
    assert services.purge_unconfirmed(timezone.now() + timedelta(days=6)) == 0
    assert services.purge_unconfirmed(timezone.now() + timedelta(days=8)) == 1
    # Someone who once confirmed is kept, even after unsubscribing.
    assert list(Subscriber.objects.values_list("email", flat=True)) == [
        subscriber.email
    ]


def test_the_confirmation_link_carries_none_of_the_secret_key(daily_list, mailoutbox):
    # A signed value is readable by anyone who has the link: only signed, not
    # encrypted. The key in preference links must not leak through it.
    services.signup("ana@example.org", [daily_list.pk])
    payload = signing.loads(_link_token(mailoutbox[0]), salt=tokens.CONFIRM_SALT)
    key = Subscriber.objects.get().key
    assert not any(key[i : i + 6] in str(payload) for i in range(len(key) - 5))


# --- issue 17: mail budget, single-use links, ids in the queue, consent -------------


def test_typing_a_subscribers_address_again_mails_them_once_a_day_at_most(
    subscriber, daily_list, mailoutbox
):
    for _ in range(3):
        services.signup(subscriber.email, [daily_list.pk])
    assert len(mailoutbox) == 1
    assert "already subscribed" in mailoutbox[0].body

    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        services.signup(subscriber.email, [daily_list.pk])
    assert len(mailoutbox) == 2


def test_no_address_gets_more_than_three_confirmation_mails_an_hour(
    daily_list, mailoutbox
):
    for _ in range(5):
        services.signup("ana@example.org", [daily_list.pk])
    assert len(mailoutbox) == 3

    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        services.signup("ana@example.org", [daily_list.pk])
    assert len(mailoutbox) == 4


def test_a_link_mailed_before_unsubscribing_does_not_subscribe_again(
    daily_list, mailoutbox
):
    services.signup("ana@example.org", [daily_list.pk])
    first = _link_token(mailoutbox[0])
    services.signup("ana@example.org", [daily_list.pk])
    second = _link_token(mailoutbox[1])
    subscriber = services.confirm(first)
    services.unsubscribe(subscriber)

    with pytest.raises(InvalidToken, match="no longer valid"):
        services.confirm(second)
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert not subscriber.memberships.exists()


def test_a_link_mailed_before_changing_lists_cannot_undo_the_change(
    subscriber, daily_list, breaking_list, mailoutbox
):
    services.signup(subscriber.email, [breaking_list.pk])
    token = _link_token(mailoutbox[0])
    services.set_preferences(subscriber, [daily_list.pk], "")

    with pytest.raises(InvalidToken):
        services.confirm(token)
    assert list(subscriber.lists.all()) == [daily_list]


def test_the_confirmation_task_is_given_an_id_and_nothing_personal(
    daily_list, monkeypatch
):
    queued = []

    class RecordingTask:
        @staticmethod
        def enqueue(*args, **kwargs):
            queued.append((args, kwargs))

    monkeypatch.setattr(services, "send_confirmation_task", RecordingTask)
    services.signup("ana@example.org", [daily_list.pk], "Ana Lindqvist")

    (pending,) = PendingSignup.objects.all()
    assert queued == [((pending.pk,), {})]
    assert pending.name == "Ana Lindqvist"
    services.erase(pending.subscriber)
    assert not PendingSignup.objects.exists()


def test_confirming_records_the_words_the_reader_agreed_to(daily_list, mailoutbox):
    services.signup("ana@example.org", [daily_list.pk])
    subscriber = services.confirm(_link_token(mailoutbox[0]))

    assert subscriber.consent_text == services.consent_statement([daily_list])
    assert "Daily digest (The day's stories at 7 every morning.)" in (
        subscriber.consent_text
    )
    daily_list.name = "Morning briefing"
    daily_list.save()
    subscriber.refresh_from_db()
    assert "Daily digest" in subscriber.consent_text


def test_expired_pending_signups_are_purged_with_the_names_they_hold(daily_list):
    services.signup("ana@example.org", [daily_list.pk], "Ana")
    services.purge_unconfirmed()
    assert PendingSignup.objects.count() == 1
    services.purge_unconfirmed(now=timezone.now() + timedelta(days=4))
    assert not PendingSignup.objects.exists()
