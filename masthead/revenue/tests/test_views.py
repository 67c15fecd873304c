"""The reader's donation journey in test mode, through the real views and database."""

import json

import pytest
from django.core import mail
from django.urls import reverse

from masthead.revenue import tokens
from masthead.revenue.choices import DonationStatus, GiftStatus
from masthead.revenue.models import Donation, MonthlyGift

pytestmark = pytest.mark.django_db
START = "/donate/start/"


def start(client, as_json=True, **fields):
    data = {
        "amount": "12.50",
        "currency": "EUR",
        "interval": "one_time",
        "provider": "test_mode",
        "email": "ada@example.org",
        "name": "Ada Reader",
        **fields,
    }
    headers = {"HTTP_ACCEPT": "application/json"} if as_json else {}
    return client.post(START, data, **headers)


def test_the_donate_page_shows_the_widget_in_test_mode(client):
    html = client.get(reverse("revenue:donate")).content.decode()
    assert "Amount to donate in" in html
    assert "Test mode: no money moves." in html
    assert "Quick Donate €10" in html
    assert 'name="provider" value="test_mode"' in html


def test_the_widget_is_in_the_sidebar_and_below_stories(client, article):
    html = client.get(article.url).content.decode()
    assert 'id="sidebar-donate-heading"' in html
    assert 'id="article-donate-heading"' in html
    assert f'name="source_page" value="{article.pk}"' in html


def test_a_one_time_donation_from_widget_to_receipt(
    client, article, django_capture_on_commit_callbacks
):
    response = start(client, source_page=str(article.pk))
    assert response.status_code == 200
    checkout_url = response.json()["redirect"]
    donation = Donation.objects.get()
    assert donation.status == DonationStatus.PENDING and donation.checkout_ref
    page = client.get(checkout_url).content.decode()
    assert "Test mode: no money moves." in page and "€12.50" in page

    with django_capture_on_commit_callbacks(execute=True):
        paid = client.post(checkout_url, {"outcome": "pay"})
    assert paid.status_code == 303
    thanks = client.get(paid["Location"]).content.decode()
    assert "Thank you" in thanks and "€12.50" in thanks
    donation.refresh_from_db()
    assert donation.status == DonationStatus.COMPLETED
    assert donation.source_page_id == article.pk
    (receipt,) = mail.outbox
    assert receipt.to == ["ada@example.org"]
    assert "€12.50" in receipt.body and str(donation.public_id) in receipt.body


def test_a_declined_payment_says_nothing_was_charged(client):
    checkout_url = start(client).json()["redirect"]
    response = client.post(checkout_url, {"outcome": "decline"}, follow=True)
    assert "The payment did not go through" in response.content.decode()
    assert Donation.objects.get().status == DonationStatus.FAILED
    assert not mail.outbox


def test_a_monthly_gift_can_be_cancelled_from_the_receipts_link(
    client, django_capture_on_commit_callbacks
):
    checkout_url = start(client, interval="monthly").json()["redirect"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(checkout_url, {"outcome": "pay"})
    gift = MonthlyGift.objects.get()
    manage_link = reverse("revenue:manage", args=[tokens.manage_token(gift)])
    assert manage_link in mail.outbox[0].body
    test_page = client.get(manage_link)
    assert test_page.status_code == 302
    response = client.post(test_page["Location"], follow=True)
    assert "This monthly gift is cancelled" in response.content.decode()
    gift.refresh_from_db()
    assert gift.status == GiftStatus.CANCELLED


def test_a_forged_manage_link_is_not_found(client):
    assert client.get(reverse("revenue:manage", args=["forged"])).status_code == 404


def test_bad_input_answers_with_errors_and_stores_nothing(client):
    response = start(client, amount="1000", currency="EUR")
    assert response.status_code == 400
    assert response.json()["errors"]["amount"] == "Give between €5 and €100."
    assert not Donation.objects.exists()


def test_without_javascript_errors_come_back_in_the_page_with_the_input_kept(client):
    response = start(client, as_json=False, amount="abc", name="Ada Reader")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter an amount in numbers" in html
    assert 'value="Ada Reader"' in html and 'value="abc"' in html


def test_without_javascript_a_valid_form_goes_on_to_checkout(client):
    response = start(client, as_json=False)
    assert response.status_code == 303
    assert response["Location"].startswith("/donate/test-checkout/")


def test_starting_checkouts_is_rate_limited(client, settings):
    settings.MASTHEAD_DONATION_RATE_PER_IP = (2, 600)
    assert [start(client).status_code for _ in range(3)] == [200, 200, 429]
    assert Donation.objects.count() == 2


def test_the_test_checkout_is_only_for_test_mode_donations(client):
    checkout_url = start(client).json()["redirect"]
    Donation.objects.update(provider="stripe")
    assert client.get(checkout_url).status_code == 404


def test_test_mode_takes_no_webhooks_and_unknown_providers_are_not_found(client):
    body = json.dumps({"id": "evt_1"})
    url = reverse("revenue:webhook", args=["test_mode"])
    assert client.post(url, body, content_type="application/json").status_code == 400
    url = reverse("revenue:webhook", args=["nobody"])
    assert client.post(url, body, content_type="application/json").status_code == 404


def test_the_goal_shows_this_months_progress(
    client, settings, django_capture_on_commit_callbacks
):
    from wagtail.models import Site

    from masthead.revenue.models import DonationSettings

    donation_settings = DonationSettings.for_site(
        Site.objects.get(is_default_site=True)
    )
    donation_settings.goal_amount = 100
    donation_settings.goal_currency = "EUR"
    donation_settings.save()
    checkout_url = start(client, amount="25").json()["redirect"]
    client.post(checkout_url, {"outcome": "pay"})
    html = client.get(reverse("revenue:donate")).content.decode()
    assert "Help us reach €100 this month" in html
    assert 'value="25"' in html  # the progress bar
    assert "<strong>€25</strong> of €100 · 1 supporter this month" in html
