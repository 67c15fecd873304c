# ruff: noqa
# Examples for `semgrep --test`: the flagged lines are wrong on purpose.
from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from masthead.news.models import ArticlePage


def orm_lookups(request, self):
    # ruleid: orm-kwargs-from-request
    ArticlePage.objects.filter(**request.GET.dict())
    # ruleid: orm-kwargs-from-request
    ArticlePage.objects.filter(**request.GET)
    # ruleid: orm-kwargs-from-request
    ArticlePage.objects.exclude(**{request.GET["field"]: "x"})
    # ruleid: orm-kwargs-from-request
    ArticlePage.objects.filter(**{f"{request.POST['field']}__icontains": "x"})
    lookup = request.GET.get("by", "title")
    # ruleid: orm-kwargs-from-request
    ArticlePage.objects.filter(**{lookup: "x"})
    filters = dict(request.GET.items())
    # ruleid: orm-kwargs-from-request
    ArticlePage.objects.filter(**filters)
    # ruleid: orm-kwargs-from-request
    ArticlePage.objects.filter(Q(**{self.request.GET["field"]: 1}))
    # ruleid: orm-kwargs-from-request
    condition = Q(**request.GET.dict())
    # ok: orm-kwargs-from-request
    condition = Q(**{"title__icontains": request.GET.get("q", "")})

    # ok: orm-kwargs-from-request
    ArticlePage.objects.filter(**{"title__icontains": request.GET.get("q", "")})
    choices = {"title": "title__icontains", "intro": "intro__icontains"}
    field = choices.get(request.GET.get("by"), "title__icontains")
    # ok: orm-kwargs-from-request
    ArticlePage.objects.filter(title__icontains=request.GET.get("q", ""))
    settings = {"live": True}
    # ok: orm-kwargs-from-request
    ArticlePage.objects.filter(**settings)


def extra(queryset):
    # ruleid: queryset-extra
    queryset.extra(where=["id > 1"])
    # ok: queryset-extra
    queryset.filter(id__gt=1)


def raw_sql(request, table, ids, name):
    with connection.cursor() as cursor:
        # ruleid: sql-built-by-formatting
        cursor.execute(f"SELECT * FROM news WHERE title = '{name}'")
        # ruleid: sql-built-by-formatting
        cursor.execute("SELECT * FROM news WHERE title = '%s'" % name)
        # ruleid: sql-built-by-formatting
        cursor.execute("SELECT * FROM " + table)
        # ruleid: sql-built-by-formatting
        cursor.execute("SELECT * FROM {}".format(table), [])
        # ruleid: sql-built-by-formatting
        cursor.executemany(f"INSERT INTO {table} VALUES (%s)", ids)

        # ok: sql-built-by-formatting
        cursor.execute("SELECT * FROM news WHERE title = %s", [name])
        # ok: sql-built-by-formatting
        cursor.execute("SELECT 1")
    # ruleid: sql-built-by-formatting
    ArticlePage.objects.raw(f"SELECT * FROM news WHERE title = '{name}'")
    # ok: sql-built-by-formatting
    ArticlePage.objects.raw("SELECT * FROM news WHERE title = %s", [name])
    # ruleid: sql-built-by-formatting
    RawSQL(f"SELECT count(*) FROM x WHERE y = {request.GET['y']}", [])
    # ok: sql-built-by-formatting
    RawSQL("SELECT count(*) FROM x WHERE y = %s", [request.GET["y"]])
