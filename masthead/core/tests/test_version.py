import pytest

from masthead import __version__


@pytest.mark.django_db
def test_the_admin_home_page_shows_the_version(client, writer):
    client.force_login(writer)
    html = client.get("/admin/").content.decode()

    assert f"Masthead {__version__} on Wagtail" in html
