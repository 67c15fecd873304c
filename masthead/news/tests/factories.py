import factory
import wagtail_factories
from django.utils import timezone
from wagtail.models import Site

from masthead.news.models import (
    ArticleAuthor,
    ArticlePage,
    Author,
    HomePage,
    SectionPage,
    SeriesPage,
)


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Reporter {n}")
    slug = factory.Sequence(lambda n: f"reporter-{n}")
    bio = "Covers local politics."


def home_page() -> HomePage:
    return Site.objects.get(is_default_site=True).root_page.specific


class SectionPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = SectionPage

    title = factory.Sequence(lambda n: f"Section {n}")
    show_in_menus = True
    parent = factory.LazyFunction(home_page)


class SeriesPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = SeriesPage

    title = factory.Sequence(lambda n: f"Weekly Show {n}")
    parent = factory.LazyFunction(home_page)


class ArticlePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ArticlePage
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Council votes on budget {n}")
    standfirst = "The vote came after a long night of debate."
    body = factory.LazyFunction(
        lambda: [("paragraph", "<p>The council met on Tuesday.</p>")]
    )
    first_published_at = factory.LazyFunction(timezone.now)
    parent = factory.SubFactory(SectionPageFactory)

    @factory.post_generation
    def authors(obj, create, extracted, **kwargs):
        if not create:
            return
        authors = extracted if extracted is not None else [AuthorFactory()]
        for order, author in enumerate(authors):
            ArticleAuthor.objects.create(page=obj, author=author, sort_order=order)
