import io
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from masthead.accounts import services
from masthead.accounts.middleware import SecondFactorMiddleware

from .conftest import sign_in

pytestmark = pytest.mark.django_db

SETUP = "/admin/2fa/setup/"
VERIFY = "/admin/2fa/verify/"
CODES = "/admin/2fa/recovery-codes/"


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


@pytest.fixture
def authenticator(staff):
    device = services.start_authenticator_setup(staff)
    assert services.confirm_authenticator(device, code_for(device))
    device.refresh_from_db()
    return device


def test_password_alone_leads_a_new_staff_member_to_setup(client, staff, two_factor):
    response = sign_in(client, "ed")
    admin = client.get(response["Location"])

    assert admin.status_code == 302
    assert admin["Location"].startswith(f"{SETUP}?next=/admin/")
    page = client.get(admin["Location"]).content.decode()
    assert "Set up two-step sign-in" in page
    assert "<svg" in page  # the QR code, drawn inline
    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed
    assert services.authenticator_secret(device).replace(" ", "") in page.replace(
        " ", ""
    )


def test_the_apps_code_confirms_setup_and_shows_recovery_codes_once(
    client, staff, two_factor
):
    sign_in(client, "ed")
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=staff)

    response = client.post(SETUP, {"otp_token": code_for(device), "next": "/admin/"})

    page = response.content.decode()
    device.refresh_from_db()
    codes = StaticToken.objects.filter(device__user=staff)
    assert response.status_code == 200 and device.confirmed
    assert codes.count() == 10
    assert all(token.token in page for token in codes)
    assert client.get("/admin/").status_code == 200
    assert codes.first().token not in client.get(CODES).content.decode()


def test_a_wrong_code_keeps_setup_waiting(client, staff, two_factor):
    sign_in(client, "ed")
    client.get(SETUP)

    response = client.post(SETUP, {"otp_token": "000000"})

    assert "That code does not match" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=staff, confirmed=True).exists()
    assert client.get("/admin/").status_code == 302


def test_every_later_sign_in_asks_for_the_apps_code(
    client, staff, authenticator, two_factor
):
    sign_in(client, "ed")
    admin = client.get("/admin/pages/")
    assert admin["Location"] == f"{VERIFY}?next=/admin/pages/"
    assert client.get(SETUP)["Location"].startswith(VERIFY)  # no new app yet

    wrong = client.post(VERIFY, {"otp_token": "123 456", "next": "/admin/pages/"})
    assert "That code is not right" in wrong.content.decode()
    # The app shows a new code 30 seconds on (the setup's code is spent, and a
    # wrong code makes the next try wait a moment).
    with time_machine.travel(timedelta(seconds=60)):
        right = client.post(
            VERIFY, {"otp_token": code_for(authenticator), "next": "/admin/pages/"}
        )

    assert right["Location"] == "/admin/pages/"
    assert client.get("/admin/pages/").status_code == 200


def test_a_recovery_code_signs_in_once(client, staff, authenticator, two_factor):
    first, *_ = services.issue_recovery_codes(staff)
    sign_in(client, "ed")

    assert client.post(VERIFY, {"otp_token": first.upper()}).status_code == 302
    client.logout()
    sign_in(client, "ed")
    again = client.post(VERIFY, {"otp_token": first})

    assert again.status_code == 200
    assert services.recovery_codes_left(staff) == 9


def test_verify_never_sends_anyone_off_site(client, staff, authenticator, two_factor):
    sign_in(client, "ed")

    with time_machine.travel(timedelta(seconds=60)):
        response = client.post(
            VERIFY, {"otp_token": code_for(authenticator), "next": "https://evil.test/"}
        )

    assert response["Location"] == "/admin/"


def test_new_recovery_codes_replace_the_old_ones(
    client, staff, authenticator, two_factor
):
    old = set(services.issue_recovery_codes(staff))
    client.force_login(staff)
    session = client.session
    session["otp_device_id"] = authenticator.persistent_id
    session.save()

    shown = client.get(CODES).content.decode()
    new = client.post(CODES).content.decode()

    assert "You have 10 unused recovery codes" in shown
    tokens = set(
        StaticToken.objects.filter(device__user=staff).values_list("token", flat=True)
    )
    assert tokens.isdisjoint(old) and len(tokens) == 10
    assert all(token in new for token in tokens)


def test_with_the_requirement_off_a_password_is_enough(client, staff, settings):
    settings.MASTHEAD_REQUIRE_2FA = False
    sign_in(client, "ed")

    assert client.get("/admin/").status_code == 200


def test_unverified_staff_are_strangers_outside_the_admin(staff, two_factor):
    request = RequestFactory().get("/some-story/")
    request.user = staff
    request.session = {}
    middleware = SecondFactorMiddleware(lambda request: None)
    middleware._install_lazy_accessors(request)

    assert middleware.process_view(request, None, (), {}) is None
    assert isinstance(request.user, AnonymousUser)


def test_readers_accounts_are_never_asked(django_user_model, two_factor):
    reader = django_user_model.objects.create_user("reader", password="x")  # noqa: S106
    request = RequestFactory().get("/admin/")
    request.user = reader
    request.session = {}
    middleware = SecondFactorMiddleware(lambda request: None)
    middleware._install_lazy_accessors(request)

    assert middleware.process_view(request, None, (), {}) is None
    assert request.user.is_authenticated


def test_reset_command_forgets_a_lost_phone(staff, authenticator):
    services.issue_recovery_codes(staff)

    out = io.StringIO()
    call_command("masthead_reset_2fa", "ed", stdout=out)

    assert "2 devices removed" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert services.recovery_codes_left(staff) == 0
    with pytest.raises(CommandError, match="nobody"):
        call_command("masthead_reset_2fa", "nobody")


def test_the_account_page_links_to_the_app_and_the_recovery_codes(client, staff):
    client.force_login(staff)

    page = client.get("/admin/account/").content.decode()

    assert 'href="/admin/2fa/setup/"' in page and "Authenticator app" in page
    assert 'href="/admin/2fa/recovery-codes/"' in page and "Recovery codes" in page


def test_a_verified_person_can_move_to_a_new_phone(
    client, staff, authenticator, two_factor
):
    client.force_login(staff)
    session = client.session
    session["otp_device_id"] = authenticator.persistent_id
    session.save()

    client.get(SETUP)
    new = TOTPDevice.objects.get(user=staff, confirmed=False)
    response = client.post(SETUP, {"otp_token": code_for(new)})

    assert response.status_code == 200
    assert list(TOTPDevice.objects.filter(user=staff)) == [new]
    assert TOTPDevice.objects.get(pk=new.pk).confirmed
