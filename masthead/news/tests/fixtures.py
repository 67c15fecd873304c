"""Story fixtures shared by every app's tests (loaded by the root conftest)."""

import pytest

from masthead.news.tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    SectionPageFactory,
)


@pytest.fixture
def section(db):
    return SectionPageFactory(title="News", slug="news")


@pytest.fixture
def author(db):
    return AuthorFactory(name="Ada Reyes", slug="ada-reyes")


@pytest.fixture
def article(section, author):
    return ArticlePageFactory(
        parent=section,
        title="Bridge repairs start",
        slug="bridge-repairs",
        authors=[author],
    )
