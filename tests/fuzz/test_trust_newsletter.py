"""Attacking the newsletter's trust: old, replayed, forged and borrowed links,
forged bounce webhooks, and signups aimed at somebody's inbox (issue 17).
"""

import base64
import json
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.signing import dumps
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from masthead.core.models import MailToAddress
from masthead.newsletter import services
from masthead.newsletter.choices import SubscriberStatus
from masthead.newsletter.exceptions import InvalidToken
from masthead.newsletter.models import ListMembership, Subscriber, Suppression
from masthead.newsletter.sending import start_sending
from masthead.newsletter.tokens import CONFIRM_SALT

from .conftest import FUZZ, assert_clear_answer, fresh_limits

pytestmark = pytest.mark.django_db

POOL = ["ana@example.org", "bo@example.org", "cy@example.org"]
SECRET = "hooks:s3cret"


def _reset():
    fresh_limits()
    mail.outbox.clear()
    MailToAddress.objects.all().delete()
    Subscriber.objects.all().delete()
    Suppression.objects.all().delete()


def _token_in(message) -> str:
    url = next(w for w in message.body.split() if "/newsletter/confirm/" in w)
    return url.rstrip("/").split("/")[-1]


def _state() -> dict:
    return {
        s.email: (s.status, s.name, frozenset(s.lists.values_list("slug", flat=True)))
        for s in Subscriber.objects.all()
    }


# --- confirmation links: old, replayed, reordered, forged, another reader's -------

actions = st.lists(
    st.one_of(
        st.tuples(st.just("signup"), st.sampled_from(POOL), st.booleans()),
        st.tuples(st.just("confirm"), st.integers(0, 20), st.sampled_from(["", "x"])),
        st.tuples(st.just("unsubscribe"), st.sampled_from(POOL), st.booleans()),
        st.tuples(st.just("preferences"), st.sampled_from(POOL), st.booleans()),
    ),
    min_size=1,
    max_size=12,
)


@FUZZ
@given(steps=actions)
def test_a_confirmation_link_works_once_and_never_undoes_a_later_choice(
    daily_list, breaking_list, steps
):
    """Model: a link confirms iff it is unaltered, unused, and no later choice of
    its reader (unsubscribing, changing lists) came after it. Confirming another
    link undoes nothing, so it leaves the reader's other links alone."""
    _reset()
    lists = {True: daily_list, False: breaking_list}
    links = []  # (token, email, issued at step, lists)
    last_choice, used = {}, set()
    for step, action in enumerate(steps):
        kind = action[0]
        if kind == "signup":
            _, email, daily = action
            before = len(mail.outbox)
            services.signup(email, [lists[daily].pk], name=f"name {step}")
            if len(mail.outbox) > before:
                links.append((_token_in(mail.outbox[-1]), email, step, lists[daily]))
        elif kind == "confirm" and links:
            _, index, tamper = action
            token, email, issued, chosen = links[index % len(links)]
            valid = (
                not tamper
                and token not in used
                and issued > last_choice.get(email, -1)
                and Subscriber.objects.filter(email=email).exists()
            )
            before = _state()
            try:
                services.confirm(token + tamper)
            except InvalidToken:
                assert not valid, (token, steps)
                assert _state() == before
            else:
                assert valid, (token, steps)
                used.add(token)
                subscriber = Subscriber.objects.get(email=email)
                assert subscriber.status == SubscriberStatus.CONFIRMED
                assert chosen.slug in _state()[email][2]
        elif kind in ("unsubscribe", "preferences"):
            _, email, daily = action
            subscriber = Subscriber.objects.filter(email=email).first()
            if subscriber is None:
                continue
            if kind == "unsubscribe":
                services.unsubscribe(subscriber)
            else:
                services.set_preferences(subscriber, [lists[daily].pk], "")
            last_choice[email] = step


@FUZZ
@given(
    payload=st.one_of(
        st.fixed_dictionaries({"p": st.integers(-3, 10**20), "n": st.text()}),
        st.fixed_dictionaries(
            {"s": st.integers(0, 50), "k": st.text(), "l": st.just([1])}
        ),
        st.dictionaries(st.text(max_size=3), st.integers() | st.text(), max_size=3),
        st.lists(st.integers(), max_size=3),
    ),
    method=st.sampled_from(["get", "post"]),
)
def test_a_signed_payload_the_site_never_issued_confirms_nothing(
    client, subscriber, daily_list, payload, method
):
    """Even a correctly signed payload (a leaked key, an old link format) needs the
    pending signup's nonce."""
    before = _state()
    token = dumps(payload, salt=CONFIRM_SALT, compress=True)
    response = getattr(client, method)(f"/newsletter/confirm/{token}/")
    assert response.status_code == 400
    assert_clear_answer(response)
    assert _state() == before


@FUZZ
@given(order=st.permutations(["ana", "bo"]), replays=st.integers(1, 3))
def test_one_readers_links_never_touch_another(
    client, daily_list, breaking_list, order, replays
):
    _reset()
    tokens = {}
    for who in order:
        services.signup(f"{who}@example.org", [daily_list.pk])
        tokens[who] = _token_in(mail.outbox[-1])
    services.confirm(tokens["ana"])
    ana = Subscriber.objects.get(email="ana@example.org")
    bo = Subscriber.objects.get(email="bo@example.org")
    bo_before = _state()["bo@example.org"]
    for _ in range(replays):
        # Ana's used link, her preferences and unsubscribe links: Bo stays as he is.
        assert client.post(f"/newsletter/confirm/{tokens['ana']}/").status_code == 400
        client.post(
            reverse("newsletter:preferences", args=[ana.key]),
            {"lists": [breaking_list.pk], "name": "Ana"},
        )
        client.post(f"/newsletter/unsubscribe/{ana.key}/breaking/")
    assert _state()["bo@example.org"] == bo_before
    assert bo.memberships.count() == 0
    client.post(reverse("newsletter:erase", args=[ana.key]))
    assert (
        client.get(reverse("newsletter:preferences", args=[ana.key])).status_code == 404
    )
    assert Subscriber.objects.filter(pk=bo.pk).exists()


@FUZZ
@given(clicks=st.lists(st.sampled_from(["old", "new"]), min_size=1, max_size=5))
def test_an_issues_unsubscribe_link_never_undoes_a_later_resubscription(
    client, subscriber, daily_list, edition, clicks
):
    ListMembership.objects.filter(subscriber=subscriber).delete()
    ListMembership.objects.create(subscriber=subscriber, newsletter_list=daily_list)
    if edition.status == "draft":
        start_sending(edition)
    edition.refresh_from_db()
    old = f"/newsletter/unsubscribe/{subscriber.key}/daily/{edition.pk}/"
    # The reader joined again after the issue went out.
    ListMembership.objects.filter(subscriber=subscriber).update(
        created_at=edition.started_at + timedelta(seconds=1)
    )
    for click in clicks:
        if click == "old":
            response = client.post(old, {"List-Unsubscribe": "One-Click"})
            assert response.status_code == 200
            assert response.content.startswith(b"Nothing changed")
    assert ListMembership.objects.filter(subscriber=subscriber).exists()


# --- the bounce webhook: forged, unsigned, wrong secret, another ESP ---------------

HARD_BOUNCE = {
    "RecordType": "Bounce",
    "Type": "HardBounce",
    "TypeCode": 1,
    "ID": 7,
    "BouncedAt": "2026-11-27T07:00:01Z",
}


def _basic(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


@FUZZ
@given(
    configured=st.sampled_from(["", "postmark", "mailgun", "brevo"]),
    target=st.sampled_from(["postmark", "mailgun", "mandrill", "brevo", "ses"]),
    secret_set=st.booleans(),
    auth=st.sampled_from([None, "hooks:wrong", SECRET, "", "::", "hooks"]),
    body=st.one_of(st.just("bounce"), st.binary(max_size=40), st.text(max_size=40)),
)
def test_no_forged_webhook_suppresses_anyone(
    client, subscriber, configured, target, secret_set, auth, body
):
    trusted = configured == target and secret_set and auth == SECRET
    if trusted and target != "mailgun":
        auth = "hooks:forged"  # every case here is a forgery of some kind
    anymail = {"WEBHOOK_SECRET": SECRET} if secret_set else {}
    payload = (
        json.dumps(
            {
                **HARD_BOUNCE,
                "Email": subscriber.email,
                "event-data": {
                    "event": "failed",
                    "severity": "permanent",
                    "recipient": subscriber.email,
                },
            }
        )
        if body == "bounce"
        else body
    )
    headers = _basic(auth) if auth is not None else {}
    with override_settings(ANYMAIL_ESP=configured, ANYMAIL=anymail):
        response = client.post(
            f"/newsletter/anymail/{target}/tracking/",
            payload,
            content_type="application/json",
            **headers,
        )
    assert 400 <= response.status_code < 500, response.status_code
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert not Suppression.objects.exists()


# --- the signup form cannot be aimed at somebody's inbox --------------------------


@FUZZ
@given(
    requests=st.lists(
        st.tuples(
            st.sampled_from(POOL),
            st.sets(st.sampled_from(["daily", "breaking"]), min_size=1),
            st.sampled_from(["signup", "signup", "confirm", "unsubscribe"]),
            st.integers(0, 15),
        ),
        min_size=1,
        max_size=15,
    )
)
def test_no_signup_sequence_sends_an_address_more_than_its_share(
    client, daily_list, breaking_list, requests
):
    _reset()
    slugs = {"daily": daily_list.pk, "breaking": breaking_list.pk}
    sent = []  # (when, address, an "already subscribed" notice?)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for email, chosen, what, minutes in requests:
            clock.shift(timedelta(minutes=minutes))
            # Every connection limit forgotten: the budget in the database holds.
            fresh_limits()
            before = len(mail.outbox)
            subscriber = Subscriber.objects.filter(email=email).first()
            mine = [m for m in mail.outbox if m.to == [email]]
            if what == "confirm" and mine:
                client.post(f"/newsletter/confirm/{_token_in(mine[-1])}/")
            elif what == "unsubscribe" and subscriber is not None:
                services.unsubscribe(subscriber)
            else:
                response = client.post(
                    reverse("newsletter:subscribe"),
                    {"email": email, "lists": [slugs[s] for s in chosen]},
                )
                # The same answer whatever was (not) mailed.
                assert response.status_code == 302
                assert response["Location"] == reverse("newsletter:check_inbox")
            for message in mail.outbox[before:]:
                (to,) = message.to
                notice = "already subscribed" in message.body
                sent.append((timezone.now(), to, notice))
    for when, to, _ in sent:
        mine = [(t, notice) for t, address, notice in sent if address == to]
        hour = [t for t, _ in mine if when - timedelta(hours=1) < t <= when]
        day = [(t, n) for t, n in mine if when - timedelta(days=1) < t <= when]
        assert len(hour) <= 3, sent
        assert len(day) <= 6, sent
        assert sum(notice for _, notice in day) <= 1, sent
