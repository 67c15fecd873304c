"""Inputs found by the fuzz suite (tests/fuzz/) that once caused a server error."""

import pytest

from masthead.revenue.models import Donation

pytestmark = pytest.mark.django_db


def test_a_source_page_given_as_a_superscript_digit_is_ignored(client):
    # "²".isdigit() is true but int("²") raises: /donate/start/ once answered 500.
    response = client.post(
        "/donate/start/",
        {
            "amount": "10",
            "currency": "EUR",
            "interval": "one_time",
            "provider": "test_mode",
            "source_page": "²",
        },
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200, response.content
    assert Donation.objects.get().source_page_id is None


def test_an_address_too_long_to_store_is_refused_with_a_message(client):
    # Valid by EmailValidator, longer than the column: PostgreSQL answered 500.
    email = "a" * 64 + "@" + ".".join(["b" * 63] * 3) + ".org"
    response = client.post(
        "/donate/start/",
        {
            "amount": "10",
            "currency": "EUR",
            "interval": "one_time",
            "provider": "test_mode",
            "email": email,
        },
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert "254 characters" in response.json()["errors"]["email"]
    assert not Donation.objects.exists()


def test_control_characters_are_dropped_from_a_donor_name(client):
    # PostgreSQL refuses NUL in a text column: the start of a checkout was a 500.
    response = client.post(
        "/donate/start/",
        {
            "amount": "10",
            "currency": "EUR",
            "interval": "one_time",
            "provider": "test_mode",
            "name": "Ada\x00 Lovelace\x1b",
        },
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200, response.content
    assert Donation.objects.get().name == "Ada Lovelace"
