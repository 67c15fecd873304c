import pytest

from masthead.news.tests.factories import ArticlePageFactory


@pytest.fixture
def story(section, author):
    """Make a live story in the News section by Ada Reyes."""

    def make(title="Council votes on budget", **kwargs):
        kwargs.setdefault("authors", [author])
        return ArticlePageFactory(parent=section, title=title, **kwargs)

    return make
