"""In a real browser: from the home page to the printable questionnaire of the thb-2016 round."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from surveys.models import Survey
from surveys.services import survey_set_status


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_visitor_opens_the_thb_2016_questionnaire_from_the_home_page(
    page: Page, live_server, load_shipped, tmp_path: Path
) -> None:
    survey = survey_set_status(survey=load_shipped("thb-2016"), status=Survey.Status.OPEN)

    page.goto(live_server.url + "/")
    card = page.locator(f'[data-survey="{survey.slug}"]')
    expect(card).to_contain_text(survey.title["en"])
    card.get_by_role("link", name="Questionnaire").click()

    page.wait_for_url(f"**/rounds/{survey.slug}/questionnaire/")
    expect(page.get_by_role("heading", level=1)).to_have_text(survey.title["en"])
    question = page.locator('[data-question="PRV.SUP.01"]')
    expect(question).to_be_visible()
    expect(question).to_contain_text("PRV.SUP.01")
    matrix = page.locator('[data-question="PRO.LEG.04"] table')
    expect(matrix).to_be_visible()
    rows = matrix.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("sexual_exploitation")
    expect(rows.nth(1)).to_contain_text("labour_exploitation")
    expect(matrix.locator("thead th")).to_have_count(1 + 5)  # the row heading column and the five YNP options

    screenshot = tmp_path / "questionnaire.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 0
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
