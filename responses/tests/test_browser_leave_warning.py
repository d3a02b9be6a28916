"""In a real browser: the "Leave site? Changes you made may not be saved" warning of the answering page.

Typing and then clicking the page's own "Save" or "Save and continue" at once must never ask: the form's post carries
every value on the page. Leaving by any other way (a link) while an answer is not saved yet still warns.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Dialog, Page, expect

from accounts.models import Organisation, Role

from .browser_helpers import (
    TIMEOUT,
    cell,
    ensure_states,
    eventually,
    log_in,
    member,
    open_round,
    section_url,
    stored,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def austria() -> Organisation:
    ensure_states()
    open_round()
    return Organisation.objects.get(code="AT")


def _record_dialogs(page: Page, *, leave: bool) -> list[str]:
    """Every dialog the page opens (its type and message); the person chooses to leave, or to stay."""
    seen: list[str] = []

    def handle(dialog: Dialog) -> None:
        seen.append(f"{dialog.type}: {dialog.message}")
        if leave:
            dialog.accept()
        else:
            dialog.dismiss()

    page.on("dialog", handle)
    return seen


@pytest.mark.parametrize(
    ("button", "lands_on"),
    [("Save and continue", "PRO.LEG"), ("Save", "GEN.R")],
)
def test_typing_then_clicking_save_at_once_never_asks_to_leave_and_saves_the_value(
    page: Page, live_server, austria: Organisation, button: str, lands_on: str
) -> None:
    base = live_server.url
    member(austria, Role.COORDINATOR, "coordinator@at.example.org")
    log_in(page, base, "coordinator@at.example.org")
    page.goto(section_url(base, "GEN.R"))
    dialogs = _record_dialogs(page, leave=True)

    field = cell(page, "GEN.R.02")
    field.click()
    field.press_sequentially("Federal Ministry of the Interior, contact: A. Example")
    # At once: well within the autosave's delay, so the answer is still unsent when the button is clicked.
    page.get_by_role("button", name=re.compile(rf"^{button}\b(?! and)")).click()

    expect(page.get_by_text("Your answers are saved.")).to_be_visible(timeout=TIMEOUT)
    expect(page).to_have_url(section_url(base, lands_on))
    assert dialogs == []
    assert eventually(lambda: stored(austria, "GEN.R.02")) == "Federal Ministry of the Interior, contact: A. Example"


def test_leaving_by_a_link_with_an_unsent_answer_still_warns(page: Page, live_server, austria: Organisation) -> None:
    base = live_server.url
    member(austria, Role.COORDINATOR, "coordinator@at.example.org")
    log_in(page, base, "coordinator@at.example.org")
    page.goto(section_url(base, "GEN.R"))
    dialogs = _record_dialogs(page, leave=False)

    field = cell(page, "GEN.R.02")
    field.click()
    field.press_sequentially("Ministry of Justice")
    page.get_by_role("link", name="All sections").click()

    for _ in range(TIMEOUT // 100):  # wait_for_timeout, not sleep: the browser's events are handled meanwhile
        if dialogs:
            break
        page.wait_for_timeout(100)
    assert dialogs, "no warning before leaving with an unsent answer"
    assert dialogs[0].startswith("beforeunload")
    expect(page).to_have_url(section_url(base, "GEN.R"))  # dismissed: the person stays, the answer with them
    # Then the autosave sends it.
    assert eventually(lambda: stored(austria, "GEN.R.02")) == "Ministry of Justice"
