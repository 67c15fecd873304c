from collections import Counter
from datetime import UTC, datetime

import pytest
from django.db import transaction
from django.utils import timezone

from masthead.analytics.storage import add_counts

pytestmark = pytest.mark.django_db
AUDIENCE = "/admin/audience/"


@pytest.fixture
def read_today(article):
    """1,234 views of the article this hour, 17 of them from a search engine."""
    hour = timezone.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        add_counts(
            Counter({(article.pk, hour): 1234}),
            Counter({(hour.date(), "search.example"): 17, (hour.date(), ""): 40}),
        )
    return article


def test_editor_sees_numbers_chart_top_story_and_referrers(client, editor, read_today):
    client.force_login(editor)
    response = client.get(AUDIENCE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "1,234" in html
    assert "Bridge repairs start" in html
    assert f"/admin/pages/{read_today.pk}/edit/#tab-audience" in html
    assert "search.example" in html
    assert "Direct or unknown" in html
    assert '<svg class="audience-chart__svg"' in html
    assert 'role="img"' in html
    assert "Show the numbers" in html


def test_dashboard_renders_without_any_views(client, editor):
    client.force_login(editor)
    response = client.get(AUDIENCE)
    assert response.status_code == 200
    assert "No views counted yet" in response.content.decode()


def test_dashboard_queries_do_not_grow_with_stories(
    client, editor, section, django_assert_max_num_queries
):
    from masthead.news.tests.factories import ArticlePageFactory

    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    stories = [ArticlePageFactory(parent=section) for _ in range(10)]
    with transaction.atomic():
        add_counts(Counter({(s.pk, hour): n + 1 for n, s in enumerate(stories)}), {})
    client.force_login(editor)
    client.get(AUDIENCE)
    with django_assert_max_num_queries(30):
        assert client.get(AUDIENCE).status_code == 200


@pytest.mark.parametrize("who", ["writer", "moderator"])
def test_people_without_the_permission_are_turned_away(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(AUDIENCE)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response.url == "/admin/"


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(AUDIENCE)
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_menu_shows_audience_only_to_permitted_people(client, editor, writer):
    client.force_login(editor)
    assert AUDIENCE in client.get("/admin/").content.decode()
    client.force_login(writer)
    assert AUDIENCE not in client.get("/admin/").content.decode()


def test_homepage_panel_shows_views_today_to_editors(client, editor, read_today):
    client.force_login(editor)
    html = client.get("/admin/").content.decode()
    assert 'id="audience' in html
    assert "views today" in html
    assert "1,234" in html


def test_superuser_sees_the_dashboard(client, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", "b@example.org", "pw")
    client.force_login(boss)
    assert client.get(AUDIENCE).status_code == 200


def edit_page_html(client, user, page) -> str:
    client.force_login(user)
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 200
    return response.content.decode()


def test_article_edit_page_has_an_audience_tab_with_its_chart(
    client, editor, read_today
):
    html = edit_page_html(client, editor, read_today)
    assert 'id="tab-audience"' in html
    assert "since publication" in html
    assert "audience-chart__svg" in html
    assert "1,234" in html


def test_article_audience_tab_is_hidden_without_the_permission(
    client, writer, read_today
):
    # Writers may edit any story; the audience permission is what shows numbers.
    html = edit_page_html(client, writer, read_today)
    assert 'id="tab-content"' in html
    assert 'id="tab-audience"' not in html
    assert "since publication" not in html


def test_new_article_form_says_views_come_after_publication(client, editor, section):
    client.force_login(editor)
    response = client.get(f"/admin/pages/add/news/articlepage/{section.pk}/")
    assert response.status_code == 200
    assert (
        "Views are counted once the article is published" in response.content.decode()
    )
