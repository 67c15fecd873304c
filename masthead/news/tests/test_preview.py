"""Every page type can be created in the admin, previewed and rendered."""

from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from masthead.news.models import ArticlePage, SectionPage

from .factories import (
    ArticlePageFactory,
    AuthorFactory,
    SectionPageFactory,
    SeriesPageFactory,
    home_page,
)


def article_form_data(author, title="Tram line opens", **extra):
    paragraph = (
        '{"blocks":[{"key":"a","text":"Crowds came.","type":"unstyled","depth":0,'
        '"inlineStyleRanges":[],"entityRanges":[]}],"entityMap":{}}'
    )
    return nested_form_data(
        {
            "title": title,
            "slug": "tram-line-opens",
            "standfirst": "The first passengers rode at dawn.",
            "body": streamfield([("paragraph", paragraph)]),
            "article_authors": inline_formset([{"author": author.pk}], min=1),
            "tags": "transport, city",
            "corrections": inline_formset([]),
            **extra,
        }
    )


class PagePreviewAndRoutingTests(WagtailPageTestCase):
    def setUp(self):
        self.login()
        self.section = SectionPageFactory(title="News", slug="news")
        self.author = AuthorFactory()
        self.article = ArticlePageFactory(parent=self.section, authors=[self.author])
        self.series = SeriesPageFactory(parent=self.section)

    def test_every_page_is_renderable_and_previewable(self):
        for page in (home_page(), self.section, self.series):
            self.assertPageIsRenderable(page)
            self.assertPageIsPreviewable(page)
        self.assertPageIsRenderable(self.article)
        self.assertPageIsPreviewable(
            self.article, post_data=article_form_data(self.author, "Preview me")
        )

    def test_home_page_routes(self):
        home = home_page()
        self.assertPageIsRoutable(home, "latest/")
        self.assertPageIsRoutable(home, f"authors/{self.author.slug}/")

    def test_article_can_be_created_through_the_admin_form(self):
        self.assertCanCreate(
            self.section,
            ArticlePage,
            article_form_data(self.author),
        )
        created = ArticlePage.objects.get(slug="tram-line-opens")
        self.assertEqual(created.authors, [self.author])

    def test_an_article_cannot_be_published_without_an_author(self):
        response = self.client.post(
            f"/admin/pages/add/news/articlepage/{self.section.pk}/",
            nested_form_data(
                {
                    "title": "No byline",
                    "slug": "no-byline",
                    "standfirst": "Nobody wrote this.",
                    "body": streamfield([]),
                    "article_authors": inline_formset([], min=1),
                    "corrections": inline_formset([]),
                    "action-publish": "publish",
                }
            ),
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(ArticlePage.objects.filter(slug="no-byline").exists())

    def test_sections_only_under_home(self):
        self.assertAllowedParentPageTypes(SectionPage, {type(home_page())})
