"""Uncached pages (the full-page cache off) cost a few queries, whatever they show.

Warm means the fragment caches hold the page's parts, as they do on a live site
between two publishes; cold means they were just emptied.
"""

import datetime
import itertools

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import PageViewRestriction

from masthead.analytics.models import HourlyViews, ViewTotal
from masthead.caching.fragments import local_copies
from masthead.comments import services as comment_services
from masthead.comments.choices import ModerationPolicy
from masthead.comments.tests.fixtures import post_comment
from masthead.news.models import ArticleCorrection
from masthead.revenue.models import DonationSettings

from .factories import (
    ArticlePageFactory,
    AuthorFactory,
    SectionPageFactory,
    SeriesPageFactory,
)

WARM_BUDGET = 10
# Cold, every fragment is drawn: the story's parts, its structured data, the
# related stories, Trending, Most read, the donation goal, the comment thread.
# Each is a fixed number of queries, but together they are more than ten.
COLD_BUDGET = 40
# Every size a story shows, drawn beforehand: creating a rendition is a write
# that happens once per image, not a cost of reading the page.
RENDITIONS = ("width-1200", "fill-1200x675", "fill-640x360")
_episodes = itertools.count(1)


@pytest.fixture(autouse=True)
def _page_cache_off(settings):
    settings.MASTHEAD_PAGE_CACHE = False


def empty_fragment_caches():
    caches["pages"].clear()
    caches["default"].clear()
    local_copies.clear()


def new_image(title: str) -> Image:
    image = Image.objects.create(title=title, file=get_test_image_file())
    for spec in RENDITIONS:
        image.get_rendition(spec)
    return image


def body_blocks(count: int, images: list[Image]) -> list:
    kinds = itertools.cycle(
        ["paragraph", "image", "heading", "pull_quote", "block_quote", "link"]
    )
    image_cycle = itertools.cycle(images)
    blocks = []
    for n, kind in zip(range(count), kinds, strict=False):
        if kind == "paragraph":
            blocks.append(("paragraph", f"<p>Paragraph {n} of the report.</p>"))
        elif kind == "image":
            image = next(image_cycle)
            blocks.append(("image", {"image": image, "caption": f"Photo {n}"}))
        elif kind == "heading":
            blocks.append(("heading", {"text": f"Part {n}", "level": "h2"}))
        elif kind == "pull_quote":
            blocks.append(("pull_quote", {"text": "It was unexpected."}))
        elif kind == "block_quote":
            blocks.append(("block_quote", {"quote": "<p>We will rebuild.</p>"}))
        else:
            blocks.append(
                ("related_link", {"url": "https://example.org/", "title": "More"})
            )
    return blocks


def make_story(section, series, *, blocks: int, tags: int, authors: int, images):
    story = ArticlePageFactory(
        parent=section,
        body=body_blocks(blocks, images),
        authors=[AuthorFactory() for _ in range(authors)],
        featured_image=images[0],
        series=series,
        episode_number=next(_episodes),
    )
    story.tags.add(*[f"topic-{n}" for n in range(tags)])
    story.save()
    for day in (1, 2):
        ArticleCorrection.objects.create(
            page=story, date=datetime.date(2026, 3, day), text=f"Fix {day}."
        )
    post_comment(story, "First reply.")
    post_comment(story, "Second reply.")
    return story


@pytest.fixture
def newsroom(section, daily_list):
    """A site with full sidebars: views for Trending and Most read, a donation
    goal, a newsletter to sign up for, comments published at once."""
    settings = comment_services.settings_for(None)
    settings.moderation = ModerationPolicy.PUBLISH
    settings.save()
    donation = DonationSettings.for_site(section.get_site())
    donation.goal_amount = 500
    donation.widget_below_articles = True
    donation.goal_below_articles = True
    donation.save()
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    image = new_image("Harbour")
    for n in range(8):
        other = ArticlePageFactory(parent=section, featured_image=image)
        other.tags.add("topic-0")
        other.save()
        HourlyViews.objects.create(page=other, hour=hour, views=10 + n)
        ViewTotal.objects.create(page=other, views=100 + n)
    return section


@pytest.fixture
def series(newsroom):
    return SeriesPageFactory(parent=newsroom, title="The Weekly")


@pytest.fixture
def big_story(newsroom, series):
    images = [new_image(f"Photo {n}") for n in range(4)]
    return make_story(newsroom, series, blocks=14, tags=5, authors=3, images=images)


@pytest.fixture
def small_story(newsroom, series):
    images = [new_image("Lone photo")]
    return make_story(newsroom, series, blocks=2, tags=1, authors=1, images=images)


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert not response.cookies
    return len(queries)


@pytest.mark.django_db
def test_uncached_article_stays_within_budget(
    client, big_story, django_assert_max_num_queries
):
    with django_assert_max_num_queries(COLD_BUDGET):
        cold = client.get(big_story.url)
    with django_assert_max_num_queries(WARM_BUDGET):
        warm = client.get(big_story.url)

    assert warm.content == cold.content
    html = warm.content.decode()
    assert html.count('class="body-image"') == 3
    assert "The Weekly: Episode" in html
    assert "Second reply." in html
    assert 'id="trending-heading"' in html
    assert 'id="most-read-heading"' in html


@pytest.mark.django_db
def test_article_queries_do_not_grow_with_blocks_tags_or_authors(
    client, small_story, big_story
):
    small_url, big_url = small_story.url, big_story.url

    def cold_queries(url) -> int:
        empty_fragment_caches()
        return count_queries(client, url)

    cold_queries(big_url)  # fills the process's own caches (content types...)
    small_cold = cold_queries(small_url)
    big_cold = cold_queries(big_url)
    client.get(small_url)  # its fragments went with the big story's cold view
    small_warm = count_queries(client, small_url)
    big_warm = count_queries(client, big_url)

    assert big_cold == small_cold
    assert big_warm == small_warm <= WARM_BUDGET


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/news/", "/latest/", "/tags/topic-0/"])
def test_uncached_lists_stay_within_budget_and_do_not_grow(
    client, newsroom, path, django_assert_max_num_queries
):
    client.get(path)
    few = count_queries(client, path)
    image = new_image("More")
    for _ in range(12):
        story = ArticlePageFactory(
            parent=newsroom,
            featured_image=image,
            authors=[AuthorFactory(), AuthorFactory()],
        )
        story.tags.add("topic-0")
        story.save()
    empty_fragment_caches()
    client.get(path)

    with django_assert_max_num_queries(WARM_BUDGET):
        many = count_queries(client, path)
    assert many == few


@pytest.mark.django_db
def test_a_publish_renews_the_fragments(
    client, article, django_capture_on_commit_callbacks
):
    client.get("/")
    client.get(article.url)
    newcomer = ArticlePageFactory(parent=article.get_parent(), title="Ferry returns")
    article.title = "Bridge repairs finish early"

    with django_capture_on_commit_callbacks(execute=True):
        newcomer.save_revision().publish()
        article.save_revision().publish()

    assert "Ferry returns" in client.get("/").content.decode()
    assert "Bridge repairs finish early" in client.get(article.url).content.decode()


@pytest.mark.django_db
def test_a_private_section_is_served_by_wagtail_with_its_password_form(
    client, article, django_capture_on_commit_callbacks
):
    assert client.get(article.url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=article.get_parent(),
            restriction_type=PageViewRestriction.PASSWORD,
            password="s3cret",
        )

    response = client.get(article.url)
    assert "password" in response.content.decode().lower()
    assert article.title not in response.content.decode()
    assert "Bridge repairs start" not in client.get("/news/").content.decode()


@pytest.mark.django_db
def test_a_route_of_the_home_page_wins_over_a_section_at_its_path(client, article):
    SectionPageFactory(title="Latest", slug="latest")

    html = client.get("/latest/").content.decode()

    assert article.title in html  # the Latest river, not the empty section


@pytest.mark.django_db
def test_an_unknown_path_is_still_a_404(client, article):
    assert client.get("/news/no-such-story/").status_code == 404
