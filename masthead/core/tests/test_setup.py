import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings

from masthead.core.services import ensure_local_admin


@pytest.fixture
def embedded(settings, tmp_path):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.mark.django_db
def test_local_admin_is_created_once_and_can_log_in(embedded):
    first = ensure_local_admin()
    second = ensure_local_admin()

    assert first.created and not second.created
    assert first.password == second.password
    # The login throttle (axes) needs the request a sign-in comes with.
    sign_in = RequestFactory().post("/admin/login/")
    user = authenticate(sign_in, username=first.username, password=first.password)
    assert user is not None and user.is_superuser
    assert (embedded / "admin-credentials.txt").stat().st_mode & 0o077 == 0


@pytest.mark.django_db
def test_a_changed_password_is_replaced_and_printed_again(embedded, django_user_model):
    first = ensure_local_admin()
    user = django_user_model.objects.get(username=first.username)
    user.set_password("something-else-entirely")
    user.save()

    again = ensure_local_admin()

    assert again.password != first.password
    sign_in = RequestFactory().post("/admin/login/")
    assert authenticate(sign_in, username=again.username, password=again.password)


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_no_local_admin_outside_embedded_mode(django_user_model):
    with pytest.raises(ImproperlyConfigured, match="createsuperuser"):
        ensure_local_admin()
    assert not django_user_model.objects.exists()


@pytest.mark.django_db
def test_missing_page_gets_the_sites_404(client):
    response = client.get("/no-such-story/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_setup_loads_demo_content_only_into_an_empty_site(embedded):
    from io import StringIO

    from django.core.management import call_command

    from masthead.news.models import ArticlePage

    first, second = StringIO(), StringIO()
    call_command("masthead_setup", articles=4, seed=2, stdout=first)
    call_command("masthead_setup", articles=4, seed=2, stdout=second)

    assert ArticlePage.objects.count() == 4
    assert "loading demo content" in first.getvalue()
    assert "loading demo content" not in second.getvalue()
    password = (embedded / "admin-credentials.txt").read_text().strip()
    assert f"Password: {password}" in second.getvalue()


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_setup_outside_embedded_mode_changes_nothing(django_user_model):
    from io import StringIO

    from django.core.management import call_command

    from masthead.news.models import ArticlePage

    out = StringIO()
    call_command("masthead_setup", articles=3, stdout=out)

    assert "createsuperuser" in out.getvalue()
    assert not django_user_model.objects.exists()
    assert not ArticlePage.objects.exists()


def test_server_error_page_is_in_the_sites_look_without_details(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/broken/"))

    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert "Traceback" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "root"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("https://news.example.org", "https://news.example.org"),
        ("http://news.example.org:8080/", "http://news.example.org:8080"),
    ],
)
def test_default_site_follows_site_url(url, root):
    from masthead.core.services import sync_default_site

    assert sync_default_site(url).root_url == root


@pytest.mark.django_db
def test_a_bad_site_url_is_named():
    from masthead.core.services import sync_default_site

    with pytest.raises(ImproperlyConfigured, match="not a web address"):
        sync_default_site("news.example.org")
