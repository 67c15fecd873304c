"""Every admin action that changes something, tried by every role.

ACTIONS says who may do each. A role that may must see it done; any other must
be turned away with nothing changed.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import Page, Site

from masthead.accounts.models import DataExport
from masthead.accounts.tests.role_matrix_support import ROLES, make_staff
from masthead.comments.choices import CommentStatus
from masthead.comments.tests.fixtures import post_comment
from masthead.core.models import MastheadSettings
from masthead.core.roles import WRITERS
from masthead.news.tests.factories import ArticlePageFactory, SectionPageFactory
from masthead.news.tests.test_preview import article_form_data
from masthead.newsletter.choices import IssueStatus
from masthead.newsletter.issues import create_edition
from masthead.newsletter.models import Subscriber
from masthead.newsletter.tests.fixtures import confirmed_subscribers, make_list
from masthead.revenue.models import Donation, Donor

pytestmark = pytest.mark.django_db

W, E, M, F, A = "writer", "editor", "moderator", "finance", "admin"
PUBLISH = {E, A}
COMMENTS = {E, M, A}
EDITORS = {E, A}
FINANCE = {F, A}
ADMIN = {A}


def publish_a_draft(client, users, article, author, **_):
    draft = ArticlePageFactory(
        parent=article.get_parent(), live=False, slug="draft", authors=[]
    )
    draft.save_revision()
    client.post(
        reverse("wagtailadmin_pages:edit", args=[draft.pk]),
        article_form_data(author, "Draft", slug="draft", **{"action-publish": "1"}),
    )
    return Page.objects.get(pk=draft.pk).live


def unpublish_a_page(client, article, **_):
    client.post(reverse("wagtailadmin_pages:unpublish", args=[article.pk]))
    return not Page.objects.get(pk=article.pk).live


def delete_a_page(client, article, **_):
    client.post(reverse("wagtailadmin_pages:delete", args=[article.pk]))
    return not Page.objects.filter(pk=article.pk).exists()


def move_a_page(client, article, **_):
    sport = SectionPageFactory(title="Sport", slug="sport")
    client.post(reverse("wagtailadmin_pages:move_confirm", args=[article.pk, sport.pk]))
    return Page.objects.get(pk=article.pk).get_parent().pk == sport.pk


def approve_a_comment(client, article, **_):
    comment = post_comment(article, "Pending until a moderator says so.")
    assert comment.status == CommentStatus.PENDING
    client.post(reverse("comment_moderation:set_status", args=[comment.pk, "approved"]))
    comment.refresh_from_db()
    return comment.status == CommentStatus.APPROVED


def remove_a_comment(client, article, **_):
    comment = post_comment(article, "Spam, spam, spam.")
    client.post(reverse("comment_moderation:set_status", args=[comment.pk, "trash"]))
    comment.refresh_from_db()
    return comment.status == CommentStatus.TRASH


def send_a_newsletter_issue(client, article, **_):
    daily = make_list("Daily digest", "daily")
    confirmed_subscribers(daily, 2)
    issue = create_edition(daily)
    client.post(reverse("newsletter_issues:send", args=[issue.pk]))
    issue.refresh_from_db()
    return issue.status != IssueStatus.DRAFT


def export_subscribers(client, **_):
    confirmed_subscribers(make_list("Daily digest", "daily"), 2)
    response = client.get("/admin/newsletter/export/", {"export": "csv"})
    got_file = response.get("Content-Type", "").startswith("text/csv")
    return got_file and DataExport.objects.filter(row_count=2).exists()


def export_donations(client, **_):
    Donation.objects.create(
        donor=Donor.objects.create(email="ada@example.org"),
        email="ada@example.org",
        amount_minor=500,
        currency="EUR",
        provider="stripe",
    )
    response = client.get(reverse("donations:index"), {"export": "csv"})
    got_file = response.get("Content-Type", "").startswith("text/csv")
    return got_file and DataExport.objects.filter(row_count=1).exists()


def import_subscribers(client, **_):
    daily = make_list("Daily digest", "daily")
    upload = SimpleUploadedFile("a.csv", b"email\r\nnew@example.org\r\n", "text/csv")
    client.post(
        "/admin/newsletter/import/", {"file": upload, "newsletter_list": daily.pk}
    )
    kept = client.session.get("newsletter_import") or {"token": "none"}
    client.post(
        "/admin/newsletter/import/confirm/",
        {"token": kept["token"], "action": "import"},
    )
    return Subscriber.objects.filter(email="new@example.org").exists()


def change_site_settings(client, **_):
    site = Site.objects.get(is_default_site=True)
    client.post(
        f"/admin/settings/core/mastheadsettings/{site.pk}/",
        {
            "tagline": "Changed by a test",
            "accent_colour": "#123456",
            "social_links-count": "0",
            "supporter_cta_text": "Support us",
        },
    )
    return MastheadSettings.for_site(site).tagline == "Changed by a test"


def edit_a_user(client, users, **_):
    writer = users[W]
    client.post(
        reverse("wagtailusers_users:edit", args=[writer.pk]),
        {
            "username": writer.username,
            "email": writer.email,
            "first_name": "Renamed",
            "last_name": "Writer",
            "is_active": "on",
            "groups": [Group.objects.get(name=WRITERS).pk],
        },
    )
    writer.refresh_from_db()
    return writer.first_name == "Renamed"


def delete_a_group(client, **_):
    doomed = Group.objects.create(name="Interns")
    client.post(reverse("wagtailusers_groups:delete", args=[doomed.pk]))
    return not Group.objects.filter(pk=doomed.pk).exists()


# action: the roles that may do it (admin is a superuser: every one).
ACTIONS = {
    publish_a_draft: PUBLISH,
    unpublish_a_page: PUBLISH,
    delete_a_page: PUBLISH,
    move_a_page: PUBLISH,
    approve_a_comment: COMMENTS,
    remove_a_comment: COMMENTS,
    send_a_newsletter_issue: EDITORS,
    export_subscribers: EDITORS,
    import_subscribers: EDITORS,
    change_site_settings: EDITORS,
    export_donations: FINANCE,
    edit_a_user: ADMIN,
    delete_a_group: ADMIN,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS, ids=lambda action: action.__name__)
def test_each_role_may_do_exactly_what_the_matrix_says(
    client, django_user_model, article, author, role, action
):
    users = make_staff(django_user_model)
    client.force_login(users[role])

    done = action(client=client, users=users, article=article, author=author)

    assert done == (role in ACTIONS[action])
