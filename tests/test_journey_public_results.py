"""The public results in a real browser: staff publish a closed round's results from the front door, by links and
buttons only; then a visitor who never logs in finds them from the front door, in English on a laptop and in French
on a phone (390 px, no sideways scrolling). axe-core checks every page on the way (tests/test_journeys.py's
`journey`). The NGO that answered is never named on the public pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from accounts.models import Organisation, Role
from reports.models import JobStatus, Publication, ReportRun
from reports.publication.services import publication_publish
from reports.services import report_run_execute
from responses.models import Answer, Response
from responses.services import answers_save, response_submit
from responses.tests.browser_helpers import SLUG, TIMEOUT, ensure_response, fill_required, member
from surveys.models import Question, Survey
from tests.factories import OrganisationFactory
from tests.otp_helpers import confirmed_device
from tests.test_journeys import (  # noqa: F401  (the journey and survey fixtures)
    Journey,
    austria,
    journey,
    log_in_with_code,
    start_at_the_front_door,
    survey,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NGO_NAME = "Stop Trafficking Vienna"
MARKED = "PRV.SUP.01"  # the question whose States' answers staff publish State by State


def fr(text: str) -> str:
    """The French of an English interface text, from the catalogue; never the English itself."""
    with translation.override("fr"):
        french = translation.gettext(text)
    assert french != text, f"no French for {text!r} in the catalogue"
    return french


@pytest.fixture
def closed_round(survey: Survey, austria: Organisation) -> Survey:  # noqa: F811
    """Austria and an NGO working there submitted; the round closed; its final report built."""
    coordinator = member(austria, Role.COORDINATOR, "coordinator@at.example.org")
    response = ensure_response(survey, austria)
    fill_required(response, coordinator, skip=set())
    response_submit(response=response, user=coordinator)
    ngo = OrganisationFactory.create(kind=Organisation.Kind.NGO, code="ngo-vienna", name=NGO_NAME, country=austria)
    ngo_response = ensure_response(survey, ngo)
    saved = answers_save(
        response=ngo_response,
        question=Question.objects.get(survey=survey, code="PRT.ID.01"),
        raw={("", ""): "no"},
        base_versions=None,
        user=None,
    )
    assert saved.ok
    Response.objects.filter(pk=ngo_response.pk).update(status=Response.Status.SUBMITTED)
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED)
    survey.refresh_from_db()
    run = ReportRun.objects.create(survey=survey)
    assert report_run_execute(run_id=run.pk) == JobStatus.DONE
    return survey


def staff_publish(j: Journey, base_url: str, email: str, device: Any) -> None:
    start_at_the_front_door(j, base_url)
    log_in_with_code(j, email, device)
    j.follow(j.link(re.compile("Publish results"), within=j.page.locator(f'[data-round="{SLUG}"]')))
    expect(j.page.locator("[data-not-published]")).to_be_visible()
    j.page.get_by_label(re.compile(rf"^{re.escape(MARKED)} ")).check()
    j.page.get_by_label("I confirm that these results may be shown to the public.").check()
    j.follow(j.button("Publish results"))
    expect(j.page.locator("[data-published]")).to_be_visible()
    expect(j.page.locator('[data-publication-trail] [data-event="published"]')).to_contain_text(email)
    j.follow(j.page.locator("nav.site-nav").get_by_role("button", name="Log out"))


def read_the_results(j: Journey, title: str, state: str) -> str:
    """From the front page's card to the round's page, where `state` (Austria, in the page's language) answered;
    the page's main text."""
    j.follow(j.link(fr("Read the published results") if _french(j) else "Read the published results"))
    j.follow(j.link(title, exact=True))
    expect(j.page.locator("[data-public-title]")).to_have_text(title)
    expect(j.page.locator('[data-public-area="PRV"] [data-headlines] li').first).to_be_visible()
    expect(j.page.locator(f'[data-figures="{MARKED}"] [data-kind="state"]').first).to_be_visible()
    states = j.page.locator(f'[data-state-answers="{MARKED}"]')
    states.locator("summary").click()
    expect(states.get_by_role("cell", name=state, exact=True)).to_be_visible()
    return j.page.locator("main").inner_text()


def _french(j: Journey) -> bool:
    return j.page.locator("html").get_attribute("lang") == "fr"


def switch_to_french(j: Journey) -> None:
    """The top bar's language switch (behind the menu button on a phone)."""
    j.open_menu()
    j.page.get_by_label("Language").select_option("fr")
    j.follow(j.page.get_by_role("button", name="Change language"))
    expect(j.page.locator("html")).to_have_attribute("lang", "fr", timeout=TIMEOUT)


def test_staff_publish_the_results_and_a_visitor_reads_them_in_english_and_in_french_on_a_phone(
    journey: Callable[..., Journey],  # noqa: F811
    live_server: Any,
    closed_round: Survey,
    austria: Organisation,  # noqa: F811
) -> None:
    staff = member(austria, Role.VIEWER, "staff@osce.example.org")  # a person first, then made Office staff
    staff.memberships.all().delete()
    staff.is_staff = True
    staff.save()
    device = confirmed_device(staff)

    staff_publish(journey(), live_server.url, staff.email, device)
    assert Publication.objects.get().public_questions == [MARKED]

    visitor = journey()
    start_at_the_front_door(visitor, live_server.url)
    text = read_the_results(visitor, closed_round.title["en"], "Austria")
    assert "responding participating States reported" in text
    assert NGO_NAME not in visitor.page.content()

    phone = journey(phone=True)
    start_at_the_front_door(phone, live_server.url)
    switch_to_french(phone)
    text = read_the_results(phone, closed_round.title["fr"], "Autriche")  # the round's own French name
    assert "responding participating States" not in text
    assert fr("Published results") in text
    assert NGO_NAME not in phone.page.content()


def ngo_answers(round_: Survey, country: Organisation, code: str, answer: str) -> Response:
    """An NGO working in `country` that submitted its answer to PRT.ID.01."""
    ngo = OrganisationFactory.create(kind=Organisation.Kind.NGO, code=code, country=country)
    response = ensure_response(round_, ngo)
    question = Question.objects.get(survey=round_, code="PRT.ID.01")
    saved = answers_save(response=response, question=question, raw={("", ""): answer}, base_versions=None, user=None)
    assert saved.ok
    Response.objects.filter(pk=response.pk).update(status=Response.Status.SUBMITTED)
    return response


def test_staff_rebuild_a_report_older_than_the_closing_and_confirm_ngo_figures_that_moved_by_one(
    journey: Callable[..., Journey],  # noqa: F811
    live_server: Any,
    closed_round: Survey,
    austria: Organisation,  # noqa: F811
) -> None:
    """Three NGOs answered PRT.ID.01, so their figures are public; then one changes its answer and the round is
    closed again after the last build. Staff are sent to build the report first, then warned that PRT.ID.01's NGO
    figures moved by one and publish again only after ticking that they checked it."""
    late = ngo_answers(closed_round, austria, "ngo-graz", "yes")
    ngo_answers(closed_round, austria, "ngo-linz", "no")
    run = ReportRun.objects.create(survey=closed_round)
    assert report_run_execute(run_id=run.pk) == JobStatus.DONE
    publication_publish(survey=closed_round, user=None)
    Answer.objects.filter(response=late, question__code="PRT.ID.01").update(value_text="no")
    Survey.objects.filter(pk=closed_round.pk).update(closed_at=timezone.now())
    staff = member(austria, Role.VIEWER, "staff@osce.example.org")
    staff.memberships.all().delete()
    staff.is_staff = True
    staff.save()

    j = journey()
    start_at_the_front_door(j, live_server.url)
    log_in_with_code(j, staff.email, confirmed_device(staff))
    j.follow(j.link(re.compile("Publish results"), within=j.page.locator(f'[data-round="{SLUG}"]')))
    refusal = j.page.locator("[data-publication-refusal]")
    expect(refusal).to_contain_text("before the round closed")
    expect(j.page.locator("[data-publish-form]")).to_have_count(0)
    j.follow(j.button("Build report", within=refusal))
    j.follow(j.link("Publish results", within=j.page.locator("[data-round-nav]")))
    expect(j.page.locator("[data-publication-refusal]")).to_have_count(0)
    warning = j.page.locator("[data-ngo-changes]")
    expect(warning.locator('[data-ngo-change="PRT.ID.01"]')).to_be_visible()
    j.page.get_by_label("I confirm that these results may be shown to the public.").check()
    j.follow(j.button("Publish again"))
    expect(j.page.get_by_text("Tick this to publish again although the NGO figures")).to_be_visible()
    j.page.get_by_label(re.compile("^I have checked these questions")).check()
    j.page.get_by_label("I confirm that these results may be shown to the public.").check()
    j.follow(j.button("Publish again"))
    expect(j.page.locator('[data-publication-trail] [data-event="republished"]')).to_be_visible()
    figures = Publication.objects.get().data["choice_counts"]
    assert {
        r["count"] for r in figures if r["question"] == "PRT.ID.01" and r["kind"] == "ngo" and r["option"] == "no"
    } == {3}


def test_the_public_pages_raise_no_policy_violation(page: Page, live_server: Any, closed_round: Survey) -> None:
    """Opened without bypassing the Content-Security-Policy: the bars are SVG, no script and no style is inline."""
    publication_publish(survey=closed_round, user=None, public_questions=[MARKED])
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    for path in ("/", "/results/", f"/results/{SLUG}/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state()
    expect(page.locator("svg.result-bar").first).to_be_attached()
    assert violations == []
