"""A database that is away answers 503 with Retry-After; a broken query, 500."""

import sqlite3

import psycopg
import psycopg.errors
import pytest
from django.db import IntegrityError, InterfaceError, OperationalError
from django.test import Client
from django.urls import path

from masthead.core.outages import database_unavailable
from masthead.core.views import server_error


def django_error(cause: BaseException, kind=OperationalError) -> BaseException:
    # What Django's DatabaseErrorWrapper raises: its own class, the driver's cause.
    try:
        raise kind(*cause.args) from cause
    except kind as error:
        return error


@pytest.mark.parametrize(
    "cause",
    [
        psycopg.OperationalError("connection failed: Connection refused"),
        psycopg.OperationalError("server closed the connection unexpectedly"),
        psycopg.errors.AdminShutdown("terminating connection due to administrator"),
        psycopg.errors.CannotConnectNow("the database system is starting up"),
        psycopg.errors.ConnectionFailure("connection failure"),
        sqlite3.OperationalError("database is locked"),
        sqlite3.OperationalError("unable to open database file"),
    ],
    ids=lambda cause: str(cause)[:30],
)
def test_a_lost_or_refused_connection_is_an_outage(cause):
    assert database_unavailable(django_error(cause))


def test_a_closed_connection_is_an_outage():
    assert database_unavailable(InterfaceError("connection already closed"))


@pytest.mark.parametrize(
    "error",
    [
        django_error(sqlite3.OperationalError("no such table: wagtailcore_page")),
        django_error(psycopg.errors.UndefinedTable('relation "x" does not exist')),
        django_error(psycopg.errors.QueryCanceled("canceling statement")),
        django_error(psycopg.errors.UniqueViolation("duplicate"), IntegrityError),
        ValueError("not a database error"),
        None,
    ],
    ids=["sqlite-no-table", "pg-no-table", "pg-timeout", "integrity", "other", "none"],
)
def test_a_broken_query_is_not_an_outage(error):
    assert not database_unavailable(error)


def database_away(request):
    raise django_error(psycopg.errors.AdminShutdown("terminating connection"))


def query_broken(request):
    raise django_error(sqlite3.OperationalError("no such table: x"))


# This module is also the URL configuration of the two tests below.
handler500 = server_error
urlpatterns = [path("away/", database_away), path("broken/", query_broken)]


@pytest.mark.urls(__name__)
def test_readers_get_503_with_retry_after_while_the_database_is_away():
    response = Client(raise_request_exception=False).get("/away/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response["Cache-Control"] == "no-store"
    assert "back in a moment" in response.content.decode()
    assert "<script" not in response.content.decode()


@pytest.mark.urls(__name__)
def test_a_broken_query_is_still_our_500():
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Something went wrong on our side" in response.content.decode()
