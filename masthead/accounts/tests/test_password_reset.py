"""The admin's "forgot password" form cannot be aimed at a colleague's inbox."""

import pytest

from masthead.core import mail_quota

pytestmark = pytest.mark.django_db

RESET = "/admin/password_reset/"


@pytest.fixture
def colleague(django_user_model):
    return django_user_model.objects.create_user(
        "ines", "ines@example.org", "pw-12345", is_staff=True
    )


def test_a_reset_mail_is_sent_and_its_link_works(client, colleague, mailoutbox):
    response = client.post(RESET, {"email": "ines@example.org"})
    assert response.status_code == 302
    [mail] = mailoutbox
    assert mail.to == ["ines@example.org"]
    assert "/admin/password_reset/confirm/" in mail.body


def test_asking_again_and_again_mails_the_address_three_times_an_hour(
    client, colleague, mailoutbox
):
    answers = [client.post(RESET, {"email": "Ines@Example.org"}) for _ in range(8)]
    assert len(mailoutbox) == 3
    # The asker cannot tell a sent mail from a held one.
    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, "/admin/password_reset/done/")
    }


def test_the_reset_shares_the_budget_with_the_readers_forms(
    client, colleague, mailoutbox
):
    assert mail_quota.reserve("ines@example.org", "my-data")
    assert mail_quota.reserve("ines@example.org", "newsletter-confirm")
    client.post(RESET, {"email": "ines@example.org"})
    client.post(RESET, {"email": "ines@example.org"})
    assert len(mailoutbox) == 1
