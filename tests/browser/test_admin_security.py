"""What an editor meets at sign-in: the lock-out page, two-step sign-in, and the
record an export leaves for the admins."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from masthead.accounts.tests.conftest import forget_counters
from masthead.core.roles import EDITORS
from masthead.core.tests.fixtures import member_of
from masthead.newsletter.tests.fixtures import confirmed_subscribers
from tests.browser.conftest import PASSWORD, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def fresh_counters():
    forget_counters()  # the throttle's counts live in the cache
    yield
    forget_counters()


@pytest.fixture
def editor(django_user_model):
    return member_of(django_user_model, "ed", EDITORS, password=PASSWORD)


def type_password(page: Page, live_server, password: str) -> None:
    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "ed")
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_wrong_passwords_lead_to_a_pause_that_says_when_to_retry(
    page: Page, live_server, editor, screenshot, offline
):
    for _ in range(4):
        type_password(page, live_server, "not-my-password")
        expect(page.locator(".messages .error")).to_be_visible()

    with page.expect_response(
        lambda response: (
            response.request.method == "POST" and response.url.endswith("/admin/login/")
        )
    ) as answer:
        type_password(page, live_server, "not-my-password")

    assert answer.value.status == 429
    expect(page).to_have_title("Too many attempts - Wagtail")
    expect(
        page.get_by_role("heading", name="Too many sign-in attempts")
    ).to_be_visible()
    expect(page.locator(".locked-out-retry")).to_contain_text("try again in 15 minutes")
    screenshot("locked-out")
    type_password(page, live_server, PASSWORD)  # the right one waits too
    expect(
        page.get_by_role("heading", name="Too many sign-in attempts")
    ).to_be_visible()
    assert offline == []


def current_code() -> str:
    device = TOTPDevice.objects.get()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def test_first_sign_in_sets_up_the_app_and_later_ones_ask_for_a_code(
    page: Page, live_server, editor, settings, screenshot, offline
):
    settings.MASTHEAD_REQUIRE_2FA = True
    type_password(page, live_server, PASSWORD)

    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    expect(page.locator(".twofactor-qr svg")).to_be_visible()
    expect(page.locator(".twofactor-secret")).not_to_be_empty()
    screenshot("setup")
    page.get_by_label("Code").fill(current_code())
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    codes = page.locator(".recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    screenshot("recovery-codes")
    page.get_by_role("link", name="I have saved them: continue").click()
    expect(page).to_have_title(re.compile("Dashboard"))

    # Signed out and back in: the password alone no longer opens the admin.
    page.context.clear_cookies()
    type_password(page, live_server, PASSWORD)
    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    screenshot("wrong-code")
    page.get_by_label("Code").fill(codes[0])  # the phone is at home: a recovery code
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile("Dashboard"))
    assert offline == []


def test_an_export_shows_in_site_history_for_the_admin(
    page: Page, live_server, editor, daily_list, django_user_model, offline
):
    confirmed_subscribers(daily_list, 3)
    django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD)
    log_in(page, live_server, "ed")
    page.goto(live_server.url + "/admin/newsletter/export/")
    page.get_by_label("Status").select_option("")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("subscribers-all-")

    log_in(page, live_server, "root")
    page.goto(live_server.url + "/admin/reports/site-history/")
    expect(
        page.get_by_text("Exported 3 rows of Newsletter subscribers")
    ).to_be_visible()
    assert offline == []
