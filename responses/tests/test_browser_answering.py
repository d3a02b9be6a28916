"""In a real browser: answering the 2015/16 round for Austria — autosave, show-if, progress, review and submit,
roles, another State's coordinator, two people editing the same answer, and a breakdown table's totals."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import Organisation, Role
from responses.models import AnswerChange, Response, ResponseEvent
from responses.services import response_get_or_create
from surveys.models import Survey

from .browser_helpers import (
    TIMEOUT,
    answer,
    cell,
    choose,
    ensure_response,
    ensure_states,
    eventually,
    fill_required,
    home_url,
    is_autosave,
    log_in,
    member,
    open_round,
    question,
    radio,
    required_visible_codes,
    response_of,
    review_url,
    save_state,
    section_url,
    stored,
)

# transaction=True: the live server answers from another thread, so it must see committed data.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def survey() -> Survey:
    ensure_states()
    return open_round()


@pytest.fixture
def austria(survey: Survey) -> Organisation:
    return Organisation.objects.get(code="AT")


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    """Pages in separate browser contexts (separate cookies: another person), closed after the test."""
    contexts: list[BrowserContext] = []

    def make() -> Page:
        context = browser.new_context()
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def checked(page: Page, code: str, value: str, row: str = "") -> None:
    expect(radio(page, code, value, row)).to_be_checked(timeout=TIMEOUT)


# --- 1. answering with autosave ------------------------------------------------------------------------------------


def test_coordinator_answers_two_sections_and_autosave_keeps_the_answers(
    page: Page, live_server, survey: Survey, austria: Organisation, tmp_path: Path
) -> None:
    base = live_server.url
    member(austria, Role.COORDINATOR, "coordinator@at.example.org")
    log_in(page, base, "coordinator@at.example.org")

    page.goto(home_url(base))
    count = page.locator("[data-progress-count]")
    required = len(required_visible_codes(ensure_response(survey, austria)))
    expect(count).to_have_text(f"0 / {required}")
    expect(page.locator('[data-section="PRO.LEG"] [data-section-progress]')).to_have_text("0 / 4")
    expect(page.locator("[data-response-status]")).to_have_attribute("data-response-status", "not_started")

    # PRO.LEG: a single choice and a matrix (one choice per row).
    page.locator('[data-section="PRO.LEG"]').click()
    page.wait_for_url(section_url(base, "PRO.LEG"), timeout=TIMEOUT)
    expect(page.locator("[data-readonly]")).to_have_count(0)
    choose(page, "PRO.LEG.01", "yes")
    expect(save_state(page, "PRO.LEG.01")).to_contain_text("Saved")
    choose(page, "PRO.LEG.04", "yes", row="sexual_exploitation")
    choose(page, "PRO.LEG.04", "no", row="labour_exploitation")
    expect(page.locator("[data-progress-count]")).to_have_text(f"2 / {required}", timeout=TIMEOUT)  # oob swap

    screenshot = tmp_path / "section-PRO.LEG.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 0
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    page.reload()
    checked(page, "PRO.LEG.01", "yes")
    checked(page, "PRO.LEG.04", "yes", row="sexual_exploitation")
    checked(page, "PRO.LEG.04", "no", row="labour_exploitation")
    expect(radio(page, "PRO.LEG.01", "no")).not_to_be_checked()
    expect(question(page, "PRO.LEG.01").locator("[data-last-changed]")).to_contain_text("coordinator@at.example.org")

    # PRO.ENF: PRO.ENF.06 is shown only while PRO.ENF.01 is "yes" or "in process".
    page.goto(section_url(base, "PRO.ENF"))
    follow_up = question(page, "PRO.ENF.06")
    expect(follow_up).to_be_hidden()
    choose(page, "PRO.ENF.01", "yes")
    expect(follow_up).to_be_visible()
    choose(page, "PRO.ENF.01", "no")
    expect(follow_up).to_be_hidden()
    page.reload()
    checked(page, "PRO.ENF.01", "no")
    expect(follow_up).to_be_hidden()  # the server applies the same rule

    # The database holds what the page showed, with one history row per change.
    assert stored(austria, "PRO.LEG.01") == "yes"
    assert stored(austria, "PRO.LEG.04", "sexual_exploitation") == "yes"
    assert stored(austria, "PRO.LEG.04", "labour_exploitation") == "no"
    enf = answer(austria, "PRO.ENF.01")
    assert enf is not None
    assert (enf.value_text, enf.version, enf.updated_by.email) == ("no", 2, "coordinator@at.example.org")
    assert AnswerChange.objects.filter(response__organisation=austria).count() == 5
    assert response_of(austria).status == Response.Status.IN_PROGRESS

    page.goto(home_url(base))
    expect(page.locator("[data-progress-count]")).to_have_text(f"3 / {required}")
    expect(page.locator('[data-section="PRO.LEG"] [data-section-progress]')).to_have_text("2 / 4")
    expect(page.locator('[data-section="PRO.ENF"] [data-section-progress]')).to_have_text("1 / 5")
    expect(page.locator("[data-response-status]")).to_have_attribute("data-response-status", "in_progress")


# --- 2. review and submit ------------------------------------------------------------------------------------------


def test_review_blocks_submitting_until_every_required_answer_is_given(
    page: Page, live_server, survey: Survey, austria: Organisation
) -> None:
    base = live_server.url
    coordinator = member(austria, Role.COORDINATOR, "coordinator@at.example.org")
    log_in(page, base, "coordinator@at.example.org")

    page.goto(review_url(base))
    # Opening the page creates nothing (a check never writes): the first answer saved creates the response.
    response = response_get_or_create(survey=survey, organisation=austria)
    submit = page.locator("[data-submit]")
    expect(submit).to_be_disabled()
    missing = page.locator("[data-missing-question]")
    expected = required_visible_codes(response)
    assert len(expected) > 40
    expect(missing).to_have_count(len(expected))
    assert [m.get_attribute("data-missing-question") for m in missing.all()] == expected
    first = page.locator('[data-missing-question="PRO.LEG.01"] a')
    expect(first).to_have_attribute("href", "/rounds/thb-2016/respond/AT/section/PRO.LEG/#q-PRO.LEG.01")

    filled = fill_required(response, coordinator, skip={"PRO.LEG.01"})
    assert "PRO.LEG.01" not in filled
    assert "PRT.DATA.01" in filled

    page.reload()
    expect(missing).to_have_count(1)
    expect(missing).to_have_attribute("data-missing-question", "PRO.LEG.01")
    expect(submit).to_be_disabled()

    page.locator('[data-missing-question="PRO.LEG.01"] a').click()
    page.wait_for_url(section_url(base, "PRO.LEG") + "#q-PRO.LEG.01", timeout=TIMEOUT)
    expect(question(page, "PRO.LEG.01")).to_be_in_viewport()
    checked(page, "PRO.LEG.04", "yes", row="sexual_exploitation")  # filled in the database, shown on the page
    choose(page, "PRO.LEG.01", "in_process")

    page.goto(review_url(base))
    expect(page.locator("[data-review-complete]")).to_be_visible()
    expect(missing).to_have_count(0)
    expect(submit).to_be_enabled()
    submit.click()

    # The confirmation step: what is sent, section by section, and an explicit confirm button.
    page.wait_for_url(home_url(base) + "submit/", timeout=TIMEOUT)
    expect(page.locator("[data-missing-total]")).to_have_text("0")
    expect(page.locator('[data-summary-section="PRO.LEG"] [data-answered]')).to_have_text("4 / 4")
    assert response_of(austria).status == Response.Status.IN_PROGRESS  # nothing sent before confirming
    page.locator("[data-confirm-submit]").click()

    page.wait_for_url(home_url(base), timeout=TIMEOUT)
    status = page.locator("[data-response-status]")
    expect(status).to_have_attribute("data-response-status", "submitted")
    expect(status).to_have_text("Submitted")
    response.refresh_from_db()
    assert response.status == Response.Status.SUBMITTED
    assert response.submitted_by == coordinator
    assert list(ResponseEvent.objects.filter(response=response).values_list("to_status", flat=True)) == ["submitted"]

    page.goto(section_url(base, "PRO.LEG"))
    expect(page.locator("[data-readonly]")).to_contain_text("Submitted on")
    expect(radio(page, "PRO.LEG.01", "in_process")).to_be_checked()
    for box in page.locator('[data-question] input[type="radio"]').all():
        expect(box).to_be_disabled()
    expect(page.locator("[data-question][hx-post]")).to_have_count(0)
    expect(page.locator('#section-form button[name="save"]')).to_have_count(0)


# --- 3. roles ------------------------------------------------------------------------------------------------------


def test_contributor_edits_with_autosave_but_cannot_submit(
    page: Page, live_server, survey: Survey, austria: Organisation
) -> None:
    base = live_server.url
    member(austria, Role.CONTRIBUTOR, "contributor@at.example.org")
    log_in(page, base, "contributor@at.example.org")

    page.goto(section_url(base, "PRO.LEG"))
    choose(page, "PRO.LEG.01", "yes")
    saved = answer(austria, "PRO.LEG.01")
    assert saved is not None
    assert (saved.value_text, saved.updated_by.email) == ("yes", "contributor@at.example.org")

    page.goto(review_url(base))
    expect(page.locator("[data-missing-question]").first).to_be_visible()
    expect(page.locator("[data-submit]")).to_have_count(0)
    expect(page.get_by_text("Only your organisation's coordinator can submit the response.")).to_be_visible()

    # Not even by posting the form by hand.
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    refused = page.request.post(
        home_url(base) + "submit/",
        headers={"X-CSRFToken": token, "Referer": review_url(base)},
        form={"confirm": "yes"},
        max_redirects=0,
    )
    assert refused.status == 403
    assert response_of(austria).status == Response.Status.IN_PROGRESS


def test_viewer_reads_the_answers_with_every_input_disabled(
    page: Page, live_server, survey: Survey, austria: Organisation
) -> None:
    base = live_server.url
    coordinator = member(austria, Role.COORDINATOR, "coordinator@at.example.org")
    member(austria, Role.VIEWER, "viewer@at.example.org")
    fill_required(ensure_response(survey, austria), coordinator, skip={"PRO.LEG.03"})
    log_in(page, base, "viewer@at.example.org")

    page.goto(section_url(base, "PRO.LEG"))
    expect(page.locator("[data-readonly]")).to_contain_text("Your role lets you read the answers")
    checked(page, "PRO.LEG.01", "yes")
    inputs = page.locator("[data-question] input:not([type=hidden])")
    assert inputs.count() > 10
    for item in inputs.all():
        expect(item).to_be_disabled()
    expect(page.locator("[data-question][hx-post]")).to_have_count(0)
    expect(page.locator('#section-form button[name="save"]')).to_have_count(0)

    page.goto(review_url(base))
    expect(page.locator('[data-missing-question="PRO.LEG.03"]')).to_be_visible()
    expect(page.locator("[data-submit]")).to_have_count(0)


# --- 4. another State ----------------------------------------------------------------------------------------------


def test_coordinator_of_another_state_gets_404(page: Page, live_server, survey: Survey, austria: Organisation) -> None:
    base = live_server.url
    member(Organisation.objects.get(code="DE"), Role.COORDINATOR, "coordinator@de.example.org")
    log_in(page, base, "coordinator@de.example.org")

    for url in (home_url(base), section_url(base, "PRO.LEG"), review_url(base)):
        visit = page.goto(url)
        assert visit is not None
        assert visit.status == 404, url
        expect(page.locator("[data-question]")).to_have_count(0)
        expect(page.locator("body")).not_to_contain_text("Austria")
    assert not Response.objects.filter(organisation=austria).exists()

    assert page.goto(home_url(base, "DE")).status == 200  # their own State's questionnaire opens


# --- 5. two people change the same answer --------------------------------------------------------------------------


def _both_open_pro_leg(page: Page, new_page, base: str, austria: Organisation) -> tuple[Page, Page]:
    member(austria, Role.COORDINATOR, "anna@at.example.org")
    member(austria, Role.CONTRIBUTOR, "bernd@at.example.org")
    log_in(page, base, "anna@at.example.org")
    other = new_page()
    log_in(other, base, "bernd@at.example.org")
    for p in (page, other):
        p.goto(section_url(base, "PRO.LEG"))
    choose(page, "PRO.LEG.01", "yes")  # Anna saves first; Bernd's page still shows no answer
    assert stored(austria, "PRO.LEG.01") == "yes"

    with other.expect_response(is_autosave("PRO.LEG.01"), timeout=TIMEOUT):
        radio(other, "PRO.LEG.01", "no").check()
    expect(save_state(other, "PRO.LEG.01")).to_have_attribute("data-save-state", "conflict", timeout=TIMEOUT)
    box = question(other, "PRO.LEG.01").locator("[data-conflict]")
    expect(box).to_be_visible()
    expect(box).to_contain_text("anna@at.example.org")
    # In words, the options' labels (issue 9: people read labels, not the stored codes "yes"/"no").
    expect(box).to_contain_text("saved “Yes”")
    expect(box).to_contain_text("Your value “No”")
    expect(box).not_to_contain_text("“yes”")
    saved = answer(austria, "PRO.LEG.01")
    assert saved is not None
    assert (saved.value_text, saved.version) == ("yes", 1)
    return page, other


def test_conflict_keep_my_answer_overwrites_the_other_persons_answer(
    page: Page, new_page, live_server, survey: Survey, austria: Organisation
) -> None:
    _anna, bernd = _both_open_pro_leg(page, new_page, live_server.url, austria)

    with bernd.expect_response(is_autosave("PRO.LEG.01"), timeout=TIMEOUT):
        bernd.locator("[data-conflict-keep]").click()
    expect(save_state(bernd, "PRO.LEG.01")).to_have_attribute("data-save-state", "saved", timeout=TIMEOUT)
    expect(bernd.locator("[data-conflict]")).to_have_count(0)
    checked(bernd, "PRO.LEG.01", "no")

    saved = answer(austria, "PRO.LEG.01")
    assert saved is not None
    assert (saved.value_text, saved.version, saved.updated_by.email) == ("no", 2, "bernd@at.example.org")
    history = list(
        AnswerChange.objects.filter(question__code="PRO.LEG.01").values_list(
            "old_value", "new_value", "version", "changed_by__email"
        )
    )
    assert history == [("", "yes", 1, "anna@at.example.org"), ("yes", "no", 2, "bernd@at.example.org")]


def test_conflict_use_their_answer_puts_it_back_on_the_page(
    page: Page, new_page, live_server, survey: Survey, austria: Organisation
) -> None:
    _anna, bernd = _both_open_pro_leg(page, new_page, live_server.url, austria)

    with bernd.expect_response(is_autosave("PRO.LEG.01"), timeout=TIMEOUT):
        bernd.locator("[data-conflict-theirs]").click()
    expect(save_state(bernd, "PRO.LEG.01")).to_have_attribute("data-save-state", "saved", timeout=TIMEOUT)
    expect(bernd.locator("[data-conflict]")).to_have_count(0)
    checked(bernd, "PRO.LEG.01", "yes")
    expect(radio(bernd, "PRO.LEG.01", "no")).not_to_be_checked()

    saved = answer(austria, "PRO.LEG.01")
    assert saved is not None
    assert (saved.value_text, saved.version, saved.updated_by.email) == ("yes", 1, "anna@at.example.org")
    assert AnswerChange.objects.filter(question__code="PRO.LEG.01").count() == 1

    # Bernd's page is up to date now: his next change saves without a conflict.
    choose(bernd, "PRO.LEG.01", "in_process")
    saved.refresh_from_db()
    assert (saved.value_text, saved.version) == ("in_process", 2)


# --- 6. breakdown table --------------------------------------------------------------------------------------------


def test_breakdown_table_totals_follow_typing_and_the_figures_autosave(
    page: Page, live_server, survey: Survey, austria: Organisation
) -> None:
    base = live_server.url
    member(austria, Role.COORDINATOR, "coordinator@at.example.org")
    log_in(page, base, "coordinator@at.example.org")
    page.goto(section_url(base, "PRT.DATA"))

    table = question(page, "PRT.DATA.01")
    first, second = "2012.female.adult.sexual_exploitation", "2013.male.child.forced_begging"
    row_total = table.locator(f'tr[data-row="{first}"] [data-row-total]')
    second_total = table.locator(f'tr[data-row="{second}"] [data-row-total]')
    grand = table.locator("[data-grand-total]")
    expect(grand).to_have_text("—")  # no figure anywhere yet: no total, not 0

    cell(page, "PRT.DATA.01", first, "national").fill("5")
    expect(row_total).to_have_text("5")
    cell(page, "PRT.DATA.01", first, "foreign").fill("7")
    expect(row_total).to_have_text("12")
    expect(grand).to_have_text("12")
    cell(page, "PRT.DATA.01", second, "foreign").press_sequentially("30")
    expect(second_total).to_have_text("30")
    expect(table.locator('[data-column-total="0"]')).to_have_text("5")
    expect(table.locator('[data-column-total="1"]')).to_have_text("37")
    expect(grand).to_have_text("42")

    expect(save_state(page, "PRT.DATA.01")).to_have_attribute("data-save-state", "saved", timeout=TIMEOUT)
    eventually(
        lambda: (
            (
                stored(austria, "PRT.DATA.01", first, "national"),
                stored(austria, "PRT.DATA.01", first, "foreign"),
                stored(austria, "PRT.DATA.01", second, "foreign"),
            )
            == (5, 7, 30)
        ),
        message="the three figures were not saved",
    )

    # A figure changed after it was saved is saved again (the page knows the new version: no conflict).
    with page.expect_response(is_autosave("PRT.DATA.01"), timeout=TIMEOUT):
        cell(page, "PRT.DATA.01", first, "national").fill("6")
    expect(save_state(page, "PRT.DATA.01")).to_have_attribute("data-save-state", "saved", timeout=TIMEOUT)
    expect(grand).to_have_text("43")
    changed = answer(austria, "PRT.DATA.01", first, "national")
    assert changed is not None
    assert (int(changed.value_number), changed.version) == (6, 2)

    page.reload()
    expect(cell(page, "PRT.DATA.01", first, "national")).to_have_value("6")
    expect(cell(page, "PRT.DATA.01", second, "foreign")).to_have_value("30")
    expect(row_total).to_have_text("13")
    expect(grand).to_have_text("43")
    expect(cell(page, "PRT.DATA.01", second, "national")).to_have_value("")
    assert not answer(austria, "PRT.DATA.01", second, "national")  # an empty cell is not stored


def test_an_autosave_sends_only_its_own_question(
    page: Page, live_server, survey: Survey, austria: Organisation
) -> None:
    """The section form holds every question; an autosave must not post the others (PRT.DATA has 1,000+ fields)."""
    base = live_server.url
    member(austria, Role.COORDINATOR, "payload@at.example.org")
    log_in(page, base, "payload@at.example.org")
    page.goto(section_url(base, "PRO.LEG"))
    with page.expect_request(
        lambda r: "/autosave/PRO.LEG.01/" in r.url and r.method == "POST", timeout=TIMEOUT
    ) as sent:
        radio(page, "PRO.LEG.01", "no").check()
    body = sent.value.post_data or ""
    assert "PRO.LEG.01" in body
    assert "PRO.LEG.04" not in body
    assert "PRO.LEG.02" not in body
    expect(save_state(page, "PRO.LEG.01")).to_contain_text("Saved")
