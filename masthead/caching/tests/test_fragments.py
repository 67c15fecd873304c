from unittest import mock

from masthead.caching import fragments, generations


def test_a_fragment_is_kept_until_the_content_changes():
    renders = []

    def render():
        renders.append(1)
        return f"<ul>{len(renders)}</ul>"

    assert fragments.cached_html("trending", render) == "<ul>1</ul>"
    assert fragments.cached_html("trending", render) == "<ul>1</ul>"
    fragments.bump_content_version()
    assert fragments.cached_html("trending", render) == "<ul>2</ul>"


def test_a_request_reads_the_content_version_once():
    with (
        mock.patch.object(generations, "current", wraps=generations.current) as reads,
        fragments.one_version_per_request(),
    ):
        first = fragments.content_version()
        assert fragments.content_version() == first
        assert reads.call_count == 1
        fragments.bump_content_version()  # a publish inside the request
        assert fragments.content_version() != first
    assert reads.call_count == 2


def test_outside_a_request_every_read_asks_the_cache():
    before = fragments.content_version()
    generations.bump(fragments.VERSION_KEY)  # another process publishes
    assert fragments.content_version() != before


def test_an_evicted_version_never_comes_back_as_an_old_one():
    old = fragments.content_version()
    generations.page_cache().delete(fragments.VERSION_KEY)
    assert fragments.content_version() not in (old, "0")


def test_a_value_read_once_is_answered_from_this_process():
    reads = []
    key = f"facts:{fragments.content_version()}"
    fragments.remembered(key, lambda: reads.append(1) or {"private": ["0001"]})
    with mock.patch.object(fragments, "page_cache", side_effect=ConnectionError):
        copy = fragments.remembered(key, lambda: reads.append(1) or {})
    assert copy == {"private": ["0001"]} and reads == [1]
    copy["private"].append("0002")  # a caller's change stays its own
    assert fragments.remembered(key, dict) == {"private": ["0001"]}


def test_local_copies_expire_and_keep_the_most_recent():
    copies = fragments.LocalCopies(size=2)
    copies.put("a", "<p>a</p>", 60)
    copies.put("b", "<p>b</p>", 60)
    copies.get("a")
    copies.put("c", "<p>c</p>", 60)  # "b" was used least recently
    assert copies.get("b") is None and copies.get("a") == "<p>a</p>"
    copies.put("gone", "<p>x</p>", -1)
    assert copies.get("gone") is None
