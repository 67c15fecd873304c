"""The demo's donations: complete, partly monthly, a goal set, and no mail sent."""

import pytest
from django.core import mail
from wagtail.models import Site

from masthead.demo.generate.donations import GOAL, write_demo_donations
from masthead.revenue.choices import DonationStatus
from masthead.revenue.models import Donation, DonationSettings, MonthlyGift

pytestmark = pytest.mark.django_db


def test_demo_donations_fill_the_admin_and_the_goal(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert write_demo_donations(40, seed=3) == 40
    # The goal's new figures purge stored pages; nothing else follows the commit.
    assert {callback.__module__ for callback in callbacks} <= {"masthead.caching.purge"}
    assert not mail.outbox
    assert Donation.objects.filter(status=DonationStatus.COMPLETED).count() == 40
    assert MonthlyGift.objects.exists()
    assert Donation.objects.filter(donor__isnull=False).count() == 40
    settings = DonationSettings.for_site(Site.objects.get(is_default_site=True))
    assert (settings.goal_amount, settings.goal_currency) == GOAL


def test_the_same_seed_gives_the_same_donations():
    write_demo_donations(10, seed=3)
    first = sorted(Donation.objects.values_list("amount_minor", "currency", "name"))
    Donation.objects.all().delete()
    write_demo_donations(10, seed=3)
    again = sorted(Donation.objects.values_list("amount_minor", "currency", "name"))
    assert first == again
