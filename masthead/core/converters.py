"""The `<id:...>` path converter: a database id, or no match (a 404).

Django's `<int:...>` takes any run of digits, and a number past 64 bits reaches
the database: SQLite raises OverflowError on it (a 500) when the lookup goes
through a parent link such as an ArticlePage's page_ptr. Eighteen digits are
always below 2**63, so a longer id can name no row and is simply not found.
"""

from django.urls import register_converter


class DatabaseIdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(DatabaseIdConverter, "id")
