import pytest


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.MASTHEAD_PAGE_CACHE = True
