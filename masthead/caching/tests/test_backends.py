import time

from masthead.caching.backends import PageFileCache


def test_file_cache_keeps_values_until_they_expire(tmp_path):
    cache = PageFileCache(str(tmp_path), {})
    cache.set("page", {"body": b"\x1f\x8b gzip bytes"}, 60)
    assert cache.get("page") == {"body": b"\x1f\x8b gzip bytes"}
    assert cache.add("page", "other", 60) is False
    cache.set("brief", "soon gone", 0.05)
    time.sleep(0.1)
    assert cache.get("brief", "missing") == "missing"


def test_a_second_process_sees_a_purge(tmp_path):
    writer, reader = PageFileCache(str(tmp_path), {}), PageFileCache(str(tmp_path), {})
    writer.set("pagegen", "a", None)
    assert reader.get("pagegen") == "a"
    writer.set("pagegen", "b", None)
    assert reader.get("pagegen") == "b"
    assert reader.touch("pagegen", 60) and writer.get("pagegen") == "b"
    assert reader.touch("never-set", 60) is False
