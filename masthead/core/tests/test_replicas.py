from django.http import HttpResponse
from django.test import RequestFactory

from masthead.caching.middleware import PageCacheMiddleware
from masthead.core import replicas
from masthead.news.models import ArticlePage

router = replicas.PrimaryReplicaRouter()
rf = RequestFactory()


def with_replica(monkeypatch):
    monkeypatch.setattr(replicas, "has_replica", lambda: True)


def test_without_a_replica_everything_uses_the_primary():
    with replicas.replica_reads():
        assert router.db_for_read(ArticlePage) == "default"


def test_only_reads_inside_a_readers_request_go_to_the_replica(monkeypatch):
    with_replica(monkeypatch)
    assert router.db_for_read(ArticlePage) == "default"  # tasks, commands
    with replicas.replica_reads():
        assert router.db_for_read(ArticlePage) == "replica"
        assert router.db_for_write(ArticlePage) == "default"
    assert router.db_for_read(ArticlePage) == "default"
    assert router.allow_migrate("replica", "news") is False


def test_anonymous_page_views_read_the_replica_editors_and_posts_do_not(
    settings, monkeypatch
):
    with_replica(monkeypatch)
    settings.MASTHEAD_PAGE_CACHE = False
    seen = []

    def view(request):
        seen.append(router.db_for_read(ArticlePage))
        return HttpResponse("<p>page</p>")

    middleware = PageCacheMiddleware(view)
    middleware(rf.get("/news/story/"))
    middleware(rf.post("/news/story/"))
    signed_in = rf.get("/news/story/")
    signed_in.COOKIES["sessionid"] = "editor"
    middleware(signed_in)
    middleware(rf.get("/admin/pages/"))
    assert seen == ["replica", "default", "default", "default"]
