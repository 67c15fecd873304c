import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Page
from wagtail.test.utils import WagtailTestUtils

from masthead.news.models import ArticlePage, HomePage, SectionPage, SeriesPage

from .factories import ArticlePageFactory, SeriesPageFactory, home_page


class TestPageTree(WagtailTestUtils):
    @pytest.fixture(autouse=True)
    def _tree(self, db):
        pass

    def test_home_page_is_the_default_sites_root(self):
        assert isinstance(home_page(), HomePage)

    def test_sections_live_under_home_and_articles_under_sections(self):
        assert ArticlePage in SectionPage.allowed_subpage_models()
        assert SectionPage in HomePage.allowed_subpage_models()
        assert SeriesPage in SectionPage.allowed_subpage_models()
        assert ArticlePage not in HomePage.allowed_subpage_models()
        assert HomePage.allowed_subpage_models() == [SectionPage, SeriesPage]
        assert ArticlePage.allowed_subpage_models() == []

    def test_there_can_be_only_one_home_page(self):
        root = Page.get_first_root_node()
        assert not HomePage.can_create_at(root)


@pytest.mark.django_db
class TestArticleValidation:
    def test_episode_number_without_series_is_refused(self, section):
        article = ArticlePageFactory.build(episode_number=3)

        with pytest.raises(ValidationError) as error:
            article.clean()
        assert "series" in error.value.message_dict

    def test_series_without_episode_number_is_refused(self, section):
        series = SeriesPageFactory()
        article = ArticlePageFactory.build(series=series)

        with pytest.raises(ValidationError) as error:
            article.clean()
        assert "episode_number" in error.value.message_dict

    def test_duplicate_episode_number_names_the_existing_episode(self, section):
        series = SeriesPageFactory()
        ArticlePageFactory(
            parent=section,
            series=series,
            episode_number=37,
            title="The first thirty-seventh",
        )
        clash = ArticlePageFactory.build(series=series, episode_number=37)

        with pytest.raises(ValidationError) as error:
            clash.clean()
        assert "The first thirty-seventh" in str(error.value.message_dict)

    def test_syndication_urls_need_their_names(self, section):
        article = ArticlePageFactory.build(
            original_url="https://example.org/a", via_url="https://example.net/b"
        )

        with pytest.raises(ValidationError) as error:
            article.clean()
        assert {"original_publication", "via_source"} <= set(error.value.message_dict)

    def test_audio_file_and_audio_url_are_exclusive(self, section):
        from django.core.files.base import ContentFile
        from wagtail.documents.models import Document

        doc = Document.objects.create(
            title="Episode audio", file=ContentFile(b"ID3", name="ep.mp3")
        )
        article = ArticlePageFactory.build(
            audio_file=doc, audio_url="https://example.org/ep.mp3"
        )

        with pytest.raises(ValidationError) as error:
            article.clean()
        assert "audio_url" in error.value.message_dict


@pytest.mark.django_db
def test_authors_keep_their_order(section):
    from .factories import AuthorFactory

    first, second = AuthorFactory(name="Zed"), AuthorFactory(name="Abe")
    article = ArticlePageFactory(parent=section, authors=[first, second])

    assert ArticlePage.objects.get(pk=article.pk).authors == [first, second]


@pytest.mark.django_db
def test_published_articles_are_found_by_search(section):
    ArticlePageFactory(
        parent=section,
        title="Ferry fares rise",
        standfirst="Crossing the estuary will cost more.",
    )
    ArticlePageFactory(parent=section, title="Library hours extended")

    results = [page.title for page in ArticlePage.objects.live().search("estuary")]

    assert results == ["Ferry fares rise"]
