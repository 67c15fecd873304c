"""Inputs found by the fuzz suite (tests/fuzz/) that once caused a server error."""

import pytest

from masthead.analytics.tests.fixtures import beacon_headers

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["", "seen.gif"])
def test_a_page_id_past_64_bits_is_not_found(client, path):
    response = client.get(f"/views/99999999999999999999/{path}", **beacon_headers())
    assert response.status_code == 404


def test_the_beacon_still_counts_an_ordinary_id(client, article):
    response = client.post(f"/views/{article.pk}/", **beacon_headers())
    assert response.status_code == 204
