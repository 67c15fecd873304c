import csv
import re

import pytest
from playwright.sync_api import Page, expect

from masthead.core.roles import EDITORS
from masthead.core.tests.fixtures import member_of
from masthead.newsletter import services
from masthead.newsletter.choices import SubscriberSource, SubscriberStatus
from masthead.newsletter.models import Subscriber
from tests.browser.conftest import PASSWORD, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MAILCHIMP_EXPORT = (
    "Email Address;First Name;Last Name;OPTIN_TIME\r\n"
    "ada@example.org;Ada;Reyes;2021-03-04 10:20:30\r\n"
    "bo@example.org;Bo;Lindqvist;\r\n"
    "not-an-address;Nobody;;\r\n"
    "left@example.org;Left;Early;\r\n"
    "cy@example.org;Cy;Okafor;04/03/2021\r\n"
    "ADA@example.org;Ada;Again;\r\n"
    "dee@example.org;=1+1;Dee;\r\n"
)


@pytest.fixture
def editor_page(page: Page, live_server, django_user_model):
    member_of(django_user_model, "ed", EDITORS, password=PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "ed")
    return page


@pytest.fixture
def reader_who_left(breaking_list):
    services.signup("left@example.org", [breaking_list.pk])
    services.unsubscribe(Subscriber.objects.get(email="left@example.org"))


def test_editor_imports_a_file_with_bad_rows_after_a_dry_run(
    daily_list,
    reader_who_left,
    editor_page,
    live_server,
    screenshot,
    offline,
    tmp_path,
):
    page = editor_page
    page.goto(live_server.url + "/admin/newsletter/import/")
    expect(page.get_by_role("heading", name="Import subscribers")).to_be_visible()
    page.get_by_label("CSV file").set_input_files(
        files=[
            {
                "name": "mailchimp.csv",
                "mimeType": "text/csv",
                "buffer": MAILCHIMP_EXPORT.encode("utf-8-sig"),
            }
        ]
    )
    page.get_by_label("Add them to").select_option(label="Daily digest")
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_text("Dry run of mailchimp.csv")).to_be_visible()
    counts = page.locator("table.csv-import-counts")
    expect(counts.get_by_role("row", name=re.compile("To add"))).to_contain_text("3")
    expect(counts.get_by_role("row", name=re.compile("Invalid"))).to_contain_text("2")
    left_out = page.locator("table.csv-import-problems tbody tr")
    expect(left_out).to_have_count(4)
    expect(left_out.nth(0)).to_contain_text("not a valid email address")
    expect(left_out.nth(1)).to_contain_text("unsubscribed here")
    expect(left_out.nth(2)).to_contain_text("unreadable date “04/03/2021”")
    expect(left_out.nth(3)).to_contain_text("same address as line 2")
    screenshot("report")
    assert not Subscriber.objects.filter(email="ada@example.org").exists()

    page.get_by_role("button", name="Import 3 subscribers").click()

    expect(page).to_have_url(re.compile("/admin/newsletter/import/$"))
    expect(
        page.get_by_text("3 subscribers added to the list, 3 of them new")
    ).to_be_visible()
    screenshot("done")
    imported = Subscriber.objects.filter(source=SubscriberSource.IMPORT)
    assert set(imported.values_list("email", "status")) == {
        ("ada@example.org", SubscriberStatus.CONFIRMED),
        ("bo@example.org", SubscriberStatus.CONFIRMED),
        ("dee@example.org", SubscriberStatus.CONFIRMED),
    }
    assert Subscriber.objects.get(email="left@example.org").status == (
        SubscriberStatus.UNSUBSCRIBED
    )

    # The export gives the list back, with the formula-like name defused.
    page.goto(live_server.url + "/admin/newsletter/export/")
    page.get_by_label("List").select_option(label="Daily digest")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    saved = tmp_path / "export.csv"
    download_info.value.save_as(saved)
    with saved.open(newline="") as handle:
        exported = {row["email"]: row for row in csv.DictReader(handle)}
    assert set(exported) == {"ada@example.org", "bo@example.org", "dee@example.org"}
    assert exported["dee@example.org"]["name"] == "'=1+1 Dee"
    assert exported["ada@example.org"]["lists"] == "Daily digest"
    assert offline == []
