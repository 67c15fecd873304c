import pytest


@pytest.mark.django_db
def test_article_renders_headline_byline_and_date(client, article):
    response = client.get(article.url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Bridge repairs start" in html
    assert 'href="/authors/ada-reyes/"' in html
    assert "Published on" in html
