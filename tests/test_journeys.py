"""Each role's journey in a real browser, from the front door: start at `/`, log in through the visible link and
form, and do the role's job by following only visible links and buttons (the only `goto` is the first one).
axe-core (WCAG 2.1 A/AA) checks every page a journey passes; the coordinator's journey runs again at phone width,
where no page may scroll sideways, and once in Russian, from the language switch to the receipt.

The steps are small named functions on purpose: a journey is a list of them, and a new page on the way (a
confirmation before submitting, a copy of the answers) is one more step.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone, translation
from playwright.sync_api import Browser, Locator, Page, expect

from accounts.models import Organisation, Role
from responses.models import Response
from responses.selectors import survey_structure
from responses.services import response_submit
from responses.tests.browser_helpers import (
    PASSWORD,
    SLUG,
    TIMEOUT,
    choose,
    ensure_response,
    ensure_states,
    fill_required,
    member,
    open_round,
    response_of,
)
from surveys.models import Question, Survey
from tests.a11y import PHONE, assert_accessible, assert_no_sideways_scroll
from tests.otp_helpers import code_for, confirmed_device, wait_for_a_fresh_step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "PRO.LEG.01"  # the question a journey answers in the browser: a single choice in section PRO.LEG
SECTION = "PRO.LEG"
MENU_UNFOLDED = re.compile(r"(^|\s)show(\s|$)")  # Bootstrap's class once the collapse has finished opening


@pytest.fixture
def survey() -> Survey:
    ensure_states()
    survey = open_round()
    # A closing date ahead, so that the cards show days left as in a real round.
    Survey.objects.filter(pk=survey.pk).update(closes_on=timezone.localdate() + dt.timedelta(days=20))
    return survey


@pytest.fixture
def austria(survey: Survey) -> Organisation:
    return Organisation.objects.get(code="AT")


# --- the journey: a page checked after every step ------------------------------------------------------------------


@dataclass
class Journey:
    """A person's browser tab. Every page reached is checked with axe-core (and, at phone width, for sideways
    scrolling); `pages` lists them, for the failure messages."""

    page: Page
    no_sideways_scroll_at: int | None = None  # a width in px: phones (390) and tablets (768)
    pages: list[str] = field(default_factory=list)

    def check(self) -> None:
        self.page.wait_for_load_state()
        self.pages.append(self.page.url)
        assert_accessible(self.page)
        if self.no_sideways_scroll_at is not None:
            assert_no_sideways_scroll(self.page, self.no_sideways_scroll_at)

    def follow(self, target: Locator) -> None:
        """Click a visible link or button that leads to another page, then check that page."""
        expect(target).to_be_visible(timeout=TIMEOUT)
        with self.page.expect_navigation(timeout=TIMEOUT):
            target.click()
        self.check()

    def link(self, name: str | re.Pattern[str], within: Locator | None = None, exact: bool = False) -> Locator:
        return (within or self.page.locator("main")).get_by_role("link", name=name, exact=exact).first

    def button(self, name: str | re.Pattern[str], within: Locator | None = None) -> Locator:
        return (within or self.page.locator("main")).get_by_role("button", name=name).first

    def nav_link(self, name: str) -> Locator:
        """A link of the navigation bar, opening the menu first where it is folded (phones)."""
        self.open_menu()
        return self.page.locator("nav.site-nav").get_by_role("link", name=name, exact=True)

    def open_menu(self) -> None:
        """Unfold the navigation where it is folded (phones), and wait until it has finished unfolding: a click on a
        link while the menu still slides open can land on the page behind it (a CI run lost a journey that way)."""
        toggler = self.page.get_by_role("button", name="Menu")
        if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
            toggler.click()
            expect(self.page.locator("nav.site-nav #nav")).to_have_class(MENU_UNFOLDED, timeout=TIMEOUT)


@pytest.fixture
def journey(browser: Browser) -> Iterator[Callable[..., Journey]]:
    """A journey in its own browser context (its own cookies), at desktop, phone or tablet width. axe-core is injected
    into the page, so the context bypasses the Content-Security-Policy (tested on its own in test_browser_csp)."""
    contexts: list[Any] = []

    def make(*, phone: bool = False, tablet: bool = False) -> Journey:
        if phone:
            size, width = PHONE, 390
        elif tablet:
            size, width = {"viewport": {"width": 768, "height": 1024}, "has_touch": True}, 768
        else:
            size, width = {"viewport": {"width": 1280, "height": 900}}, None
        context = browser.new_context(bypass_csp=True, **size)
        contexts.append(context)
        return Journey(context.new_page(), no_sideways_scroll_at=width)

    yield make
    for context in contexts:
        context.close()


# --- steps ---------------------------------------------------------------------------------------------------------


def start_at_the_front_door(j: Journey, base_url: str) -> None:
    j.page.goto(base_url + "/")
    j.check()


def log_in(j: Journey, email: str) -> None:
    """The visible "Log in" link of the navigation, then the form."""
    j.follow(j.nav_link("Log in"))
    j.page.get_by_label("E-mail address").fill(email)
    j.page.get_by_label("Password").fill(PASSWORD)
    j.follow(j.button("Log in"))
    expect(j.page.locator("nav.site-nav")).to_contain_text(email, timeout=TIMEOUT)


def log_in_with_code(j: Journey, email: str, device: Any) -> None:
    """Staff: the password, then the code their authenticator app shows now."""
    j.follow(j.nav_link("Log in"))
    j.page.get_by_label("E-mail address").fill(email)
    j.page.get_by_label("Password").fill(PASSWORD)
    j.follow(j.button("Log in"))
    code = j.page.get_by_label("Code")
    expect(code).to_be_visible(timeout=TIMEOUT)
    wait_for_a_fresh_step(device)
    device.refresh_from_db()
    code.fill(code_for(device))
    j.follow(j.button("Log in"))
    expect(j.page.locator("nav.site-nav")).to_contain_text(email, timeout=TIMEOUT)


def card(j: Journey, organisation: str) -> Locator:
    """The landing page's card of one organisation in the round."""
    found = j.page.locator(f'[data-card="{SLUG}:{organisation}"]')
    expect(found).to_be_visible(timeout=TIMEOUT)
    return found


def open_from_card(j: Journey, organisation: str, action: str) -> None:
    """From the landing page, the card's primary button ("Start", "Continue" or "View") to the response home."""
    expect(j.page).to_have_url(re.compile(r"/my/$"))
    j.follow(j.link(action, within=card(j, organisation)))
    expect(j.page.locator("[data-response-status]")).to_be_visible()


def open_section(j: Journey, code: str = SECTION) -> None:
    j.follow(j.page.locator(f'a[data-section="{code}"]'))


def answer_a_question(j: Journey, code: str = QUESTION, value: str = "yes") -> None:
    choose(j.page, code, value)  # ticks the visible radio button and waits for its autosave to say "Saved"


def back_to_all_sections(j: Journey) -> None:
    j.follow(j.link("All sections"))


def go_to_review(j: Journey, link: str = "Review and submit") -> None:
    """The review page, by the link named for what it offers: "Review and submit" to a coordinator, "Missing
    answers" to everyone who cannot submit."""
    j.follow(j.link(link))
    expect(j.page.get_by_role("heading", name="Review before submitting")).to_be_visible()


def submit(j: Journey) -> None:
    """The review's "Submit to the Office…" link opens the confirmation page (what is sent, answered and missing
    per section); only its "Yes, submit to the Office" button submits."""
    expect(j.page.locator("[data-review-complete]")).to_be_visible()
    j.follow(j.link(re.compile(r"^Submit (again )?to the Office")))
    expect(j.page.get_by_role("heading", name=re.compile(r"^Submit (again )?to the Office\?"))).to_be_visible()
    expect(j.page.locator("[data-sent-summary] [data-missing-total]")).to_have_text("0")
    expect(j.page.locator("[data-pending-cells]")).to_have_count(0)
    j.follow(j.button(re.compile(r"^Yes, submit")))
    expect(j.page.locator("[data-response-status]")).to_have_attribute("data-response-status", "submitted")


def sees_no_submit_button(j: Journey) -> None:
    expect(j.page.get_by_role("button", name=re.compile("Submit"))).to_have_count(0)


def sees_nothing_editable(j: Journey) -> None:
    expect(j.page.locator("[data-readonly]")).to_be_visible()
    editable = j.page.locator("[data-question] :is(input, select, textarea):not([type=hidden]):enabled")
    expect(editable).to_have_count(0)
    expect(j.page.get_by_role("button", name="Save", exact=True)).to_have_count(0)


# --- journeys ------------------------------------------------------------------------------------------------------


def coordinator_answers_and_submits(j: Journey, base_url: str, email: str) -> None:
    start_at_the_front_door(j, base_url)
    log_in(j, email)
    open_from_card(j, "AT", "Continue")
    open_section(j)
    answer_a_question(j)
    back_to_all_sections(j)
    go_to_review(j)
    submit(j)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_coordinator_goes_from_the_front_door_to_a_submitted_questionnaire(
    journey: Callable[..., Journey], live_server: Any, survey: Survey, austria: Organisation, phone: bool
) -> None:
    coordinator = member(austria, Role.COORDINATOR, "coordinator@at.example.org")
    fill_required(ensure_response(survey, austria), coordinator, skip={QUESTION})
    j = journey(phone=phone)
    coordinator_answers_and_submits(j, live_server.url, coordinator.email)
    assert response_of(austria).status == Response.Status.SUBMITTED


def test_contributor_answers_and_cannot_submit(
    journey: Callable[..., Journey], live_server: Any, austria: Organisation
) -> None:
    contributor = member(austria, Role.CONTRIBUTOR, "contributor@at.example.org")
    j = journey()
    start_at_the_front_door(j, live_server.url)
    log_in(j, contributor.email)
    open_from_card(j, "AT", "Start")
    open_section(j)
    answer_a_question(j)
    back_to_all_sections(j)
    go_to_review(j, "Missing answers")
    sees_no_submit_button(j)
    expect(j.page.locator("main")).to_contain_text("Only your organisation's coordinator can submit")


def test_viewer_reads_and_can_change_nothing(
    journey: Callable[..., Journey], live_server: Any, austria: Organisation
) -> None:
    viewer = member(austria, Role.VIEWER, "viewer@at.example.org")
    j = journey()
    start_at_the_front_door(j, live_server.url)
    log_in(j, viewer.email)
    open_from_card(j, "AT", "View")
    open_section(j)
    sees_nothing_editable(j)
    back_to_all_sections(j)
    go_to_review(j, "Missing answers")
    sees_no_submit_button(j)


def test_ngo_member_sees_only_the_ngo_questionnaire(
    journey: Callable[..., Journey], live_server: Any, survey: Survey, austria: Organisation
) -> None:
    ngo = Organisation.objects.create(
        kind=Organisation.Kind.NGO, code="ngo-journey", name="Journey NGO in Austria", country=austria
    )
    person = member(ngo, Role.COORDINATOR, "ngo@example.org")
    j = journey()
    start_at_the_front_door(j, live_server.url)
    log_in(j, person.email)
    expect(j.page.locator("[data-card]")).to_have_count(1)
    open_from_card(j, "ngo-journey", "Start")
    expect(j.page.locator("a[data-section]").first).to_be_visible()
    shown = j.page.locator("a[data-section]").evaluate_all("links => links.map(a => a.dataset.section)")
    asked = [s.code for area in survey_structure(survey, "ngo") for s in area.sections.all()]
    assert shown == asked
    assert SECTION not in shown  # a section of State-only questions
    open_section(j, "NGO.P")
    expect(j.page.locator("[data-question]").first).to_be_visible()
    codes = j.page.locator("[data-question]").evaluate_all("qs => qs.map(q => q.dataset.question)")
    audiences = set(Question.objects.filter(survey=survey, code__in=codes).values_list("audience", flat=True))
    assert codes
    assert audiences <= {"ngo", "both"}


def status_badge_beside_the_title(j: Journey) -> None:
    """At desktop width the response's status badge stays at the right of its title, however long the round's
    title is in the reader's language (the newcomer walk saw it float under the French title)."""
    title = j.page.locator("main h1").bounding_box()
    badge = j.page.locator("[data-response-status]").bounding_box()
    main = j.page.locator("main").bounding_box()
    assert title
    assert badge
    assert main
    assert badge["y"] < title["y"] + title["height"]  # on the title's row
    assert badge["x"] + badge["width"] > main["x"] + main["width"] - 40  # at the right edge


def test_a_respondents_own_pages_fit_a_phone(
    journey: Callable[..., Journey], live_server: Any, austria: Organisation
) -> None:
    """The pages around the answering ones (front door, login, cards, response home, review, two-factor) at
    390 px: no sideways scrolling, no axe violation (the section pages are in the coordinator's phone journey)."""
    coordinator = member(austria, Role.COORDINATOR, "phone@at.example.org")
    j = journey(phone=True)
    start_at_the_front_door(j, live_server.url)
    log_in(j, coordinator.email)
    # The opened menu shows the whole address of who is logged in (the wide bar shortens it with "…").
    j.open_menu()
    account = j.page.locator("nav.site-nav .account-name")
    expect(account).to_contain_text(coordinator.email)
    assert account.evaluate("e => e.scrollWidth <= e.clientWidth")
    open_from_card(j, "AT", "Start")
    go_to_review(j)
    j.follow(j.nav_link("Two-factor"))
    j.follow(j.link("Set up two-factor authentication"))
    expect(j.page.get_by_label("Code")).to_be_visible()


# --- staff ---------------------------------------------------------------------------------------------------------


def open_round_board(j: Journey) -> None:
    j.follow(j.link(re.compile("Status board and dashboard"), within=j.page.locator(f'[data-round="{SLUG}"]')))
    expect(j.page.locator("[data-status-board]")).to_be_visible()


def open_country_page(j: Journey, name: str) -> None:
    j.follow(j.link(name, within=j.page.locator("[data-status-board]"), exact=True))


def open_responses_list(j: Journey) -> None:
    j.follow(j.link("All responses"))
    expect(j.page.locator("[data-responses]")).to_be_visible()


def open_response(j: Journey, name: str) -> None:
    j.follow(j.link(name, within=j.page.locator("[data-responses]"), exact=True))


def open_history(j: Journey) -> None:
    j.follow(j.link("History"))
    expect(j.page.locator("[data-history]")).to_be_visible()


def read_all_answers(j: Journey) -> None:
    """The Office's one-page view of a response, then back to the response by its visible link."""
    j.follow(j.link("All answers", exact=True))
    expect(j.page.get_by_role("heading", name="All answers", exact=True)).to_be_visible()
    expect(j.page.locator("[data-copy-pdf]")).to_be_visible()
    j.follow(j.link("Back to the questionnaire"))
    expect(j.page.locator("[data-office-decision]")).to_be_visible()


def accept_after_confirming(j: Journey) -> None:
    """ "Accept and lock…" asks first (what was sent, per section); the "Yes" button accepts."""
    j.follow(j.link(re.compile(r"^Accept and lock")))
    expect(j.page.get_by_role("heading", name="Accept and lock this response?")).to_be_visible()
    expect(j.page.locator("[data-sent-summary]")).to_be_visible()
    j.follow(j.button("Yes, accept and lock"))
    expect(j.page.locator("[data-response-status]")).to_have_attribute("data-response-status", "accepted")


def reopen_with_reason(j: Journey, reason: str) -> None:
    """ "Reopen for changes…" asks for a reason: without one the form says so next to the field (and nothing
    changes); with one the response goes back to the organisation as returned."""
    j.follow(j.link(re.compile(r"^Reopen for changes")))
    expect(j.page.locator("[data-reopen-form]")).to_be_visible()
    j.follow(j.button("Reopen", within=j.page.locator("[data-reopen-form]")))
    field = j.page.get_by_label("Why is the response reopened?")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(j.page.locator("[data-field-error]")).to_contain_text("Give the reason for reopening")
    field.fill(reason)
    j.follow(j.button("Reopen", within=j.page.locator("[data-reopen-form]")))
    expect(j.page.locator("[data-response-status]")).to_have_attribute("data-response-status", "returned")
    expect(j.page.locator("main")).to_contain_text(reason)


def back_to_the_responses(j: Journey) -> None:
    """The breadcrumb's "Responses" link, from any page of a response."""
    j.follow(j.link("Responses", within=j.page.get_by_role("navigation", name="breadcrumb"), exact=True))
    expect(j.page.locator("[data-responses]")).to_be_visible()


def return_with_comment(j: Journey, comment: str) -> None:
    j.page.get_by_label("Return with a comment the organisation will see").fill(comment)
    j.follow(j.button("Return for changes"))
    expect(j.page.locator("[data-response-status]")).to_have_attribute("data-response-status", "returned")


def back_to_staff_home(j: Journey) -> None:
    j.follow(j.nav_link("Staff home"))
    expect(j.page.locator(f'[data-round="{SLUG}"]')).to_be_visible()


def open_exports(j: Journey) -> None:
    j.follow(j.link(re.compile("Excel exports"), within=j.page.locator(f'[data-round="{SLUG}"]')))
    expect(j.page.get_by_role("button", name="Create the Excel summary")).to_be_visible()


def build_a_provisional_report(j: Journey) -> None:
    j.follow(j.link(re.compile("Report builds"), within=j.page.locator(f'[data-round="{SLUG}"]')))
    j.follow(j.button("Build provisional report"))
    expect(j.page.get_by_role("heading", name=re.compile("Report build"))).to_be_visible()


def test_staff_log_in_with_a_code_follow_the_round_read_accept_reopen_and_return_responses(
    journey: Callable[..., Journey], live_server: Any, survey: Survey, austria: Organisation
) -> None:
    coordinator = member(austria, Role.COORDINATOR, "coordinator@at.example.org")
    response = ensure_response(survey, austria)
    fill_required(response, coordinator, skip=set())
    response_submit(response=response, user=coordinator)
    germany = Organisation.objects.get(code="DE")
    german_coordinator = member(germany, Role.COORDINATOR, "coordinator@de.example.org")
    german_response = ensure_response(survey, germany)
    fill_required(german_response, german_coordinator, skip=set())
    response_submit(response=german_response, user=german_coordinator)
    staff = member(austria, Role.VIEWER, "staff@osce.example.org")  # a person first, then made Office staff
    staff.memberships.all().delete()
    staff.is_staff = True
    staff.save()
    device = confirmed_device(staff)

    j = journey(tablet=True)  # the Office follows rounds on tablets too: no page may scroll sideways at 768 px
    start_at_the_front_door(j, live_server.url)
    log_in_with_code(j, staff.email, device)
    expect(j.page).to_have_url(re.compile(r"/staff/$"))
    expect(j.page.locator(f'[data-round="{SLUG}"] [data-count-status="submitted"]')).to_contain_text("2")
    open_round_board(j)
    open_country_page(j, "Austria")
    j.follow(j.link("Response", exact=True))
    open_history(j)
    back_to_staff_home(j)
    open_round_board(j)
    open_responses_list(j)
    open_response(j, "Austria")
    read_all_answers(j)
    accept_after_confirming(j)
    reopen_with_reason(j, "The 2014 figures were corrected by the ministry.")
    back_to_the_responses(j)
    open_response(j, "Germany")
    return_with_comment(j, "Please add the figures for 2014.")
    back_to_staff_home(j)
    open_exports(j)
    back_to_staff_home(j)
    build_a_provisional_report(j)

    reopened = Response.objects.get(pk=response.pk)
    assert reopened.status == Response.Status.RETURNED
    assert reopened.accepted_at is None
    assert list(reopened.events.values_list("to_status", "comment")) == [
        ("submitted", ""),
        ("accepted", ""),
        ("returned", "The 2014 figures were corrected by the ministry."),
    ]
    assert Response.objects.get(pk=german_response.pk).staff_comment == "Please add the figures for 2014."


def open_draft_report(j: Journey) -> None:
    j.follow(j.link(re.compile("Draft report"), within=j.page.locator(f'[data-round="{SLUG}"]')))
    expect(j.page.get_by_role("button", name="Create the draft report")).to_be_visible()


def create_a_draft_and_download_it(j: Journey, language: str) -> bytes:
    """The form, then the draft's page, which follows the job until the download button shows; the download."""
    j.page.get_by_label("Language of the document").select_option(language)
    j.follow(j.button("Create the draft report"))
    download = j.page.locator("[data-draft-report-download]")
    expect(download).to_be_visible(timeout=TIMEOUT)
    j.check()
    with j.page.expect_download(timeout=TIMEOUT) as waiting:
        download.click()
    path = waiting.value.path()
    assert waiting.value.suggested_filename.endswith(".docx")
    return path.read_bytes()


def test_staff_go_from_the_front_door_to_a_downloaded_draft_report(
    journey: Callable[..., Journey], live_server: Any, survey: Survey, austria: Organisation
) -> None:
    import io

    from docx import Document

    from reports.models import ReportRun
    from reports.services import report_run_execute

    coordinator = member(austria, Role.COORDINATOR, "coordinator@at.example.org")
    response = ensure_response(survey, austria)
    fill_required(response, coordinator, skip=set())
    response_submit(response=response, user=coordinator)
    run = ReportRun.objects.create(survey=survey)
    assert report_run_execute(run_id=run.pk) == "done"
    staff = member(austria, Role.VIEWER, "staff@osce.example.org")
    staff.memberships.all().delete()
    staff.is_staff = True
    staff.save()
    device = confirmed_device(staff)

    j = journey()
    start_at_the_front_door(j, live_server.url)
    log_in_with_code(j, staff.email, device)
    open_draft_report(j)
    body = create_a_draft_and_download_it(j, "ru")
    texts = [p.text for p in Document(io.BytesIO(body)).paragraphs]
    assert texts[0].startswith("Опрос ОБСЕ")
    assert "Ответы получены от 1 государства-участника." in texts


def test_staff_make_an_api_token_see_its_key_once_and_revoke_it(
    journey: Callable[..., Journey], live_server: Any, survey: Survey
) -> None:
    """From the staff home's "API tokens for BI tools" link: make a named token, whose key opens the API and is
    shown only on the page that made it; then revoke it, after which the key no longer opens the API."""
    from django.test import Client

    from accounts.models import ApiToken

    staff = member(Organisation.objects.get(code="AT"), Role.VIEWER, "staff@osce.example.org")
    staff.memberships.all().delete()
    staff.is_staff = True
    staff.save()
    device = confirmed_device(staff)

    j = journey()
    start_at_the_front_door(j, live_server.url)
    log_in_with_code(j, staff.email, device)
    j.follow(j.link("API tokens for BI tools"))
    expect(j.page.get_by_role("heading", name="API tokens", exact=True)).to_be_visible()
    j.page.get_by_label("Name of the token").fill("Power BI, analysis team")
    j.follow(j.button("Make token"))
    key = j.page.get_by_label("Key", exact=True).input_value()
    assert key.startswith("oscethb_")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/rounds/").status_code == 200
    row = j.page.locator('[data-token="Power BI, analysis team"]')
    expect(row.locator("[data-token-state]")).to_have_text("Active")

    back_to_staff_home(j)  # the same page again, from the staff home: the key is not shown any more
    j.follow(j.link("API tokens for BI tools"))
    expect(j.page.locator("[data-new-key]")).to_have_count(0)
    assert key not in j.page.content()
    j.follow(j.button(re.compile("^Revoke"), within=j.page.locator('[data-token="Power BI, analysis team"]')))
    expect(j.page.locator('[data-token="Power BI, analysis team"] [data-token-state]')).to_contain_text("Revoked")
    assert ApiToken.objects.get(name="Power BI, analysis team").revoked_at is not None
    assert api.get("/api/v1/rounds/").status_code == 401


# --- keyboard only -------------------------------------------------------------------------------------------------


def tab_to(j: Journey, description: str, is_target: str, limit: int = 60) -> None:
    """Press Tab until the focused element matches `is_target` (a JavaScript predicate on the element), checking
    that every element the focus passes shows where it is."""
    for _ in range(limit):
        j.page.keyboard.press("Tab")
        focused = j.page.evaluate(
            """() => { const e = document.activeElement; const s = getComputedStyle(e);
                       return {visible: s.outlineStyle !== 'none' || s.boxShadow !== 'none', text: e.outerHTML.slice(0, 120)}; }"""
        )
        assert focused["visible"], f"no visible focus on {focused['text']}"
        if j.page.evaluate(f"() => (e => {is_target})(document.activeElement)"):
            return
    raise AssertionError(f"{description} not reached with {limit} presses of Tab")


def test_keyboard_only_a_member_logs_in_switches_language_and_opens_a_card(
    journey: Callable[..., Journey], live_server: Any, austria: Organisation
) -> None:
    coordinator = member(austria, Role.COORDINATOR, "keyboard@at.example.org")
    j = journey()
    start_at_the_front_door(j, live_server.url)
    tab_to(j, "the Log in link", "e.matches('nav a') && e.textContent.trim() === 'Log in'")
    with j.page.expect_navigation():
        j.page.keyboard.press("Enter")
    # the e-mail field takes the focus when the page opens; wait for it, or the first key goes to the page
    expect(j.page.locator("#id_username")).to_be_focused()
    j.page.keyboard.type(coordinator.email)
    j.page.keyboard.press("Tab")
    j.page.keyboard.type(PASSWORD)
    with j.page.expect_navigation():
        j.page.keyboard.press("Enter")
    j.check()
    expect(j.page).to_have_url(re.compile(r"/my/$"))

    tab_to(j, "the language list", "e.id === 'language'")
    j.page.keyboard.press("ArrowDown")  # English -> French; nothing happens until the button is pressed
    expect(j.page.locator("html")).to_have_attribute("lang", "en")
    j.page.keyboard.press("Tab")
    with j.page.expect_navigation():
        j.page.keyboard.press("Enter")
    expect(j.page.locator("html")).to_have_attribute("lang", "fr")
    expect(j.page).to_have_url(re.compile(r"/my/$"))

    tab_to(j, "the card's button", f"e.closest('[data-card=\"{SLUG}:AT\"]') && e.matches('a.btn')")
    with j.page.expect_navigation():
        j.page.keyboard.press("Enter")
    j.check()
    expect(j.page).to_have_url(re.compile(rf"/rounds/{SLUG}/respond/AT/$"))


# --- in Russian: the site speaks the reader's language ---------------------------------------------------------------
#
# The texts looked for are the catalogue's Russian translations of the English interface texts, so these follow the
# catalogue and fail when a page shows the English instead.


def ru(text: str) -> str:
    """The Russian of an English interface text, from the catalogue; never the English itself."""
    with translation.override("ru"):
        russian = translation.gettext(text)
    assert russian != text, f"no Russian for {text!r} in the catalogue"
    return russian


def in_russian(j: Journey) -> None:
    expect(j.page.locator("html")).to_have_attribute("lang", "ru")


def test_a_coordinator_answers_submits_and_reads_the_receipt_in_russian(
    journey: Callable[..., Journey], live_server: Any, survey: Survey, austria: Organisation
) -> None:
    coordinator = member(austria, Role.COORDINATOR, "coordinator@at.example.org")
    fill_required(ensure_response(survey, austria), coordinator, skip={QUESTION})
    j = journey()
    j.no_sideways_scroll_at = 1280  # Russian words are longer: the top bar must still fit a laptop's screen

    # First visit: an English browser gets English; the top bar's switch turns the site Russian.
    j.page.goto(live_server.url + "/")
    j.check()
    expect(j.page.locator("html")).to_have_attribute("lang", "en")
    j.page.get_by_label("Language").select_option("ru")
    j.follow(j.page.get_by_role("button", name="Change language"))
    in_russian(j)
    expect(j.page.get_by_role("heading", level=2, name=ru("Survey rounds"))).to_be_visible()

    # Log in, in Russian.
    j.follow(j.nav_link(ru("Log in")))
    in_russian(j)
    j.page.get_by_label(ru("E-mail address")).fill(coordinator.email)
    j.page.get_by_label(ru("Password")).fill(PASSWORD)
    j.follow(j.button(ru("Log in")))
    in_russian(j)
    expect(j.page.get_by_role("heading", level=1)).to_have_text(ru("My questionnaires"))
    expect(j.page.get_by_role("heading", level=2, name="Австрия")).to_be_visible()  # their State, in Russian

    # Answer the one question left, from the card, through the section.
    j.follow(j.link(ru("Continue"), within=card(j, "AT")))
    in_russian(j)
    status_badge_beside_the_title(j)
    open_section(j)
    in_russian(j)
    answer_a_question(j)
    saved = ru("Saved %(time)s").split("%(")[0].strip()  # "Сохранено 15:47": the words before the time
    expect(j.page.locator(f'[data-question="{QUESTION}"] [data-save-state="saved"]')).to_contain_text(saved)
    j.follow(j.link(ru("All sections")))

    # Review, confirm, submit.
    j.follow(j.link(ru("Review and submit")))
    expect(j.page.get_by_role("heading", name=ru("Review before submitting"))).to_be_visible()
    j.follow(j.link(ru("Submit to the Office…")))
    expect(j.page.get_by_role("heading", name=ru("Submit to the Office?"))).to_be_visible()
    mail.outbox.clear()
    # Under the tests' eager Celery the receipt (with its PDF copy of the answers) is made inside this request;
    # in production a worker makes it after the commit. Hence more time than for a page.
    with j.page.expect_navigation(timeout=60_000):
        j.button(ru("Yes, submit to the Office")).click()
    j.check()
    in_russian(j)
    expect(j.page.locator("[data-response-status]")).to_have_attribute("data-response-status", "submitted")
    assert response_of(austria).status == Response.Status.SUBMITTED

    # The receipt: the e-mail the coordinator gets is in the language they chose, subject and body.
    (receipt,) = [m for m in mail.outbox if coordinator.email in m.to]
    with translation.override("ru"):
        received = translation.gettext("Received: %(organisation)s submitted its answers to %(round_title)s")
    assert receipt.subject.startswith(received.split("%(")[0]), receipt.subject
    assert "Австрия" in receipt.subject
    assert ru("Hello,") in receipt.body
    assert re.search("[а-яА-Я]{4,}", receipt.body)
    assert "The answers are now read-only" not in receipt.body


def test_a_first_visit_speaks_the_browsers_language(browser: Browser, live_server: Any, survey: Survey) -> None:
    """No cookie, no account: the language the browser asks for (Accept-Language) is the site's."""
    context = browser.new_context(locale="ru-RU")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        expect(page.locator("html")).to_have_attribute("lang", "ru")
        expect(page.get_by_role("heading", level=2, name=ru("Survey rounds"))).to_be_visible()
    finally:
        context.close()


@pytest.mark.parametrize("language", ["ru", "fr", "de"])
def test_the_staff_pages_fit_a_laptop_screen_in_longer_languages(
    journey: Callable[..., Journey], live_server: Any, survey: Survey, austria: Organisation, language: str
) -> None:
    """The Office's top bar has the most links; in Russian, French and German (longer words than English) it wraps
    rather than running off a 1280 px screen."""
    staff = member(austria, Role.VIEWER, "staff@osce.example.org")
    staff.memberships.all().delete()
    staff.is_staff = True
    staff.save()
    device = confirmed_device(staff)
    j = journey()
    j.no_sideways_scroll_at = 1280
    start_at_the_front_door(j, live_server.url)
    j.page.get_by_label("Language").select_option(language)
    j.follow(j.page.get_by_role("button", name="Change language"))
    with translation.override(language):
        log_in_label, email_label, password_label, code_label = (
            translation.gettext(text) for text in ("Log in", "E-mail address", "Password", "Code")
        )
    j.follow(j.nav_link(log_in_label))
    j.page.get_by_label(email_label).fill(staff.email)
    j.page.get_by_label(password_label).fill(PASSWORD)
    j.follow(j.button(log_in_label))
    code = j.page.get_by_label(code_label)
    expect(code).to_be_visible(timeout=TIMEOUT)
    wait_for_a_fresh_step(device)
    device.refresh_from_db()
    code.fill(code_for(device))
    j.follow(j.button(log_in_label))
    expect(j.page).to_have_url(re.compile(r"/staff/$"))
    expect(j.page.locator("html")).to_have_attribute("lang", language)
    j.follow(j.page.locator(f'[data-round="{SLUG}"] a[href$="/dashboard/"]').first)  # the round's status board
    expect(j.page.locator("[data-status-board]")).to_be_visible()
    # Austria's response from its row: the round's long title wraps beside the status badge.
    j.follow(j.page.locator('[data-state="AT"] a.btn'))
    status_badge_beside_the_title(j)


def open_raw_data(j: Journey) -> None:
    """From the Excel summary page, the link to the raw data page."""
    j.follow(j.link(re.compile("Raw data as CSV or xlsx")))
    expect(j.page.get_by_role("heading", name=re.compile("^Raw data of"))).to_be_visible()


def create_and_download_raw_data(j: Journey) -> Any:
    """The form's defaults (long form, States and NGOs, CSV, counted responses), then the listed file's download."""
    expect(j.page.get_by_label("Long: one row per answer cell")).to_be_checked()
    j.follow(j.button("Create the raw data file"))
    row = j.page.locator("[data-data-export]").first
    expect(row).to_have_attribute("data-status", "done", timeout=TIMEOUT)
    with j.page.expect_download(timeout=TIMEOUT) as download:
        row.get_by_role("link", name=re.compile("^Download")).click()
    return download.value


def test_staff_go_from_the_front_door_to_a_downloaded_csv_of_the_raw_answers(
    journey: Callable[..., Journey],
    live_server: Any,
    survey: Survey,
    austria: Organisation,
    settings: Any,
    tmp_path: Any,
) -> None:
    import csv
    from pathlib import Path

    settings.MEDIA_ROOT = str(tmp_path / "media")
    coordinator = member(austria, Role.COORDINATOR, "coordinator@at.example.org")
    response = ensure_response(survey, austria)
    fill_required(response, coordinator, skip=set())
    response_submit(response=response, user=coordinator)
    staff = member(austria, Role.VIEWER, "staff@osce.example.org")
    staff.memberships.all().delete()
    staff.is_staff = True
    staff.save()
    device = confirmed_device(staff)

    j = journey()
    start_at_the_front_door(j, live_server.url)
    log_in_with_code(j, staff.email, device)
    open_exports(j)
    open_raw_data(j)
    download = create_and_download_raw_data(j)
    assert re.fullmatch(rf"{SLUG}-answers-long-both-en-\d{{8}}-\d{{4}}\.csv", download.suggested_filename)
    with Path(download.path()).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["organisation_code"] for row in rows} == {"AT"}
    assert {row["status"] for row in rows} == {"submitted"}
    first = next(row for row in rows if row["question_code"] == QUESTION)
    assert first["organisation_name"] == "Austria"
    assert first["value"] in ("yes", "no", "in_process")


def open_findings_by_commitment(j: Journey) -> None:
    j.follow(j.link("Findings by commitment of the Action Plan and its Addendums"))
    expect(j.page.get_by_role("heading", name="Findings by commitment", exact=True)).to_be_visible()


def test_staff_go_from_the_front_door_to_the_findings_by_commitment_on_a_phone(
    journey: Callable[..., Journey], live_server: Any, survey: Survey, austria: Organisation
) -> None:
    from reports.models import ReportRun
    from reports.services import report_run_execute

    coordinator = member(austria, Role.COORDINATOR, "coordinator@at.example.org")
    response = ensure_response(survey, austria)
    fill_required(response, coordinator, skip=set())
    response_submit(response=response, user=coordinator)
    run = ReportRun.objects.create(survey=survey)
    assert report_run_execute(run_id=run.pk) == "done"
    staff = member(austria, Role.VIEWER, "staff@osce.example.org")
    staff.memberships.all().delete()
    staff.is_staff = True
    staff.save()
    device = confirmed_device(staff)

    j = journey(phone=True)  # the Office reads findings on the way to a meeting: no sideways scrolling at 390 px
    start_at_the_front_door(j, live_server.url)
    log_in_with_code(j, staff.email, device)
    open_round_board(j)
    open_findings_by_commitment(j)
    prevention = j.page.locator('[data-commitment="AP2003.IV"]')
    expect(prevention).to_contain_text("Prevention of trafficking in human beings")
    expect(prevention).to_contain_text("ch. IV")
    expect(prevention.locator("[data-finding]").first).to_contain_text(
        re.compile(r"^Commitment AP2003\.IV: \d+ of 1 responding participating State")
    )
    # Each finding leads to its question's page, which fits the phone too.
    j.follow(j.link("PRV.ROOT.01", within=prevention, exact=True))
    expect(j.page).to_have_url(re.compile(r"/staff/rounds/thb-2016/questions/PRV\.ROOT\.01/$"))
    expect(j.page.get_by_role("heading", level=1)).to_contain_text("PRV.ROOT.01")
