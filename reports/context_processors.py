"""Template context for every page: `published_results`, whether any round's results are public (for the front
page's link). A callable, so that the one query runs only on a page that asks."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from .publication.selectors import any_publication_live


def published_results(request: HttpRequest) -> dict[str, Callable[[], bool]]:
    return {"published_results": any_publication_live}
