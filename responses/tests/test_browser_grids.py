"""In a real browser: the breakdown table (PRT.DATA.01, 360 cells) never loses work.

A mistyped cell ("12a") is marked on its own while the figures typed beside it are saved; leaving the page and
coming back shows the figures and the mistyped cell still marked; totals leave it out and say so; a block pasted
from a spreadsheet fills the table; arrow keys and Enter move between cells; each cell is named by its labels; the
page passes axe-core and does not scroll sideways at phone width, where matrices stack.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from accounts.models import Organisation, Role
from responses.models import AnswerChange, PendingCell
from surveys.models import Survey
from tests.a11y import PHONE, assert_accessible, assert_no_sideways_scroll

from .browser_helpers import (
    TIMEOUT,
    cell,
    ensure_states,
    eventually,
    home_url,
    is_autosave,
    log_in,
    member,
    open_round,
    question,
    save_state,
    section_url,
    stored,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = "PRT.DATA.01"
FIRST, SECOND, THIRD = (
    "2012.female.adult.sexual_exploitation",
    "2012.female.adult.forced_labour_or_services",
    "2012.female.adult.domestic_servitude",
)
LAST_2012 = "2012.other_unknown.child.other"


@pytest.fixture
def survey() -> Survey:
    ensure_states()
    return open_round()


@pytest.fixture
def austria(survey: Survey) -> Organisation:
    return Organisation.objects.get(code="AT")


@pytest.fixture
def axe_page(browser: Browser) -> Iterator[Page]:
    """A page whose context lets axe-core be injected (the site's CSP refuses injected scripts)."""
    context: BrowserContext = browser.new_context(bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(**PHONE, bypass_csp=True)
    yield context.new_page()
    context.close()


def _focused_cell(page: Page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.name")


def _paste(page: Page, name: str, text: str) -> None:
    """What the browser does on Ctrl+V in a cell: a paste event carrying the clipboard's text."""
    page.locator(f'[name="{name}"]').focus()
    page.evaluate(
        """([name, text]) => {
            const input = document.querySelector('[name="' + CSS.escape(name) + '"]');
            const data = new DataTransfer();
            data.setData("text/plain", text);
            input.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        [name, text],
    )


def test_a_mistyped_cell_is_marked_and_the_figures_beside_it_are_saved_and_kept_after_leaving(
    axe_page: Page, live_server, survey: Survey, austria: Organisation
) -> None:
    page = axe_page
    base = live_server.url
    member(austria, Role.COORDINATOR, "coordinator@at.example.org")
    log_in(page, base, "coordinator@at.example.org")
    page.goto(section_url(base, "PRT.DATA"))
    table = question(page, CODE)

    # Each cell is named by its labels, in words (never by its key).
    national = page.get_by_role("textbox", name="2012, Female, Adults (18 and over), Sexual exploitation, Nationals")
    foreign = page.get_by_role(
        "textbox", name="2012, Female, Adults (18 and over), Sexual exploitation, Foreign nationals", exact=True
    )
    expect(national).to_have_attribute("name", f"{CODE}|{FIRST}|national")
    national.fill("5")
    foreign.fill("12a")
    cell(page, CODE, SECOND, "foreign").fill("30")
    status = save_state(page, CODE)
    expect(status).to_have_attribute("data-save-state", "partial", timeout=TIMEOUT)
    expect(status).to_contain_text("except 1 cell")

    # The bad cell: marked, its message next to it, listed at the top of the question with a link that focuses it.
    expect(foreign).to_have_attribute("aria-invalid", "true", timeout=TIMEOUT)
    message = page.locator(f"#{foreign.get_attribute('aria-describedby')}".replace("|", "\\|").replace(".", "\\."))
    expect(message).to_contain_text("whole number")
    expect(foreign).to_have_accessible_description(message.inner_text())
    expect(national).not_to_have_attribute("aria-invalid", "true")
    summary = table.locator("[data-cell-errors]")
    expect(summary).to_contain_text("One cell is not saved")
    national.focus()
    summary.get_by_role(
        "link", name="2012, Female, Adults (18 and over), Sexual exploitation, Foreign nationals"
    ).click()
    expect(foreign).to_be_focused()

    # Totals leave the bad cell out and say so; the year has its subtotal.
    expect(table.locator(f'tr[data-row="{FIRST}"] [data-row-total]')).to_have_text("5 (cell not counted: 1)")
    expect(table.locator(f'tr[data-row="{SECOND}"] [data-row-total]')).to_have_text("30")
    expect(table.locator('[data-column-total="1"]')).to_have_text("30 (cell not counted: 1)")
    expect(table.locator("[data-grand-total]")).to_have_text("35 (cell not counted: 1)")
    expect(table.locator('[data-subtotal="2012"] [data-subtotal-total]')).to_have_text("35 (cell not counted: 1)")
    # A row nobody filled in has no figure, not a total of 0 (the form asks for 0 only for a real zero).
    expect(table.locator('tr[data-row="2014.male.child.other"] [data-row-total]')).to_have_text("—")
    expect(table.locator('[data-subtotal="2014"] [data-subtotal-total]')).to_have_text("—")
    assert_accessible(page, "the section page with a cell marked as not saved")

    # Saving the page with the bad cell in it: the page names the question at its top, readable (colour contrast
    # included), and its link leads into the cell.
    page.get_by_role("button", name="Save", exact=True).click()
    top = page.locator("[data-page-errors]")
    expect(top).to_contain_text("one cell not saved, listed at the question", timeout=TIMEOUT)
    assert_accessible(page, "the section page saved with a cell not saved")
    top.get_by_role("link", name=re.compile(CODE)).click()
    expect(foreign).to_be_focused()

    # Leave the page by its own link, and come back.
    page.get_by_role("link", name="All sections").click()
    page.wait_for_url(home_url(base), timeout=TIMEOUT)
    page.goto(section_url(base, "PRT.DATA"))
    expect(national).to_have_value("5")
    expect(cell(page, CODE, SECOND, "foreign")).to_have_value("30")
    expect(foreign).to_have_value("12a")  # what was typed, kept to be corrected
    expect(foreign).to_have_attribute("aria-invalid", "true")
    expect(table.locator(f'tr[data-row="{FIRST}"] [data-row-total]')).to_have_text("5 (cell not counted: 1)")
    assert stored(austria, CODE, FIRST, "national") == 5
    assert stored(austria, CODE, SECOND, "foreign") == 30
    assert stored(austria, CODE, FIRST, "foreign") is None
    assert set(
        AnswerChange.objects.filter(question__code=CODE).values_list("row", "column", "new_value", "changed_by__email")
    ) == {
        (FIRST, "national", "5", "coordinator@at.example.org"),
        (SECOND, "foreign", "30", "coordinator@at.example.org"),
    }

    # The review lists the cell as not saved, by question code and labels; its link leads back into the cell.
    page.get_by_role("link", name="All sections").click()
    page.wait_for_url(home_url(base), timeout=TIMEOUT)
    page.locator("main").get_by_role("link", name="Review and submit").click()
    unsaved = page.locator("[data-pending-cells]")
    expect(unsaved).to_contain_text("1 cell holds text that was not saved")
    expect(unsaved.locator("li")).to_have_text(
        f"{CODE} · 2012, Female, Adults (18 and over), Sexual exploitation, Foreign nationals: “12a” is not saved. "
        "Enter a whole number, for example 12 (digits only, no words or decimals)."
    )
    assert_accessible(page, "the review listing a cell not saved")
    unsaved.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/section/PRT\.DATA/#id_"), timeout=TIMEOUT)
    expect(foreign).to_be_focused()
    expect(foreign).to_have_value("12a")

    # Corrected: saved, the mark and the summary go, the totals count it.
    with page.expect_response(is_autosave(CODE), timeout=TIMEOUT):
        foreign.fill("12")
    expect(save_state(page, CODE)).to_have_attribute("data-save-state", "saved", timeout=TIMEOUT)
    expect(foreign).not_to_have_attribute("aria-invalid", "true")
    expect(table.locator("[data-cell-errors]")).to_have_count(0)
    expect(table.locator("[data-grand-total]")).to_have_text("47")
    assert stored(austria, CODE, FIRST, "foreign") == 12
    assert not PendingCell.objects.exists()


def test_a_block_pasted_from_a_spreadsheet_fills_the_table_and_is_saved(
    page: Page, live_server, survey: Survey, austria: Organisation
) -> None:
    base = live_server.url
    member(austria, Role.COORDINATOR, "paste@at.example.org")
    log_in(page, base, "paste@at.example.org")
    page.goto(section_url(base, "PRT.DATA"))
    table = question(page, CODE)

    # Three rows of two cells as Excel copies them: tabs, Windows line endings, a final line break, a thousands
    # separator, and one value that is not a number.
    with page.expect_response(is_autosave(CODE), timeout=TIMEOUT):
        _paste(page, f"{CODE}|{FIRST}|national", "1\t2\r\n3\t1 234\r\n4,5\t6\r\n")
    expect(table.locator("[data-paste-status]")).to_contain_text("Pasted 6 cells")
    expect(save_state(page, CODE)).to_have_attribute("data-save-state", "partial", timeout=TIMEOUT)
    expect(cell(page, CODE, THIRD, "national")).to_have_attribute("aria-invalid", "true")
    expect(cell(page, CODE, THIRD, "national")).to_have_value("4,5")
    eventually(
        lambda: (
            [stored(austria, CODE, row, column) for row in (FIRST, SECOND, THIRD) for column in ("national", "foreign")]
            == [1, 2, 3, 1234, None, 6]
        ),
        message="the pasted block was not saved",
    )
    expect(table.locator('[data-subtotal="2012"] [data-subtotal-total]')).to_have_text("1,246 (cell not counted: 1)")

    # A block wider than the table: what does not fit is reported, not lost silently.
    with page.expect_response(is_autosave(CODE), timeout=TIMEOUT):
        _paste(page, f"{CODE}|{LAST_2012}|foreign", "7\t8\t9")
    expect(table.locator("[data-paste-status]")).to_contain_text(
        "2 cells did not fit in the table and were not pasted."
    )
    eventually(lambda: stored(austria, CODE, LAST_2012, "foreign") == 7, message="the pasted cell was not saved")


def test_arrow_keys_and_enter_move_between_cells(
    page: Page, live_server, survey: Survey, austria: Organisation
) -> None:
    base = live_server.url
    member(austria, Role.COORDINATOR, "keys@at.example.org")
    log_in(page, base, "keys@at.example.org")
    page.goto(section_url(base, "PRT.DATA"))

    start = cell(page, CODE, FIRST, "national")
    start.click()
    page.keyboard.type("12")
    page.keyboard.press("ArrowLeft")  # inside the text: the caret moves, the focus stays
    assert _focused_cell(page) == f"{CODE}|{FIRST}|national"
    page.keyboard.press("ArrowRight")  # back to the end of the text, still in the cell
    assert _focused_cell(page) == f"{CODE}|{FIRST}|national"
    page.keyboard.press("ArrowRight")  # at the end of the text: the next cell
    assert _focused_cell(page) == f"{CODE}|{FIRST}|foreign"
    page.keyboard.press("ArrowDown")
    assert _focused_cell(page) == f"{CODE}|{SECOND}|foreign"
    page.keyboard.press("Enter")  # down, never sending the page
    assert _focused_cell(page) == f"{CODE}|{THIRD}|foreign"
    assert page.url == section_url(base, "PRT.DATA")
    page.keyboard.press("ArrowLeft")  # empty cell: the caret is at the edge
    assert _focused_cell(page) == f"{CODE}|{THIRD}|national"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert _focused_cell(page) == f"{CODE}|{FIRST}|national"
    page.keyboard.press("Tab")  # Tab works as usual: the next focusable element in the page's order
    assert _focused_cell(page) == f"{CODE}|{FIRST}|foreign"
    expect(save_state(page, CODE)).to_have_attribute("data-save-state", "saved", timeout=TIMEOUT)
    assert stored(austria, CODE, FIRST, "national") == 12


UNDER_BAR = """() => {
    const bar = document.querySelector("#section-form .sticky-bottom").getBoundingClientRect();
    return document.activeElement.getBoundingClientRect().bottom - bar.top;
}"""


def _clear_of_the_bar(page: Page) -> bool:
    """Whether the focused cell ends above the bar of Save buttons stuck to the bottom of the screen, once the page
    has finished scrolling (Bootstrap scrolls smoothly)."""
    try:
        page.wait_for_function(f"() => ({UNDER_BAR})() <= 0", timeout=3000)
    except PlaywrightTimeoutError:
        return False
    return True


@pytest.mark.parametrize("width", [1280, 800])  # below 768 px the bar does not stick: it ends the form
def test_a_cell_reached_with_enter_is_never_hidden_under_the_bar_of_save_buttons(
    browser: Browser, live_server, survey: Survey, austria: Organisation, width: int
) -> None:
    """The newcomer walk pressed Enter down a table and typed into a cell it could not see (WCAG 2.4.11)."""
    context = browser.new_context(viewport={"width": width, "height": 844}, bypass_csp=True)  # to wait by a script
    try:
        page = context.new_page()
        base = live_server.url
        member(austria, Role.COORDINATOR, f"bar{width}@at.example.org")
        log_in(page, base, f"bar{width}@at.example.org")
        page.goto(section_url(base, "PRT.DATA"))
        expect(question(page, CODE).locator("[data-grand-total]")).not_to_be_empty()  # the page's script is ready
        cell(page, CODE, FIRST, "national").click()
        for step in range(30):
            page.keyboard.press("Enter")
            assert _clear_of_the_bar(page), f"after {step + 1} presses of Enter: {page.evaluate(UNDER_BAR)} px under"
        # 30 rows down, well past the screen's height.
        rows = question(page, CODE).locator("tr[data-row]")
        assert _focused_cell(page) == f"{CODE}|{rows.nth(30).get_attribute('data-row')}|national"
        # Tab too: from the last cell of a row into the next row's first, below.
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert _clear_of_the_bar(page)
    finally:
        context.close()


def test_the_table_stays_put_when_the_list_of_cells_not_saved_appears_above_it(
    browser: Browser, live_server, survey: Survey, austria: Organisation
) -> None:
    """The newcomer walk typed "12a", moved on to the next cell, and the question's list of cells not saved appeared
    above the table: the table dropped 207 px under the phone user's finger."""
    context = browser.new_context(**PHONE, bypass_csp=True)  # to wait by a script
    try:
        page = context.new_page()
        base = live_server.url
        member(austria, Role.COORDINATOR, "still@at.example.org")
        log_in(page, base, "still@at.example.org")
        page.goto(section_url(base, "PRT.DATA"))
        question(page, CODE).scroll_into_view_if_needed()
        cell(page, CODE, FIRST, "national").click()
        page.keyboard.type("12a")
        with page.expect_response(is_autosave(CODE)):
            page.keyboard.press("ArrowDown")  # on to the next cell while the save is on its way
            where = page.evaluate("() => document.activeElement.getBoundingClientRect().top")
        expect(save_state(page, CODE)).to_have_attribute("data-save-state", "partial", timeout=TIMEOUT)
        expect(question(page, CODE).locator("[data-cell-errors]")).to_be_visible()
        page.wait_for_function(
            f"() => Math.abs(document.activeElement.getBoundingClientRect().top - {where}) < 2", timeout=3000
        )
        assert _focused_cell(page) == f"{CODE}|{SECOND}|national"
    finally:
        context.close()


def test_at_phone_width_tables_scroll_in_their_box_and_matrices_stack(
    phone: Page, live_server, survey: Survey, austria: Organisation
) -> None:
    page = phone
    base = live_server.url
    member(austria, Role.COORDINATOR, "phone@at.example.org")
    log_in(page, base, "phone@at.example.org")

    page.goto(section_url(base, "PRT.DATA"))
    assert_no_sideways_scroll(page)
    region = question(page, CODE).get_by_role("region")
    expect(region).to_have_attribute("tabindex", "0")
    assert region.evaluate("box => box.scrollWidth > box.clientWidth")  # the table scrolls inside its box
    # In the last column, the row's label is still in sight at the box's left edge (at 320 px, the narrowest width
    # a page must reflow to, where the table scrolls further than its first column is wide).
    page.set_viewport_size({"width": 320, "height": 800})
    cell(page, CODE, FIRST, "foreign").focus()
    label = question(page, CODE).locator(f'tr[data-row="{FIRST}"] th[scope="row"]').last
    region.evaluate("box => { box.scrollLeft = 0; }")
    natural = label.evaluate("th => th.offsetLeft")
    region.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    scrolled = region.evaluate("box => box.scrollLeft")
    assert scrolled > natural + 10  # without sticking, the label would have gone out of the box on the left
    box, at = region.bounding_box(), label.bounding_box()
    assert box
    assert at
    assert box["x"] - 1 <= at["x"] <= box["x"] + 1
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page, "PRT.DATA at 390 px")

    # A matrix: each row is a group named by its legend, its options stacked under it with their labels visible.
    page.goto(section_url(base, "PRO.LEG"))
    assert_no_sideways_scroll(page)
    row = question(page, "PRO.LEG.04").get_by_role("group").first
    expect(row.locator("legend")).to_be_visible()
    yes = row.get_by_role("radio").first
    label = row.locator(f'label[for="{yes.get_attribute("id")}"]')
    expect(label).to_be_visible()
    yes_box, label_box = yes.bounding_box(), label.bounding_box()
    assert yes_box
    assert label_box
    assert label_box["x"] > yes_box["x"]
    other = row.get_by_role("radio").nth(1).bounding_box()
    assert other
    assert other["y"] > yes_box["y"]  # stacked, one option under the other
    assert_accessible(page, "PRO.LEG at 390 px")


def test_a_matrix_section_at_desktop_width_passes_axe_and_lines_up_as_a_table(
    axe_page: Page, live_server, survey: Survey, austria: Organisation
) -> None:
    page = axe_page
    base = live_server.url
    member(austria, Role.COORDINATOR, "desk@at.example.org")
    log_in(page, base, "desk@at.example.org")
    page.goto(section_url(base, "PRO.LEG"))
    row = question(page, "PRO.LEG.04").get_by_role("group").first
    radios = row.get_by_role("radio")
    first, second = radios.nth(0).bounding_box(), radios.nth(1).bounding_box()
    assert first
    assert second
    assert abs(first["y"] - second["y"]) < 2  # side by side under the column heads
    assert_accessible(page, "PRO.LEG")


def test_at_phone_width_a_listed_document_with_a_long_name_stays_on_the_screen(
    phone: Page, live_server, survey: Survey, austria: Organisation, settings, tmp_path
) -> None:
    """A newcomer's walk found "Remove" cut to "Rem" at 390 px beside an uploaded plan: the row now wraps."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from responses.evidence import evidence_upload
    from responses.services import answers_save
    from responses.tests.test_evidence import PDF
    from surveys.models import Question

    from .browser_helpers import ensure_response

    settings.MEDIA_ROOT = str(tmp_path)
    page = phone
    base = live_server.url
    user = member(austria, Role.COORDINATOR, "phone-docs@at.example.org")
    response = ensure_response(survey, austria)
    plan_in_force = Question.objects.of_round(survey).get(code="PAR.NAT.03")
    answers_save(
        response=response, question=plan_in_force, raw={("in_force", ""): "yes"}, base_versions=None, user=user
    )
    document = Question.objects.of_round(survey).get(code="PAR.NAT.06")
    name = "National_Action_Plan_against_Trafficking_in_Human_Beings_2019.pdf"
    evidence_upload(response=response, question=document, upload=SimpleUploadedFile(name, PDF), user=user)
    log_in(page, base, "phone-docs@at.example.org")

    page.goto(section_url(base, "PAR.NAT"))
    listed = question(page, "PAR.NAT.06").locator("[data-evidence]")
    expect(listed).to_be_visible()
    assert_no_sideways_scroll(page)
    remove = listed.get_by_role("button", name="Remove")
    expect(remove).to_be_visible()
    box = remove.bounding_box()
    assert box
    assert box["x"] + box["width"] <= PHONE["viewport"]["width"]
    assert_accessible(page, "PAR.NAT with a document at 390 px")
