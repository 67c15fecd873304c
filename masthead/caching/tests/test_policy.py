from django.http import HttpResponse
from django.test import RequestFactory

from masthead.caching import policy

rf = RequestFactory()


def test_anonymous_reads_of_reader_pages_may_be_shared():
    assert policy.request_is_cacheable(rf.get("/news/bridge/"))
    assert policy.request_is_cacheable(rf.head("/"))
    assert policy.request_is_cacheable(rf.get("/feeds/rss.xml"))


def test_writes_readers_own_pages_and_the_admin_are_never_shared():
    assert not policy.request_is_cacheable(rf.post("/news/bridge/"))
    for path in ("/admin/", "/newsletter/confirm/x/", "/donate/", "/views/1/"):
        assert not policy.request_is_cacheable(rf.get(path)), path


def test_a_session_or_a_flash_message_bypasses_the_shared_copy():
    for cookie in ("sessionid", "messages"):
        request = rf.get("/")
        request.COOKIES[cookie] = "x"
        assert not policy.request_is_cacheable(request)
    request = rf.get("/")
    request.COOKIES["csrftoken"] = "x"  # a token alone changes nothing we show
    assert policy.request_is_cacheable(request)


def test_only_plain_200_pages_without_cookies_or_tokens_are_kept():
    request = rf.get("/")
    assert policy.response_is_cacheable(request, HttpResponse("ok"))
    assert not policy.response_is_cacheable(request, HttpResponse(status=404))
    with_cookie = HttpResponse("ok")
    with_cookie.set_cookie("tracking", "1")
    assert not policy.response_is_cacheable(request, with_cookie)
    own_policy = HttpResponse("ok", headers={"Cache-Control": "no-store"})
    assert not policy.response_is_cacheable(request, own_policy)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # a form token was rendered
    assert not policy.response_is_cacheable(request, HttpResponse("ok"))


def test_shared_pages_vary_on_encoding_not_on_cookies(settings):
    settings.MASTHEAD_PAGE_CACHE_SECONDS = 900
    response = HttpResponse("ok", headers={"Vary": "Cookie, Accept-Language"})
    policy.mark_shared(response)
    assert response["Vary"] == "Accept-Language, Accept-Encoding"
    control = response["Cache-Control"]
    assert control.startswith("public, max-age=0, s-maxage=900,")
    assert "stale-while-revalidate=" in control and "stale-if-error=" in control
