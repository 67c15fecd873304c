import pytest
from django.utils import timezone

from masthead.comments.choices import CommentStatus
from masthead.comments.models import Comment, PendingNotification
from masthead.comments.models import Subscription as CommentSubscription
from masthead.comments.services import ANONYMOUS_AUTHOR
from masthead.newsletter import services as newsletter_services
from masthead.newsletter.models import (
    Delivery,
    ListMembership,
    Subscriber,
    Suppression,
    email_hash,
)
from masthead.privacy import queries, services
from masthead.privacy.exceptions import ErasureRefused
from masthead.revenue.choices import GiftStatus
from masthead.revenue.models import Donation, Donor, MonthlyGift, PaymentEvent
from masthead.revenue.providers.base import ProviderError
from masthead.revenue.tests.fake_paypal import FakePayPal
from masthead.revenue.tests.paypal_fixtures import fake_paypal_fixture  # noqa: F401
from masthead.revenue.tests.stripe_fixtures import fake_stripe_fixture  # noqa: F401

from .conftest import OTHER, READER, give

pytestmark = pytest.mark.django_db


def test_erase_anonymises_comments_and_keeps_their_text(known_reader):
    services.erase(READER)

    comment = Comment.objects.get(pk=known_reader.comment.pk)
    assert comment.author_name == ANONYMOUS_AUTHOR
    assert comment.author_email == comment.author_url == comment.avatar_seed == ""
    assert comment.body == "The bridge was last repaired in 1998."
    assert comment.status == CommentStatus.APPROVED
    assert comment.erased_at is not None
    reply = Comment.objects.get(pk=known_reader.reply.pk)
    assert (reply.author_name, reply.author_email, reply.parent_id) == (
        "Bo",
        OTHER,
        comment.pk,
    )


def test_erase_can_remove_the_comments_text_too(known_reader):
    erasure = services.erase(READER, remove_comment_text=True)

    comment = Comment.objects.get(pk=known_reader.comment.pk)
    assert erasure.comments == 1
    assert comment.status == CommentStatus.DELETED
    assert comment.body == comment.body_html == comment.author_name == ""
    assert Comment.objects.get(pk=known_reader.reply.pk).parent_id == comment.pk


def test_erase_ends_comment_and_newsletter_subscriptions(known_reader):
    erasure = services.erase(READER)

    assert erasure.comment_subscriptions == 2
    assert erasure.newsletter_subscriber
    assert not CommentSubscription.objects.filter(email=READER).exists()
    assert not Subscriber.objects.filter(email=READER).exists()
    assert not Delivery.objects.filter(pk=known_reader.delivery.pk).exists()
    assert not ListMembership.objects.filter(subscriber__email=READER).exists()
    # Bo's rows stay.
    assert CommentSubscription.objects.filter(email=OTHER).count() == 1
    assert Subscriber.objects.filter(email=OTHER).exists()


def test_erase_keeps_a_suppression_hash_so_a_bounced_address_stays_unmailed(
    known_reader,
):
    newsletter_services.suppress(READER, "bounced", "550 no such user")

    services.erase(READER)

    assert Suppression.objects.filter(email_hash=email_hash(READER)).exists()
    assert newsletter_services.is_suppressed(READER)


def test_erase_stops_the_monthly_gift_then_reduces_donations_to_the_books(
    known_reader,
):
    gift = known_reader.monthly.gift
    erasure = services.erase(READER)

    assert erasure.monthly_gifts_stopped == 1
    assert erasure.donations == 2
    gift.refresh_from_db()
    assert gift.status == GiftStatus.CANCELLED and gift.cancelled_at is not None
    assert gift.donor is None
    assert not Donor.objects.filter(email=READER).exists()
    kept = Donation.objects.get(pk=known_reader.donation.pk)
    assert (kept.name, kept.email, kept.donor) == ("", "", None)
    original = known_reader.donation
    assert (kept.amount_minor, kept.currency, kept.status) == (
        original.amount_minor,
        original.currency,
        "completed",
    )
    assert kept.payment_ref == original.payment_ref != ""
    assert kept.completed_at == original.completed_at
    assert kept.public_id == original.public_id
    assert PaymentEvent.objects.filter(donation=kept).exists()
    # Bo's donation is untouched.
    assert Donation.objects.get(email=OTHER).name == "Bo"


def test_erase_leaves_nothing_of_the_address_in_the_export(known_reader):
    services.erase(READER)

    document = queries.export(READER)
    assert document["comments"] == document["comment_subscriptions"] == []
    assert document["newsletter"]["subscriber"] is None
    assert document["donor"] is None
    assert document["donations"] == document["monthly_gifts"] == []
    assert not queries.holds_anything(queries.holdings(READER))


def test_erasing_twice_is_harmless(known_reader):
    services.erase(READER)
    comment_before = Comment.objects.get(pk=known_reader.comment.pk)

    second = services.erase(READER)

    assert not second.changed_anything
    comment = Comment.objects.get(pk=known_reader.comment.pk)
    assert comment.erased_at == comment_before.erased_at
    assert comment.body == comment_before.body


def test_erasing_an_unknown_address_changes_nothing(known_reader):
    counts = {
        model: model.objects.count()
        for model in (Comment, CommentSubscription, Subscriber, Donation, Donor)
    }

    erasure = services.erase("nobody@example.org")

    assert not erasure.changed_anything
    assert counts == {model: model.objects.count() for model in counts}


def test_erase_matches_the_address_whatever_its_case(known_reader):
    services.erase("  FAY@Example.org ")

    assert not queries.holds_anything(queries.holdings(READER))


def test_comments_of_a_staff_account_with_that_address_are_anonymised(
    article, publish_at_once, django_user_model
):
    from masthead.comments.tests.fixtures import post_comment

    user = django_user_model.objects.create_user("fay", READER, "pw", first_name="Fay")
    comment = post_comment(article, "Signed in.", user=user, email="fay@work.example")

    erasure = services.erase(READER)

    comment.refresh_from_db()
    assert erasure.comments == 1
    assert comment.user is None and comment.author_name == ANONYMOUS_AUTHOR
    # The account itself is closed by an administrator, not by a mailed link.
    assert django_user_model.objects.filter(pk=user.pk).exists()


def test_pending_notifications_about_an_anonymised_comment_still_go_out(
    article, publish_at_once, django_capture_on_commit_callbacks
):
    from masthead.comments import subscriptions
    from masthead.comments.tests.fixtures import post_comment

    [row] = subscriptions.subscribe(article, OTHER, ["all"])
    subscriptions.confirm(row.confirm_key)
    CommentSubscription.objects.update(last_notified_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        comment = post_comment(article, "Worth knowing.", email=READER)
    assert PendingNotification.objects.filter(comment=comment).exists()

    services.erase(READER)

    # Bo still hears of the words, now without Fay's name on them.
    assert PendingNotification.objects.filter(comment=comment).exists()


def test_a_provider_that_cannot_stop_the_gift_blocks_the_whole_erasure(
    known_reader, settings
):
    settings.MASTHEAD_PAYMENT_PROVIDERS = {
        "other": {"BACKEND": "masthead.revenue.providers.test_mode.TestModeProvider"}
    }  # the gift's provider, test_mode, is no longer configured

    with pytest.raises(ErasureRefused, match="could not stop your monthly gift"):
        services.erase(READER)

    assert MonthlyGift.objects.get().status == GiftStatus.ACTIVE
    assert Donor.objects.filter(email=READER).exists()
    assert Comment.objects.get(pk=known_reader.comment.pk).author_email == READER
    assert Subscriber.objects.filter(email=READER).exists()


def _monthly_gift_at(provider: str, ref: str) -> MonthlyGift:
    donor = Donor.objects.create(email=READER, name="Fay")
    gift = MonthlyGift.objects.create(
        donor=donor,
        provider=provider,
        subscription_ref=ref,
        amount_minor=500,
        currency="EUR",
    )
    Donation.objects.create(
        donor=donor,
        gift=gift,
        amount_minor=500,
        currency="EUR",
        interval="monthly",
        provider=provider,
        email=READER,
        name="Fay",
        status="completed",
    )
    return gift


def test_a_stripe_gift_is_cancelled_through_stripes_api(fake_stripe):
    gift = _monthly_gift_at("stripe", "sub_test_fay")

    erasure = services.erase(READER)

    assert erasure.monthly_gifts_stopped == 1
    assert len(fake_stripe.calls("DELETE", "/v1/subscriptions/sub_test_fay")) == 1
    gift.refresh_from_db()
    assert gift.status == GiftStatus.CANCELLED
    assert Donation.objects.get().email == ""


def test_stripe_failing_erases_nothing(fake_stripe):
    gift = _monthly_gift_at("stripe", "sub_test_fay")
    fake_stripe.fail(500)

    with pytest.raises(ErasureRefused, match="Stripe is not answering"):
        services.erase(READER)

    gift.refresh_from_db()
    assert gift.status == GiftStatus.ACTIVE
    assert Donation.objects.get().email == READER


def test_a_stripe_gift_already_gone_at_stripe_counts_as_stopped(fake_stripe):
    gift = _monthly_gift_at("stripe", "sub_test_gone")
    fake_stripe.fail(404)

    services.erase(READER)

    gift.refresh_from_db()
    assert gift.status == GiftStatus.CANCELLED
    assert Donation.objects.get().email == ""


def test_a_paypal_gift_is_cancelled_through_paypals_api(fake_paypal: FakePayPal):
    fake_paypal.subscriptions["I-FAY"] = {"id": "I-FAY", "status": "ACTIVE"}
    gift = _monthly_gift_at("paypal", "I-FAY")

    services.erase(READER)

    [call] = fake_paypal.calls("POST", "/v1/billing/subscriptions/I-FAY/cancel")
    assert call["body"]["reason"]
    assert fake_paypal.subscriptions["I-FAY"]["status"] == "CANCELLED"
    gift.refresh_from_db()
    assert gift.status == GiftStatus.CANCELLED


def test_paypal_refusing_erases_nothing(fake_paypal: FakePayPal):
    gift = _monthly_gift_at("paypal", "I-UNKNOWN-AT-PAYPAL")

    with pytest.raises(ErasureRefused, match="Nothing has been erased"):
        services.erase(READER)

    gift.refresh_from_db()
    assert gift.status == GiftStatus.ACTIVE
    assert Donor.objects.filter(email=READER).exists()


def test_a_one_time_donor_needs_no_provider_call(article, settings):
    give(READER)
    settings.MASTHEAD_PAYMENT_PROVIDERS = {}  # no provider could be asked

    erasure = services.erase(READER)

    assert erasure.donations == 1 and erasure.monthly_gifts_stopped == 0


def test_the_books_refuse_to_forget_a_donor_whose_gift_still_runs(known_reader):
    from masthead.revenue import services as revenue_services

    with pytest.raises(revenue_services.GiftStillActive):
        revenue_services.forget_donor(READER)

    assert Donor.objects.filter(email=READER).exists()
    assert Donation.objects.filter(email=READER).count() == 2


def test_a_provider_without_a_cancel_call_refuses_and_says_what_to_do():
    from masthead.revenue.providers.base import Provider

    class Minimal(Provider):
        label = "Minimal Pay"

        def start_checkout(self, request):
            raise ProviderError("Minimal Pay takes no payments here.")

        def parse_webhook(self, body, headers):
            return []

        def manage_url(self, gift, return_url):
            return return_url

    with pytest.raises(ProviderError, match="please cancel it with them first"):
        Minimal("minimal", {}).cancel_gift(object())
