import pytest

from masthead.demo.services import generate_demo

SEED = 7
ARTICLES = 30


@pytest.fixture
def demo(db):
    """A site filled by the demo generator: 30 stories from seed 7."""
    return generate_demo(ARTICLES, seed=SEED)
