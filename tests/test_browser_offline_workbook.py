"""In a real browser: a coordinator downloads the offline workbook from the questionnaire's page, fills it in (here
with openpyxl, as Excel would), and uploads it back; meanwhile a colleague changed one of the same answers online.
From "/" through visible links and buttons only; axe-core checks every page; the preview is checked at 390 px too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from openpyxl import load_workbook
from playwright.sync_api import expect

from accounts.models import Organisation, Role
from responses.models import AnswerChange, Source
from responses.services import answers_save
from responses.tests.browser_helpers import TIMEOUT, answer, ensure_response, member
from surveys.models import Survey
from tests.a11y import assert_accessible, assert_no_sideways_scroll
from tests.scenario import question_of
from tests.test_journeys import austria, journey, log_in, open_from_card, start_at_the_front_door, survey  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COORDINATOR, COLLEAGUE = "coordinator@at.example.org", "colleague@at.example.org"


def _fill(path: Path, changes: dict[str, str]) -> None:
    """Type a value into the first answer cell (the unlocked cell of column D) under each question's code, as a
    person would in Excel."""
    wb = load_workbook(path)
    for code, value in changes.items():
        heading = next(
            (
                (ws, cell.row)
                for ws in wb.worksheets
                for (cell,) in ws.iter_rows(min_col=2, max_col=2)
                if cell.value == code
            ),
            None,
        )
        assert heading is not None, f"{code} is not in the workbook"
        ws, row = heading
        target = next(r for r in range(row, row + 10) if ws[f"D{r}"].protection.locked is False)
        ws[f"D{target}"] = value
    wb.save(path)


def test_coordinator_downloads_fills_and_uploads_the_workbook_and_settles_a_conflict(
    journey: Any,  # noqa: F811
    live_server: Any,
    survey: Survey,  # noqa: F811
    austria: Organisation,  # noqa: F811
    tmp_path: Path,
) -> None:
    coordinator = member(austria, Role.COORDINATOR, COORDINATOR)
    colleague = member(austria, Role.CONTRIBUTOR, COLLEAGUE)
    response = ensure_response(survey, austria)
    text_question = question_of(survey, "GEN.R.02")
    answers_save(
        response=response, question=text_question, raw={("", ""): "Ministry"}, base_versions=None, user=coordinator
    )
    with translation.override("en"):
        yes = question_of(survey, "PRO.LEG.01").words.option("yes")

    j = journey()
    start_at_the_front_door(j, live_server.url)
    log_in(j, COORDINATOR)
    open_from_card(j, "AT", "Continue")
    offline = j.page.locator("[data-offline]")
    expect(offline).to_contain_text("Working offline")
    with j.page.expect_download(timeout=TIMEOUT) as download:
        offline.get_by_role("link", name="Download for offline work (Excel)").click()
    path = tmp_path / "at.xlsx"
    download.value.save_as(path)
    _fill(path, {"PRO.LEG.01": yes, "GEN.R.02": "Ministry of the Interior"})

    # Meanwhile the colleague changes the same text online.
    answers_save(
        response=response,
        question=text_question,
        raw={("", ""): "Ministry of Justice"},
        base_versions=None,
        user=colleague,
    )

    j.follow(offline.get_by_role("link", name="Upload a filled workbook"))
    j.page.get_by_label("Filled workbook (.xlsx)").set_input_files(str(path))
    j.follow(j.button("Check the workbook"))
    expect(j.page.locator('[data-workbook-change="PRO.LEG.01"]')).to_contain_text(yes)
    conflict = j.page.locator("[data-workbook-conflict]")
    expect(conflict).to_contain_text("Ministry of Justice")
    expect(conflict).to_contain_text("Ministry of the Interior")
    expect(conflict).to_contain_text(COLLEAGUE)
    assert answer(austria, "PRO.LEG.01") is None  # nothing written before the confirm

    # The same step at phone width: readable, nothing scrolls sideways.
    j.page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(j.page)
    assert_no_sideways_scroll(j.page, 390)
    j.page.set_viewport_size({"width": 1280, "height": 900})

    conflict.get_by_label("Take the workbook's value:").check()
    j.follow(j.button("Confirm and save"))
    expect(j.page.locator(".alert-success, [role=status]").first).to_contain_text("saved", timeout=TIMEOUT)
    stored = answer(austria, "PRO.LEG.01")
    assert stored is not None
    assert stored.value_text == "yes"
    stored_text = answer(austria, "GEN.R.02")
    assert stored_text is not None
    assert stored_text.value_text == "Ministry of the Interior"
    history = AnswerChange.objects.filter(response=response, source=Source.WORKBOOK).order_by("id")
    assert sorted((h.question.code, h.new_value, h.changed_by_id) for h in history) == [
        ("GEN.R.02", "Ministry of the Interior", coordinator.pk),
        ("PRO.LEG.01", "yes", coordinator.pk),
    ]
