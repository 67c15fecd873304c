"""Fault tests: the app on private Redis and PostgreSQL that the tests stop."""

from .services import private_postgres, private_redis, served

__all__ = ["private_postgres", "private_redis", "served"]
