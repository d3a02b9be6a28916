"""Every page names its icon, a file the static files serve: browsers otherwise ask for /favicon.ico on every page
and log a 404 in the console (seen on every page of a newcomer's walk)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders


def test_pages_link_an_icon_that_exists(client, db) -> None:
    html = client.get("/").content.decode()
    found = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert found, "no icon linked from the page's head"
    name = found.group(1).removeprefix(settings.STATIC_URL)
    name = re.sub(r"\.[0-9a-f]{12}\.svg$", ".svg", name)  # the hashed name of the manifest storage, if any
    path = finders.find(name)
    assert path, name
    assert "<svg" in Path(path).read_text(encoding="utf-8")
