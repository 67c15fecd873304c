"""The newsletter's Wagtail admin, as an editor and as everyone who must be refused."""

import re
from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from masthead.core.roles import FINANCE
from masthead.core.tests.fixtures import member_of
from masthead.news.tests.factories import ArticlePageFactory
from masthead.newsletter import admin_views, issues, sending, services
from masthead.newsletter.choices import (
    DeliveryStatus,
    IssueStatus,
    SubscriberStatus,
    SuppressionReason,
)
from masthead.newsletter.models import (
    Delivery,
    Issue,
    NewsletterList,
    Subscriber,
    Suppression,
    email_hash,
)
from masthead.newsletter.tests.fixtures import confirmed_subscribers

pytestmark = pytest.mark.django_db

ISSUES = reverse("newsletter_issues:index")
ADD_ISSUE = reverse("newsletter_issues:add")
LISTS = reverse("newsletter_lists:index")
SUBSCRIBERS = reverse("newsletter_subscribers:index")


def issue_url(name, issue):
    return reverse(f"newsletter_issues:{name}", args=[issue.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def finance(django_user_model):
    return member_of(django_user_model, "fin", FINANCE)


@pytest.fixture
def second_article(section, author, article):
    return ArticlePageFactory(
        parent=section,
        title="Council votes on the budget",
        slug="council-budget",
        authors=[author],
    )


@pytest.fixture
def as_editor(client, editor):
    client.force_login(editor)
    return client


def edit_data(issue, pages, subject=None, intro="<p>Good morning.</p>"):
    """The edit form's POST data keeping `pages`, in that order, of its stories.

    As in the browser, each story keeps its form and only its ORDER changes.
    """
    order = [page.pk for page in pages]
    forms = []
    for story in issue.stories.order_by("sort_order", "pk"):
        if story.page_id in order:
            forms.append(
                {
                    "id": story.pk,
                    "page": story.page_id,
                    "ORDER": order.index(story.page_id) + 1,
                }
            )
        else:
            forms.append(
                {"id": story.pk, "page": story.page_id, "ORDER": "", "DELETE": "1"}
            )
    return nested_form_data(
        {
            "newsletter_list": issue.newsletter_list_id,
            "subject": issue.subject if subject is None else subject,
            "intro": rich_text(intro),
            "stories": inline_formset(forms, initial=len(forms)),
        }
    )


# --- Who gets in ---------------------------------------------------------------


def test_only_editors_see_the_newsletter_menu(
    client, editor, writer, moderator, finance
):
    home = reverse("wagtailadmin_home")
    client.force_login(editor)
    html = client.get(home).content.decode()
    assert ISSUES in html and LISTS in html and SUBSCRIBERS in html
    for user in (writer, moderator, finance):
        client.force_login(user)
        html = client.get(home).content.decode()
        assert "/admin/newsletter/" not in html, user.username


@pytest.mark.parametrize("role", ["writer", "moderator", "finance"])
def test_other_roles_are_refused_on_every_newsletter_url(
    client, role, request, edition, subscriber, mailoutbox
):
    client.force_login(request.getfixturevalue(role))
    pages = [
        ISSUES,
        ADD_ISSUE,
        LISTS,
        reverse("newsletter_lists:add"),
        reverse("newsletter_lists:edit", args=[edition.newsletter_list_id]),
        reverse("newsletter_lists:delete", args=[edition.newsletter_list_id]),
        SUBSCRIBERS,
        reverse("newsletter_subscribers:inspect", args=[subscriber.pk]),
        reverse("newsletter_subscribers:erase", args=[subscriber.pk]),
        *[
            issue_url(name, edition)
            for name in ("edit", "delete", "preview", "preview_html", "send")
        ],
        issue_url("schedule", edition),
        issue_url("progress", edition),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert response["Location"].startswith("/admin/"), url
    actions = [
        (ADD_ISSUE, {"newsletter_list": edition.newsletter_list_id}),
        (issue_url("test", edition), {}),
        (issue_url("send", edition), {}),
        (issue_url("schedule", edition), {"when": "2099-01-01 07:00"}),
        (issue_url("unschedule", edition), {}),
        (issue_url("delete", edition), {}),
        (reverse("newsletter_subscribers:suppress", args=[subscriber.pk]), {}),
        (reverse("newsletter_subscribers:erase", args=[subscriber.pk]), {}),
        (reverse("newsletter_lists:delete", args=[edition.newsletter_list_id]), {}),
    ]
    for url, data in actions:
        assert client.post(url, data).status_code in (302, 403), url
    edition.refresh_from_db()
    assert edition.status == IssueStatus.DRAFT
    assert Issue.objects.count() == 1
    assert not Delivery.objects.exists()
    assert mailoutbox == []
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert NewsletterList.objects.filter(pk=edition.newsletter_list_id).exists()


def test_every_view_renders_for_an_editor(as_editor, edition, subscriber):
    pages = [
        ISSUES,
        ADD_ISSUE,
        LISTS,
        reverse("newsletter_lists:add"),
        reverse("newsletter_lists:edit", args=[edition.newsletter_list_id]),
        SUBSCRIBERS,
        reverse("newsletter_subscribers:inspect", args=[subscriber.pk]),
        reverse("newsletter_subscribers:erase", args=[subscriber.pk]),
        *[
            issue_url(name, edition)
            for name in (
                "edit",
                "delete",
                "preview",
                "preview_html",
                "send",
                "schedule",
                "progress",
                "history",
                "usage",
            )
        ],
        reverse("newsletter_lists:history", args=[edition.newsletter_list_id]),
    ]
    for url in pages:
        assert as_editor.get(url).status_code == 200, url


# --- Lists -----------------------------------------------------------------------


def test_lists_show_confirmed_subscribers_only(as_editor, daily_list, breaking_list):
    confirmed_subscribers(daily_list, 3)
    services.unsubscribe(Subscriber.objects.first())
    response = as_editor.get(LISTS)
    rows = {row.name: row.confirmed for row in response.context["object_list"]}
    assert rows == {"Daily digest": 2, "Breaking news": 0}
    assert f"{ADD_ISSUE}?list={daily_list.pk}" in response.content.decode()


def test_an_editor_adds_a_list(as_editor):
    response = as_editor.post(
        reverse("newsletter_lists:add"),
        {
            "name": "Weekend",
            "slug": "weekend",
            "description": "",
            "schedule": "weekly",
            "send_time": "08:00",
            "weekday": "5",
            "active": "on",
            "position": "3",
        },
    )
    assert response.status_code == 302
    weekend = NewsletterList.objects.get(slug="weekend")
    assert weekend.weekday == 5 and weekend.schedule == "weekly"


def test_a_list_with_issues_cannot_be_deleted(as_editor, edition):
    url = reverse("newsletter_lists:delete", args=[edition.newsletter_list_id])
    page = as_editor.get(url).content.decode()
    assert "cannot be deleted" in page
    assert "Yes, delete" not in page

    response = as_editor.post(url, follow=True)

    assert response.status_code == 200
    assert any("cannot be deleted" in m for m in messages_of(response))
    assert NewsletterList.objects.filter(pk=edition.newsletter_list_id).exists()
    assert Issue.objects.filter(pk=edition.pk).exists()


def test_a_list_without_issues_is_deleted(as_editor, breaking_list):
    url = reverse("newsletter_lists:delete", args=[breaking_list.pk])
    assert as_editor.post(url).status_code == 302
    assert not NewsletterList.objects.filter(pk=breaking_list.pk).exists()


# --- Composing an issue --------------------------------------------------------------


def test_a_new_issue_is_a_draft_prefilled_with_the_lists_new_stories(
    as_editor, editor, daily_list, article, second_article
):
    form = as_editor.get(ADD_ISSUE, {"list": daily_list.pk}).content.decode()
    assert f'<option value="{daily_list.pk}" selected>' in form

    response = as_editor.post(ADD_ISSUE, {"newsletter_list": daily_list.pk})

    issue = Issue.objects.get()
    assert response.status_code == 302
    assert response["Location"] == issue_url("edit", issue)
    assert issue.status == IssueStatus.DRAFT and issue.created_by == editor
    assert {s.page_id for s in issue.stories.all()} == {
        article.pk,
        second_article.pk,
    }
    edit = as_editor.get(response["Location"]).content.decode()
    assert "Bridge repairs start" in edit and "Council votes on the budget" in edit


def test_adding_an_issue_without_a_list_says_so(as_editor, daily_list):
    response = as_editor.post(ADD_ISSUE, {"newsletter_list": "999"})
    assert response.status_code == 200
    assert response.context["form"].errors["newsletter_list"]
    assert not Issue.objects.exists()


def test_stories_are_reordered_and_removed_and_saved(
    as_editor, daily_list, article, second_article
):
    issue = issues.create_edition(daily_list)
    third = ArticlePageFactory(
        parent=article.get_parent(), title="Night trains return", slug="trains"
    )
    issues.fill_stories(issue, [article, second_article, third])

    data = edit_data(issue, [third, article], subject="Morning edition")
    response = as_editor.post(issue_url("edit", issue), data)

    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.subject == "Morning edition"
    assert "Good morning." in issue.intro
    saved = [s.page_id for s in issue.stories.order_by("sort_order")]
    assert saved == [third.pk, article.pk]


def test_save_and_preview_opens_the_preview(as_editor, edition, article):
    data = edit_data(edition, [article])
    data["then"] = "preview"
    response = as_editor.post(issue_url("edit", edition), data)
    assert response["Location"] == issue_url("preview", edition)


def test_an_invalid_edit_changes_nothing_and_keeps_the_input(
    as_editor, edition, article
):
    data = edit_data(edition, [], subject="")
    response = as_editor.post(issue_url("edit", edition), data)

    assert response.status_code == 200
    assert "subject" in response.context["form"].errors
    edition.refresh_from_db()
    assert edition.subject.endswith(timezone.localtime().strftime("%Y"))
    assert list(edition.stories.values_list("page_id", flat=True)) == [article.pk]


# --- Preview and test -------------------------------------------------------------


def test_the_preview_shows_the_exact_mail_in_a_frame(
    as_editor, edition, article, second_article
):
    issues.fill_stories(edition, [second_article, article])
    page = as_editor.get(issue_url("preview", edition))
    html = page.content.decode()
    assert f'src="{issue_url("preview_html", edition)}"' in html
    assert "Council votes on the budget" in page.context["text"]
    assert "<pre" in html and "Bridge repairs start" in html

    frame = as_editor.get(issue_url("preview_html", edition))

    body = frame.content.decode()
    assert body.index("Council votes on the budget") < body.index(
        "Bridge repairs start"
    )
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    assert "style-src 'unsafe-inline'" in frame["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in frame["Content-Security-Policy"]
    assert "script-src" not in frame["Content-Security-Policy"]
    assert "SUBSCRIBERKEYSLOT" not in body


def test_a_test_copy_goes_to_the_editor_only(
    as_editor, editor, edition, subscriber, mailoutbox
):
    response = as_editor.post(issue_url("test", edition), follow=True)

    assert [m.to for m in mailoutbox] == [[editor.email]]
    assert mailoutbox[0].subject.startswith("[Test]")
    assert "Bridge repairs start" in mailoutbox[0].alternatives[0][0]
    assert any(editor.email in m for m in messages_of(response))
    edition.refresh_from_db()
    assert edition.status == IssueStatus.DRAFT
    assert not Delivery.objects.exists()


def test_a_test_copy_needs_an_email_address(as_editor, editor, edition, mailoutbox):
    editor.email = ""
    editor.save()
    response = as_editor.post(issue_url("test", edition), follow=True)
    assert mailoutbox == []
    assert any("no email address" in m for m in messages_of(response))


# --- Sending ------------------------------------------------------------------------


def test_send_now_asks_first_then_reaches_every_confirmed_subscriber(
    as_editor,
    edition,
    daily_list,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    readers = confirmed_subscribers(daily_list, 3)
    services.signup("pending@example.org", [daily_list.pk])
    services.unsubscribe(readers.first())
    mailoutbox.clear()

    confirm = as_editor.get(issue_url("send", edition))
    assert "<strong>2</strong> confirmed subscribers" in confirm.content.decode()
    assert not Delivery.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = as_editor.post(issue_url("send", edition))

    assert response["Location"] == issue_url("progress", edition)
    assert Delivery.objects.filter(issue=edition).count() == 2
    expected = sorted(
        Subscriber.objects.filter(status=SubscriberStatus.CONFIRMED).values_list(
            "email", flat=True
        )
    )
    assert sorted(m.to[0] for m in mailoutbox) == expected
    edition.refresh_from_db()
    assert edition.status == IssueStatus.SENT
    progress = as_editor.get(response["Location"]).content.decode()
    assert "<strong>2</strong> of 2 sent (100% done)" in progress
    assert 'http-equiv="refresh"' not in progress
    listing = as_editor.get(ISSUES).content.decode()
    assert "2 / 2" in listing


def test_sending_twice_is_refused(
    as_editor, edition, subscriber, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        as_editor.post(issue_url("send", edition))
    assert len(mailoutbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = as_editor.post(issue_url("send", edition), follow=True)

    assert response.status_code == 200
    assert any("already" in m for m in messages_of(response))
    assert len(mailoutbox) == 1
    assert Delivery.objects.count() == 1
    confirm = as_editor.get(issue_url("send", edition))
    assert confirm["Location"] == issue_url("progress", edition)


def test_an_empty_issue_is_not_sent(as_editor, daily_list, subscriber, mailoutbox):
    empty = Issue.objects.create(newsletter_list=daily_list, subject="Nothing")
    response = as_editor.post(issue_url("send", empty), follow=True)
    assert response.status_code == 200
    assert any("at least one story" in m for m in messages_of(response))
    empty.refresh_from_db()
    assert empty.status == IssueStatus.DRAFT
    assert not Delivery.objects.exists()


def test_a_sent_issue_is_read_only(as_editor, edition, subscriber, article):
    sending.start_sending(edition)
    sending.send_issue(edition.pk)
    edition.refresh_from_db()
    assert edition.status == IssueStatus.SENT
    subject = edition.subject

    for response in (
        as_editor.get(issue_url("edit", edition)),
        as_editor.post(issue_url("edit", edition), edit_data(edition, [], "Changed")),
        as_editor.post(issue_url("delete", edition)),
        as_editor.get(issue_url("schedule", edition)),
    ):
        assert response.status_code == 302
        assert response["Location"] == issue_url("progress", edition)
    edition.refresh_from_db()
    assert edition.subject == subject
    assert list(edition.stories.values_list("page_id", flat=True)) == [article.pk]
    assert Delivery.objects.filter(issue=edition).count() == 1
    listing = as_editor.get(ISSUES).content.decode()
    assert issue_url("progress", edition) in listing
    assert issue_url("edit", edition) not in listing


def test_a_save_racing_the_start_of_sending_changes_nothing(
    as_editor, edition, subscriber, article, monkeypatch
):
    # The form was loaded while the issue was a draft; it started meanwhile.
    sending.start_sending(edition)
    original_locked = admin_views.issues.IssueEditView._locked
    calls = []

    def first_check_passes(view):
        calls.append(view)
        return None if len(calls) == 1 else original_locked(view)

    monkeypatch.setattr(admin_views.issues.IssueEditView, "_locked", first_check_passes)

    response = as_editor.post(
        issue_url("edit", edition), edit_data(edition, [], subject="Changed")
    )

    assert response.status_code == 302
    assert response["Location"] == issue_url("progress", edition)
    edition.refresh_from_db()
    assert edition.subject != "Changed"
    assert list(edition.stories.values_list("page_id", flat=True)) == [article.pk]


def test_progress_refreshes_itself_while_sending(as_editor, edition, daily_list):
    confirmed_subscribers(daily_list, 4)
    sending.start_sending(edition)

    page = as_editor.get(issue_url("progress", edition))

    html = page.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html
    assert '<progress class="newsletter-progress" max="4" value="0"' in html
    assert page.context["progress"].waiting == 4
    Delivery.objects.filter(
        pk__in=Delivery.objects.order_by("pk").values("pk")[:1]
    ).update(status=DeliveryStatus.FAILED)
    html = as_editor.get(issue_url("progress", edition)).content.decode()
    assert 'value="1"' in html
    assert "<dt>Failed</dt><dd>1</dd>" in html


def test_scheduling_takes_a_future_site_time(as_editor, edition, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    when = timezone.localtime() + timedelta(days=1)
    response = as_editor.post(
        issue_url("schedule", edition), {"when": when.strftime("%Y-%m-%d %H:%M")}
    )
    assert response.status_code == 302
    edition.refresh_from_db()
    assert edition.status == IssueStatus.SCHEDULED
    assert edition.scheduled_for == when.replace(second=0, microsecond=0)

    response = as_editor.post(issue_url("unschedule", edition))
    edition.refresh_from_db()
    assert edition.status == IssueStatus.DRAFT and edition.scheduled_for is None


@pytest.mark.parametrize(
    "when, error",
    [
        ("2001-01-01 07:00", "Pick a time in the future"),
        ("next tuesday", "Enter a valid date/time"),
        ("", "This field is required"),
    ],
)
def test_a_bad_schedule_is_refused_and_kept(as_editor, edition, when, error):
    response = as_editor.post(issue_url("schedule", edition), {"when": when})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert response.context["form"].data["when"] == when
    edition.refresh_from_db()
    assert edition.status == IssueStatus.DRAFT and edition.scheduled_for is None


# --- Subscribers -------------------------------------------------------------------


@pytest.fixture
def readers(daily_list, breaking_list):
    now = timezone.now()
    ana = Subscriber.objects.create(
        email="ana@example.org",
        name="Ana Silva",
        status=SubscriberStatus.CONFIRMED,
        created_at=now,
    )
    ana.lists.add(daily_list)
    bo = Subscriber.objects.create(
        email="bo@example.org",
        name="Bo Berg",
        status=SubscriberStatus.CONFIRMED,
        created_at=now,
    )
    bo.lists.add(breaking_list)
    Subscriber.objects.create(email="cy@example.org", created_at=now)
    return {"ana": ana, "bo": bo}


def emails_listed(response) -> list[str]:
    return sorted(s.email for s in response.context["object_list"])


def test_subscribers_are_listed_filtered_and_searched(as_editor, readers, daily_list):
    everyone = as_editor.get(SUBSCRIBERS)
    html = everyone.content.decode()
    assert emails_listed(everyone) == [
        "ana@example.org",
        "bo@example.org",
        "cy@example.org",
    ]
    assert "Ana Silva" in html and "Daily digest" in html
    assert "Waiting for confirmation" in html

    pending = as_editor.get(SUBSCRIBERS, {"status": "pending"})
    assert emails_listed(pending) == ["cy@example.org"]
    on_daily = as_editor.get(SUBSCRIBERS, {"newsletter_list": daily_list.pk})
    assert emails_listed(on_daily) == ["ana@example.org"]
    found = as_editor.get(SUBSCRIBERS, {"q": "berg"})
    assert emails_listed(found) == ["bo@example.org"]
    assert (
        as_editor.get(reverse("newsletter_subscribers:index") + "new/").status_code
        == 404
    )


def test_the_subscriber_list_costs_the_same_for_many(
    as_editor, daily_list, breaking_list, django_assert_max_num_queries
):
    for newsletter_list in (daily_list, breaking_list):
        confirmed_subscribers(newsletter_list, 30)
    with django_assert_max_num_queries(20):
        response = as_editor.get(SUBSCRIBERS)
    assert len(response.context["object_list"]) == 50


def test_the_subscriber_page_shows_the_person_and_no_form(as_editor, readers):
    url = reverse("newsletter_subscribers:inspect", args=[readers["ana"].pk])
    html = as_editor.get(url).content.decode()
    assert "ana@example.org" in html and "Daily digest" in html
    assert 'name="email"' not in html
    assert "Suppress" in html and "Erase" in html


def test_csv_buttons_follow_the_permissions(
    client, as_editor, django_user_model, readers, monkeypatch
):
    html = as_editor.get(SUBSCRIBERS).content.decode()
    assert reverse("newsletter_import") in html and "Import CSV" in html
    assert reverse("newsletter_export") in html and "Export CSV" in html

    from django.contrib.auth.models import Permission

    reader = member_of(django_user_model, "viewer", None)
    reader.user_permissions.set(
        Permission.objects.filter(
            codename__in=["access_admin", "view_subscriber", "export_subscriber"]
        )
    )
    client.force_login(reader)
    html = client.get(SUBSCRIBERS).content.decode()
    assert "Export CSV" in html and "Import CSV" not in html

    real_reverse = admin_views.common.reverse

    def without_csv(name, *args, **kwargs):
        if name in ("newsletter_import", "newsletter_export"):
            raise NoReverseMatch(name)
        return real_reverse(name, *args, **kwargs)

    monkeypatch.setattr(admin_views.common, "reverse", without_csv)
    response = as_editor.get(SUBSCRIBERS)
    assert response.status_code == 200
    assert "Export CSV" not in response.content.decode()


def test_suppress_marks_the_subscriber_and_the_address(
    as_editor, readers, edition, django_capture_on_commit_callbacks
):
    ana = readers["ana"]
    url = reverse("newsletter_subscribers:suppress", args=[ana.pk])
    assert as_editor.get(url).status_code == 405

    response = as_editor.post(url, follow=True)

    ana.refresh_from_db()
    assert ana.status == SubscriberStatus.SUPPRESSED
    assert ana.suppressed_reason == SuppressionReason.MANUAL
    suppression = Suppression.objects.get(email_hash=email_hash(ana.email))
    assert suppression.reason == SuppressionReason.MANUAL
    assert any("will not be mailed again" in m for m in messages_of(response))
    again = as_editor.post(url, follow=True)
    assert any("already suppressed" in m for m in messages_of(again))
    assert Suppression.objects.count() == 1


def test_erase_asks_first_then_removes_everything(as_editor, readers, edition):
    ana = readers["ana"]
    sending.start_sending(edition)
    url = reverse("newsletter_subscribers:erase", args=[ana.pk])

    confirm = as_editor.get(url).content.decode()
    assert "Yes, erase" in confirm and "ana@example.org" in confirm
    assert Subscriber.objects.filter(pk=ana.pk).exists()

    response = as_editor.post(url)

    assert response["Location"] == SUBSCRIBERS
    assert not Subscriber.objects.filter(email="ana@example.org").exists()
    assert not Delivery.objects.filter(subscriber_id=ana.pk).exists()
    assert Subscriber.objects.filter(email="bo@example.org").exists()
    inspect = reverse("newsletter_subscribers:inspect", args=[ana.pk])
    assert as_editor.get(inspect).status_code == 404


def test_progress_of_an_unsent_issue_says_so(as_editor, edition):
    html = as_editor.get(issue_url("progress", edition)).content.decode()
    assert "has not gone out yet" in html
    assert "<progress" not in html and 'http-equiv="refresh"' not in html


def test_the_story_chooser_offers_articles_only(as_editor, edition):
    html = as_editor.get(issue_url("edit", edition)).content.decode()
    choosers = re.findall(
        r'PageChooser\("id_stories-[^"]+", \{"modelNames": ([^]]*\])', html
    )
    # One for the story in the draft, one for a story the editor adds.
    assert choosers == ['["news.articlepage"]', '["news.articlepage"]']
