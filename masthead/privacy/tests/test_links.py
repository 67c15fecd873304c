"""A "my data" link: its address stays out of the task queue, and it erases once."""

import re
import smtplib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import signing
from django_tasks_db.models import DBTaskResult

from masthead.comments.models import Comment
from masthead.core import mail_quota
from masthead.core.models import MailToAddress
from masthead.newsletter.models import Subscriber
from masthead.privacy import services, tokens
from masthead.privacy.exceptions import LinkUsed
from masthead.privacy.models import MyDataLink

from .conftest import OTHER, READER, run_queued_tasks, subscribe_to_newsletter

pytestmark = pytest.mark.django_db


def _erase(client, token: str, **fields):
    return client.post(f"/my-data/{token}/erase/", {"confirm": "yes", **fields})


def test_the_queue_carries_the_links_id_never_the_address(database_tasks, mailoutbox):
    services.request_link(READER)
    [queued] = DBTaskResult.objects.all()
    [link] = MyDataLink.objects.all()

    assert queued.args_kwargs == {"args": [link.pk], "kwargs": {}}
    assert link.email == READER
    run_queued_tasks()

    assert mailoutbox[0].to == [READER]
    link.refresh_from_db()
    assert link.email == ""
    assert link.address_digest == tokens.address_digest(READER)
    assert READER not in repr(DBTaskResult.objects.values().get())


def test_a_link_whose_address_was_erased_before_the_worker_came_is_not_sent(
    database_tasks, mailoutbox
):
    services.request_link(READER)
    services.erase(READER)

    run_queued_tasks()

    assert mailoutbox == []
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_refused_recipient_is_recorded_without_the_address(
    database_tasks, monkeypatch
):
    def refuse(message):
        raise smtplib.SMTPRecipientsRefused(
            {READER: (550, f"5.1.1 <{READER.upper()}>: no such user".encode())}
        )

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    services.request_link(READER)

    run_queued_tasks()

    failed = DBTaskResult.objects.get()
    assert failed.status == "FAILED"
    assert failed.exception_class_path == "smtplib.SMTPRecipientsRefused"
    assert "550" in failed.traceback and "no such user" in failed.traceback
    assert READER not in failed.traceback.lower()


def test_erasing_forgets_the_addresss_links_and_share_of_mail(known_reader):
    services.request_link(READER)
    services.request_link(OTHER)
    assert MyDataLink.objects.filter(address_digest=tokens.address_digest(READER))
    assert MailToAddress.objects.filter(
        address_digest=mail_quota.address_digest(READER)
    )

    services.erase(READER)

    assert not MyDataLink.objects.filter(
        address_digest=tokens.address_digest(READER)
    ).exists()
    assert not MailToAddress.objects.filter(
        address_digest=mail_quota.address_digest(READER)
    ).exists()
    assert MyDataLink.objects.filter(address_digest=tokens.address_digest(OTHER))
    assert MailToAddress.objects.filter(address_digest=mail_quota.address_digest(OTHER))


def test_a_link_erases_once_and_then_opens_nothing(client, known_reader):
    token = tokens.issue(READER)
    assert _erase(client, token, comment_text="keep").status_code == 200

    replayed = _erase(client, token, comment_text="remove")

    assert replayed.status_code == 410
    assert b"already been used" in replayed.content
    assert Comment.objects.get(pk=known_reader.comment.pk).body
    for page in (f"/my-data/{token}/", f"/my-data/{token}/export.json"):
        answer = client.get(page)
        assert answer.status_code == 410
        assert b"Ask for a new one" in answer.content


def test_an_old_link_cannot_undo_what_the_reader_chose_later(
    client, known_reader, daily_list
):
    older, newer = tokens.issue(READER), tokens.issue(READER)
    _erase(client, newer)
    subscribe_to_newsletter(READER, daily_list, name="Fay again")

    replayed = _erase(client, older)

    assert replayed.status_code == 410
    assert Subscriber.objects.get(email=READER).name == "Fay again"
    assert client.get(f"/my-data/{older}/").status_code == 410
    assert client.get(f"/my-data/{older}/export.json").status_code == 410


def test_a_new_link_after_an_erasure_works(client, known_reader, daily_list):
    _erase(client, tokens.issue(READER))
    subscribe_to_newsletter(READER, daily_list)

    page = client.get(f"/my-data/{tokens.issue(READER)}/")

    assert page.status_code == 200
    assert b"A newsletter subscription" in page.content


def test_an_unconfirmed_erasure_does_not_use_the_link(client, known_reader):
    token = tokens.issue(READER)

    assert _erase(client, token, confirm="").status_code == 400
    assert _erase(client, token).status_code == 200


def test_a_refused_erasure_leaves_the_link_for_another_try(
    client, known_reader, settings
):
    token = tokens.issue(READER)
    providers = settings.MASTHEAD_PAYMENT_PROVIDERS
    settings.MASTHEAD_PAYMENT_PROVIDERS = {
        "other": {"BACKEND": "masthead.revenue.providers.test_mode.TestModeProvider"}
    }
    assert _erase(client, token).status_code == 503
    settings.MASTHEAD_PAYMENT_PROVIDERS = providers

    assert _erase(client, token).status_code == 200
    assert not Subscriber.objects.filter(email=READER).exists()


def test_two_clicks_racing_erase_once(known_reader):
    link = tokens.read(tokens.issue(READER))
    # The second click read the link before the first one spent it.
    services.erase_with_link(link)

    with pytest.raises(LinkUsed):
        services.erase_with_link(link)


def test_a_link_works_for_a_day_from_when_it_was_mailed(
    client, database_tasks, mailoutbox
):
    with time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=False) as clock:
        services.request_link(READER)
        clock.shift(timedelta(hours=6))  # a mail server that was down for a while
        run_queued_tasks()
        [link] = MyDataLink.objects.all()
        [token] = re.findall(r"/my-data/([^/\s]+)/", mailoutbox[0].body)
        clock.shift(timedelta(hours=23))
        services.request_link(OTHER)  # forgets expired links on the way
        assert client.get(f"/my-data/{token}/").status_code == 200
        clock.shift(timedelta(hours=2))
        expired = client.get(f"/my-data/{token}/")
        services.request_link(OTHER)

    assert expired.status_code == 400
    assert b"This link has expired" in expired.content
    assert not MyDataLink.objects.filter(pk=link.pk).exists()


def test_a_link_of_the_old_format_without_its_row_opens_nothing(client, known_reader):
    old = signing.dumps(
        {"e": READER, "p": tokens.PURPOSE}, salt=tokens.SALT, compress=True
    )

    assert client.get(f"/my-data/{old}/").status_code == 400
    assert _erase(client, old).status_code == 400
    assert Subscriber.objects.filter(email=READER).exists()


def test_the_export_shows_the_addresss_links(client, database_tasks):
    services.request_link(READER)
    run_queued_tasks()

    document = client.get(f"/my-data/{tokens.issue(READER)}/export.json").json()

    assert [link["mailed"] for link in document["my_data_links"]] == [True, True]
