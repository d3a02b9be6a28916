"""In a real browser at 1280 px: the staff navigation bar fits on one line, also with a long address, loses none of
its links (the round's own pages, "Dashboard" and "Responses", are in the round's navigation on its pages), marks
the current page and passes axe-core."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Browser, expect

from responses.tests.browser_helpers import PASSWORD, SLUG, ensure_states, open_round
from tests.a11y import assert_accessible
from tests.otp_helpers import browser_log_in_with_code, confirmed_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# A long address, as Office addresses are: the bar must not grow a second line for it.
STAFF = "trafficking.office.staff@osce.example.org"

# Every link and button of the bar, by its accessible name; the links of the round's navigation.
LINKS = ["oscethb", "Survey rounds", "Staff home", "Administration", "Two-factor"]
BUTTONS = ["Change language", "Log out"]
ROUND_LINKS = ["Dashboard", "Responses", "Excel summary", "Draft report"]


def _rows(page: Any) -> list[dict[str, float]]:
    """The box of every visible item of the bar (links, buttons, the language list, the address)."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
                 'nav.site-nav a, nav.site-nav button, nav.site-nav select, nav.site-nav [data-account]')]
               .filter(e => e.offsetParent !== null)
               .map(e => { const r = e.getBoundingClientRect();
                           return {text: (e.innerText || e.value).split('\\n')[0], middle: r.top + r.height / 2,
                                   height: r.height, width: r.width}; })"""
    )


def test_the_staff_bar_fits_one_line_at_1280_px_with_every_link(browser: Browser, live_server: Any) -> None:
    ensure_states()
    open_round()
    staff = get_user_model().objects.create_user(username=STAFF, email=STAFF, password=PASSWORD, is_staff=True)
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        browser_log_in_with_code(page, live_server.url, STAFF, PASSWORD, confirmed_device(staff))
        page.goto(f"{live_server.url}/staff/rounds/{SLUG}/dashboard/")
        nav = page.locator("nav.site-nav")
        for name in LINKS:
            expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
        for name in BUTTONS:
            expect(nav.get_by_role("button", name=name, exact=True)).to_be_visible()
        expect(nav.get_by_role("combobox", name="Language")).to_be_visible()
        account = nav.locator("[data-account]")
        expect(account).to_be_visible()
        expect(account).to_contain_text(f"Logged in as {STAFF}")  # the whole address, for screen readers
        assert account.locator("[title]").get_attribute("title") == STAFF
        round_nav = page.locator("[data-round-nav]")
        for name in ROUND_LINKS:
            expect(round_nav.get_by_role("link", name=name, exact=True)).to_be_visible()
        expect(round_nav.get_by_role("link", name="Dashboard", exact=True)).to_have_attribute("aria-current", "page")

        items = _rows(page)
        middles = [item["middle"] for item in items]
        assert max(middles) - min(middles) <= 8, f"the bar wraps onto several lines: {items}"
        tall = [item for item in items if item["height"] > 44]
        assert not tall, f"items whose text wraps onto a second line: {tall}"
        assert page.evaluate("() => document.querySelector('nav.site-nav').getBoundingClientRect().height") <= 72
        assert_accessible(page)

        nav.get_by_role("link", name="Staff home", exact=True).click()
        page.wait_for_url(re.compile(r"/staff/$"))
        expect(nav.get_by_role("link", name="Staff home", exact=True)).to_have_attribute("aria-current", "page")
        nav.get_by_role("link", name="Two-factor", exact=True).click()
        page.wait_for_url(re.compile(r"/two-factor/|/account/"))
        expect(nav.get_by_role("link", name="Two-factor", exact=True)).to_have_attribute("aria-current", "page")
        assert_accessible(page)
    finally:
        context.close()
