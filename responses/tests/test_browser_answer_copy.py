"""In a real browser at phone width: a coordinator follows "All our answers" from the round home, reads every answer
in words, downloads the PDF, then submits through the confirmation page; every page passes axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import Organisation, Role
from responses.models import Response
from surveys.models import Survey
from tests.a11y import PHONE, assert_accessible, assert_no_sideways_scroll

from .browser_helpers import (
    TIMEOUT,
    ensure_response,
    ensure_states,
    fill_required,
    home_url,
    log_in,
    member,
    open_round,
    response_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(**PHONE, bypass_csp=True, accept_downloads=True)
    yield context.new_page()
    context.close()


def test_coordinator_reads_all_answers_downloads_the_pdf_and_submits_after_confirming(
    phone_page: Page, live_server
) -> None:
    ensure_states()
    survey: Survey = open_round()
    austria = Organisation.objects.get(code="AT")
    coordinator = member(austria, Role.COORDINATOR, "coordinator@at.example.org")
    fill_required(ensure_response(survey, austria), coordinator, skip=set())
    page, base = phone_page, live_server.url
    log_in(page, base, "coordinator@at.example.org")

    page.goto(home_url(base))
    page.locator("[data-copy-link]").click()
    page.wait_for_url(home_url(base) + "answers/", timeout=TIMEOUT)
    expect(page.locator('[data-question="PRO.LEG.01"]')).to_have_attribute("data-answered", "yes")
    expect(page.locator("[data-copy-table]").first).to_be_visible()
    assert_no_sideways_scroll(page)
    assert_accessible(page, "All our answers")

    with page.expect_download(timeout=30_000) as download:
        page.locator("[data-copy-pdf]").click()
    assert download.value.suggested_filename == "thb-2016-AT-answers.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")

    page.goto(home_url(base) + "review/")
    page.locator("[data-submit]").click()
    page.wait_for_url(home_url(base) + "submit/", timeout=TIMEOUT)
    expect(page.locator("[data-missing-total]")).to_have_text("0")
    assert_no_sideways_scroll(page)
    assert_accessible(page, "the submit confirmation")
    assert response_of(austria).status == Response.Status.IN_PROGRESS
    page.locator("[data-confirm-submit]").click()
    page.wait_for_url(home_url(base), timeout=TIMEOUT)
    assert response_of(austria).status == Response.Status.SUBMITTED
