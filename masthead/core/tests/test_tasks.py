import pytest
from django.db import connection

from masthead.core.tasks import optimize_database_task
from masthead.news.tests.factories import ArticlePageFactory

pytestmark = pytest.mark.django_db


def test_the_database_keeps_its_planner_statistics(section):
    for n in range(30):
        ArticlePageFactory(parent=section, title=f"Story {n}")
    result = optimize_database_task.enqueue().return_value
    if connection.vendor != "sqlite":
        assert result == "not needed"
        return
    assert result == "optimized"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        assert cursor.fetchone()[0] == 1
