"""Helpers for the answering tests in a real browser: the open 2015/16 round, people, logging in, locators, and
filling a questionnaire straight in the database (through the same service the pages use)."""

from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import Locator, Page, expect

from accounts.directory import reference_organisations_ensure
from accounts.models import Membership, Organisation
from responses.models import Answer, Response
from responses.services import answers_save, response_get_or_create
from responses.values import read
from surveys import answer_types as at
from surveys.models import Question, Survey

PASSWORD = "a-long-browser-test-password-2026"
SLUG = "thb-2016"
TIMEOUT = 15_000  # ms: every wait on the server (autosave round trip, page load); generous, since CI shares its 2 cores

# --- data ----------------------------------------------------------------------------------------------------------


def ensure_states() -> None:
    """The participating States and Partners, as the data migration loads them (idempotent).

    A transactional test flushes every table when it ends, so a browser test that runs after one elsewhere in the
    suite would find no States. (serialized_rollback does not help: it collides with the content types that the
    flush's post_migrate recreates with new ids.)
    """
    if Organisation.objects.filter(code="AT").exists():
        return
    reference_organisations_ensure()


def open_round() -> Survey:
    """Load the shipped 2015/16 round with the real command and open it."""
    call_command("load_survey", "surveys/definitions/thb-2016.yaml", stdout=io.StringIO())
    Survey.objects.filter(slug=SLUG).update(
        status=Survey.Status.OPEN, closes_on=None
    )  # no deadline: answering stays open
    return Survey.objects.get(slug=SLUG)


def member(organisation: Organisation, role: str, email: str) -> Any:
    user = get_user_model().objects.create_user(username=email, email=email, password=PASSWORD)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def response_of(organisation: Organisation) -> Response:
    return Response.objects.get(survey__slug=SLUG, organisation=organisation)


def answer(organisation: Organisation, code: str, row: str = "", column: str = "") -> Answer | None:
    return Answer.objects.filter(
        response__survey__slug=SLUG, response__organisation=organisation, question__code=code, row=row, column=column
    ).first()


def eventually(check: Callable[[], Any], timeout: float = TIMEOUT / 1000, message: str = "") -> Any:
    """Poll the database until `check()` is truthy (a save the browser sent after several keystrokes)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(message or f"condition not met within {timeout} s")
        time.sleep(0.1)


def _questions(survey: Survey, kind: str = "state") -> list[Question]:
    return list(
        Question.objects.of_round(survey)
        .filter(audience__in=["both", kind])
        .select_related("option_set", "section__area")
        .prefetch_related("option_set__options")
        .order_by("section__area__position", "section__position", "position")
    )


def _shown(question: Question, chosen: dict[tuple[str, str], Any]) -> bool:
    """Show-if, written here independently of the app: the rule's question (row) holds one of the listed codes."""
    rule = question.show_if
    if not rule:
        return True
    value = chosen.get((rule["question"], rule.get("row", "")))
    values = value if isinstance(value, list) else [value]
    return any(v in rule["in"] for v in values)


def required_visible_codes(response: Response) -> list[str]:
    """The codes of the required questions a State must answer, given the answers stored now."""
    chosen = {
        (a.question.code, a.row): a.value_choices or a.value_text
        for a in Answer.objects.filter(response=response).select_related("question")
    }
    return [q.code for q in _questions(response.survey) if q.required and _shown(q, chosen)]


def _cell_value(spec: at.CellSpec) -> Any:
    low, high = spec.validation.get("min"), spec.validation.get("max")
    if spec.kind == at.CHOICE:
        return spec.choices[0].code
    if spec.kind == at.CHOICES:
        return [spec.choices[0].code]
    if spec.kind == at.INTEGER:
        number = (low or 0) + 3
        return min(number, high) if high is not None else number
    if spec.kind == at.YEAR:
        return max(low or at.YEAR_MIN, min(2014, high or at.YEAR_MAX))
    if spec.kind == at.DECIMAL:
        return "2"
    if spec.kind == at.TEXT:
        return "Filled in by the browser test helper.".ljust(int(spec.validation.get("min_length", 0)), ".")
    if spec.kind == at.DATE:
        return dt.date.fromisoformat(str(low)) if low else dt.date(2015, 6, 30)
    raise AssertionError(f"no test value for a {spec.kind} cell")


def valid_answer(question: Question) -> dict[tuple[str, str], Any]:
    """A complete, valid answer: first option for choices, every row of a matrix, one cell of a breakdown table."""
    cells = question.cells()
    if question.type == "integer_matrix":
        cells = cells[:1]
    return {spec.key: _cell_value(spec) for spec in cells}


def fill_required(response: Response, user: Any, *, skip: set[str]) -> list[str]:
    """Answer every required, visible question of the State questionnaire except `skip`, with answers_save.

    Questions are taken in page order and visibility is recomputed after each answer, so a question that a
    show-if rule reveals is answered too. File questions are never required in the shipped rounds.
    """
    chosen: dict[tuple[str, str], Any] = {}
    filled: list[str] = []
    for question in _questions(response.survey):
        if not question.required or question.code in skip or not _shown(question, chosen):
            continue
        assert question.type != "file", f"{question.code}: a required file question cannot be filled here"
        raw = valid_answer(question)
        outcome = answers_save(response=response, question=question, raw=raw, base_versions=None, user=user)
        assert outcome.ok, f"{question.code}: {outcome.error or outcome.conflicts}"
        for key, value in raw.items():
            chosen[(question.code, key[0])] = value
        filled.append(question.code)
    return filled


def stored(organisation: Organisation, code: str, row: str = "", column: str = "") -> Any:
    """The typed value of a stored cell (None when there is none)."""
    found = answer(organisation, code, row, column)
    if found is None:
        return None
    spec = next(s for s in found.question.cells() if s.key == (row, column))
    return read(found, spec.kind)


def ensure_response(survey: Survey, organisation: Organisation) -> Response:
    return response_get_or_create(survey=survey, organisation=organisation)


# --- the browser ---------------------------------------------------------------------------------------------------


def log_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("nav")).to_contain_text(email, timeout=TIMEOUT)


def home_url(base_url: str, org: str = "AT") -> str:
    return f"{base_url}/rounds/{SLUG}/respond/{org}/"


def section_url(base_url: str, section: str, org: str = "AT") -> str:
    return f"{home_url(base_url, org)}section/{section}/"


def review_url(base_url: str, org: str = "AT") -> str:
    return f"{home_url(base_url, org)}review/"


def question(page: Page, code: str) -> Locator:
    return page.locator(f'[data-question="{code}"]')


def radio(page: Page, code: str, value: str, row: str = "") -> Locator:
    return page.locator(f'input[type=radio][name="{code}|{row}|"][value="{value}"]')


def cell(page: Page, code: str, row: str = "", column: str = "") -> Locator:
    return page.locator(f'[name="{code}|{row}|{column}"]')


def save_state(page: Page, code: str) -> Locator:
    return question(page, code).locator(".save-status [data-save-state]")


def is_autosave(code: str) -> Callable[[Any], bool]:
    """For page.expect_response: the autosave POST of one question."""
    return lambda r: r.request.method == "POST" and f"/autosave/{code}/" in r.url


def choose(page: Page, code: str, value: str, row: str = "") -> None:
    """Tick a radio button and wait until its autosave answered 'saved'."""
    with page.expect_response(is_autosave(code), timeout=TIMEOUT) as info:
        radio(page, code, value, row).check()
    assert info.value.status == 200, f"autosave of {code} answered {info.value.status}"
    expect(save_state(page, code)).to_have_attribute("data-save-state", "saved", timeout=TIMEOUT)
