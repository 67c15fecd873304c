"""Django's file cache without its zlib step, for the page cache of embedded mode.

Stored pages are gzip already and fragments are small: decompressing every hit
with zlib cost more than the rest of serving a stored page.
"""

import pickle  # nosec B403 # reads back only the files this cache wrote

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache


class PageFileCache(FileBasedCache):
    cache_suffix = ".page"  # not readable by (nor from) the zlib format

    def get(self, key, default=None, version=None):
        try:
            with open(self._key_to_file(key, version), "rb") as f:
                if not self._is_expired(f):
                    # nosemgrep: unsafe-deserialisation -- our own files, as Django's
                    return pickle.load(f)  # noqa: S301  # nosec B301
        except FileNotFoundError:
            pass
        return default

    def _write_content(self, file, timeout, value):
        file.write(
            pickle.dumps(self.get_backend_timeout(timeout), self.pickle_protocol)
        )
        file.write(pickle.dumps(value, self.pickle_protocol))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        value = self.get(key, version=version)
        if value is None:
            return False
        self.set(key, value, timeout, version)
        return True
