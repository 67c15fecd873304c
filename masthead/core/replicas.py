"""Reads of anonymous page views from a PostgreSQL read replica, when one is set.

DATABASE_REPLICA_URL adds the "replica" database. Only what a reader's GET reads
goes there: those reads tolerate a replica's lag of a second or so, and the full
page cache absorbs most of them anyway. Everything else reads the primary:
editors (they must see what they just saved), every POST (a write and the reads
around it belong together), tasks and commands.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_reads_from_replica: ContextVar[bool] = ContextVar("reads_from_replica", default=False)


def has_replica() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads():
    token = _reads_from_replica.set(has_replica())
    try:
        yield
    finally:
        _reads_from_replica.reset(token)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if _reads_from_replica.get() else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data, one behind the other

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
