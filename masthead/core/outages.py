"""Telling a database that is away from a query that is wrong.

While PostgreSQL restarts or fails over, every query fails for a few seconds.
Readers and balancers are then better served by "503, try again in a moment"
than by a 500: nginx serves its stale copy, a balancer tries another process,
and a crawler comes back instead of recording an error. A broken query (SQLite's
"no such table", a constraint) is still a 500: waiting would not mend it.
"""

from django.db import InterfaceError, OperationalError

# Seconds a client is asked to wait: about what a PostgreSQL restart takes.
RETRY_AFTER_SECONDS = 10

# PostgreSQL's SQLSTATE classes for a connection lost or a server going away.
CONNECTION_EXCEPTION = "08"
SHUTTING_DOWN = {"57P01", "57P02", "57P03"}  # admin or crash shutdown, starting up
# SQLite's messages for a file that another writer holds or that is not there.
SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file")


def database_unavailable(error: BaseException | None) -> bool:
    """True when `error` says the database is unreachable for now."""
    if isinstance(error, InterfaceError):
        return True  # the connection was closed under us
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if type(cause).__module__.startswith("psycopg"):
        sqlstate = getattr(cause, "sqlstate", None)
        if sqlstate is None:
            # psycopg's own: "connection failed", "server closed the connection".
            return True
        return sqlstate.startswith(CONNECTION_EXCEPTION) or sqlstate in SHUTTING_DOWN
    message = str(error).lower()
    return any(text in message for text in SQLITE_UNAVAILABLE)
