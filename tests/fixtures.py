"""Fixtures shared by every app's tests, one home instead of a copy in each module (registered as a plugin by the
root conftest).

    small_round  the small round of the unit tests (tests/data/small.yaml): one question of every answer type

The browser tests':
    survey     the shipped 2015/16 round, open, with the directory of States (a transactional test flushed it)
    austria    Austria, with that round loaded
    new_page   pages in their own browser contexts (own cookies: another person); keyword arguments go to
               `browser.new_context`; closed after the test
    axe_page   a page whose context lets axe-core be injected (the site's CSP refuses injected scripts)
    phone      the same at phone size (tests.a11y.PHONE), accepting downloads

A module that needs another round or other people defines its own fixture of the same name, which wins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

    from responses.models import Organisation
    from surveys.models import Survey


@pytest.fixture
def small_round(db: None) -> Survey:
    from tests.scenario import SMALL, load_round

    return load_round(SMALL)


@pytest.fixture
def survey() -> Survey:
    from responses.tests.browser_helpers import ensure_states, open_round

    ensure_states()
    return open_round()


@pytest.fixture
def austria(survey: Survey) -> Organisation:
    from responses.models import Organisation

    return Organisation.objects.get(code="AT")


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    contexts: list[BrowserContext] = []

    def make(**context_args: Any) -> Page:
        context = browser.new_context(**context_args)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def axe_page(new_page: Callable[..., Page]) -> Page:
    return new_page(bypass_csp=True)


@pytest.fixture
def phone(new_page: Callable[..., Page]) -> Page:
    from tests.a11y import PHONE

    return new_page(**PHONE, bypass_csp=True, accept_downloads=True)
