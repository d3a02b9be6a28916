"""Staff dashboards: access, the numbers each page shows (from the stored report), the live status board and its
filters, the no-report and provisional states, report builds with their progress page, and query counts that do
not grow with the data."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from accounts.models import Organisation, Role
from reports import dashboard, selectors, workbook
from reports.models import JobStatus, Report, ReportRun
from reports.services import report_run_request
from responses.models import DeadlineExtension, Reminder, Response
from responses.reminders import ReminderError, reminder_send_manual
from responses.services import answers_save, response_get_or_create
from responses.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from surveys.models import Question, Survey
from surveys.selectors import questions_with_words
from tests.otp_helpers import force_login_verified

SLUG = "thb-2016"
YES_NO = "PRV.SUP.01"  # single choice, States only, scored (area PRV)
BOTH = "PRT.ID.01"  # single choice, States and NGOs, scored (area PRT)
TEXT = "GEN.R.02"  # short text, States and NGOs
NUMBER = "PRO.ENF.06"  # whole number, States only


# --- data -----------------------------------------------------------------------------------------------------------


def load_round(path: str = "surveys/definitions/thb-2016.yaml", slug: str = SLUG) -> Survey:
    call_command("load_survey", path, stdout=io.StringIO())
    Survey.objects.filter(slug=slug).update(
        status=Survey.Status.OPEN, closes_on=None
    )  # no deadline: answering stays open
    return Survey.objects.get(slug=slug)


def question(survey: Survey, code: str) -> Question:
    return (
        Question.objects.of_round(survey)
        .select_related("option_set")
        .prefetch_related("option_set__options")
        .get(code=code)
    )


def answer(survey: Survey, org: Organisation, code: str, value: Any, row: str = "", column: str = "") -> Response:
    response = response_get_or_create(survey=survey, organisation=org)
    outcome = answers_save(
        response=response, question=question(survey, code), raw={(row, column): value}, base_versions=None, user=None
    )
    assert outcome.ok, outcome.error or outcome.conflicts
    return response


def set_status(survey: Survey, status: str, *codes: str) -> None:
    for code in codes:
        response_get_or_create(survey=survey, organisation=Organisation.objects.get(code=code))
    Response.objects.filter(survey=survey, organisation__code__in=codes).update(status=status)


def org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def build(survey: Survey, capture: Callable[..., Any], *, provisional: bool = False) -> ReportRun:
    with capture(execute=True):
        run = report_run_request(survey=survey, include_in_progress=provisional)
    run.refresh_from_db()
    assert run.status == JobStatus.DONE, run.error
    return run


@pytest.fixture
def survey(db: None) -> Survey:
    return load_round()


@pytest.fixture
def ngo(db: None) -> Organisation:
    return OrganisationFactory(code="ngo-at-one", name="NGO One in Austria", country=org("AT"))


@pytest.fixture
def answered(survey: Survey, ngo: Organisation) -> Survey:
    """AT submitted, DE accepted, FR resubmitted (counted); IT in progress and PL returned (provisional only);
    an NGO in Austria submitted. PRV.SUP.01: AT yes, DE yes, FR no, IT yes."""
    answer(survey, org("AT"), YES_NO, "yes")
    answer(survey, org("DE"), YES_NO, "yes")
    answer(survey, org("FR"), YES_NO, "no")
    answer(survey, org("IT"), YES_NO, "yes")
    answer(survey, org("AT"), BOTH, "yes")
    answer(survey, org("DE"), BOTH, "no")
    answer(survey, ngo, BOTH, "no")
    answer(survey, org("AT"), TEXT, "Federal Ministry of the Interior")
    answer(survey, ngo, TEXT, "Our shelter network")
    # PRO.ENF.06 is asked only when PRO.ENF.01 is yes or in process (show-if); hidden answers are not counted.
    answer(survey, org("AT"), "PRO.ENF.01", "yes")
    answer(survey, org("DE"), "PRO.ENF.01", "in_process")
    answer(survey, org("AT"), NUMBER, 12)
    answer(survey, org("DE"), NUMBER, 30)
    set_status(survey, Response.Status.SUBMITTED, "AT", "ngo-at-one")
    set_status(survey, Response.Status.ACCEPTED, "DE")
    set_status(survey, Response.Status.RESUBMITTED, "FR")
    set_status(survey, Response.Status.IN_PROGRESS, "IT")
    set_status(survey, Response.Status.RETURNED, "PL")
    return survey


@pytest.fixture
def built(answered: Survey, django_capture_on_commit_callbacks: Callable[..., Any]) -> Survey:
    build(answered, django_capture_on_commit_callbacks)
    return answered


@pytest.fixture
def staff(db: None) -> Any:
    return UserFactory(is_staff=True, email="officer@osce.example.org")


@pytest.fixture
def staff_client(client: Client, staff: Any) -> Client:
    force_login_verified(client, staff)
    return client


def json_block(html: str, element_id: str) -> Any:
    found = re.search(rf'<script id="{re.escape(element_id)}" type="application/json">(.*?)</script>', html, re.S)
    assert found, f"no json_script block {element_id!r}"
    return json.loads(found.group(1))


def by_option(chart: dict[str, Any], kind: str) -> dict[str, int]:
    dataset = next(d for d in chart["datasets"] if d["kind"] == kind)
    return dict(zip(chart["codes"], dataset["data"], strict=True))


def board_rows(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-state="([A-Z]{2})" data-status="([a-z_]+)">', html))


# --- access ---------------------------------------------------------------------------------------------------------

PAGES = {
    "dashboard-round": lambda s: reverse("reports:dashboard-round", args=[s.slug]),
    "dashboard-area": lambda s: reverse("reports:dashboard-area", args=[s.slug, "PRV"]),
    "dashboard-commitments": lambda s: reverse("reports:dashboard-commitments", args=[s.slug]),
    "dashboard-question": lambda s: reverse("reports:dashboard-question", args=[s.slug, YES_NO]),
    "dashboard-country": lambda s: reverse("reports:dashboard-country", args=[s.slug, "AT"]),
    "report-run": lambda s: reverse("reports:report-run", args=[ReportRun.objects.filter(survey=s).latest("pk").pk]),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_is_for_office_staff_only(built: Survey, staff: Any, client: Client, name: str) -> None:
    url = PAGES[name](built)
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))

    coordinator = MembershipFactory(organisation=org("AT"), role=Role.COORDINATOR).user
    client.force_login(coordinator)
    denied = client.get(url)
    assert denied.status_code == 404
    assert b"Federal Ministry" not in denied.content

    force_login_verified(client, staff)
    assert client.get(url).status_code == 200


def test_building_is_for_office_staff_only(survey: Survey, staff: Any, client: Client) -> None:
    url = reverse("reports:report-build", args=[survey.slug])
    anonymous = client.post(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    client.force_login(MembershipFactory(organisation=org("AT"), role=Role.COORDINATOR).user)
    assert client.post(url).status_code == 404
    assert not ReportRun.objects.exists()
    force_login_verified(client, staff)
    assert client.get(url).status_code == 405  # building is a POST


def test_unknown_area_question_or_country_is_404(built: Survey, staff_client: Client) -> None:
    assert staff_client.get(reverse("reports:dashboard-area", args=[SLUG, "XYZ"])).status_code == 404
    assert staff_client.get(reverse("reports:dashboard-question", args=[SLUG, "NOPE.01"])).status_code == 404
    assert staff_client.get(reverse("reports:dashboard-country", args=[SLUG, "ZZ"])).status_code == 404
    assert staff_client.get(reverse("reports:dashboard-country", args=[SLUG, "ngo-at-one"])).status_code == 404
    assert staff_client.get(reverse("reports:dashboard-round", args=["no-such-round"])).status_code == 404


# --- per area -------------------------------------------------------------------------------------------------------


def test_area_page_shows_the_stored_numbers(built: Survey, staff_client: Client) -> None:
    html = staff_client.get(reverse("reports:dashboard-area", args=[SLUG, "PRV"])).content.decode()
    chart = json_block(html, f"chart-data-{YES_NO}")
    assert chart["codes"][:2] == ["yes", "no"]
    states = by_option(chart, "state")
    assert (states["yes"], states["no"], states["in_process"]) == (2, 1, 0)
    assert chart["labels"][:2] == ["Yes", "No"]
    assert f'data-chart="chart-data-{YES_NO}"' in html
    # The headline sentence, rebuilt in the reader's language from the stored numbers.
    assert "2 of 3 responding participating States reported a public procurement policy" in html
    # Scores by State with the OSCE median: AT and DE 100 %, FR 0 % -> median 100 %.
    assert re.search(r'<tr data-score="AT">.*?100%', html, re.S)
    assert re.search(r'<tr data-score="FR">.*?0%', html, re.S)
    assert re.search(r"<tr data-median>.*?100%", html, re.S)
    assert html.index('data-score="AT"') < html.index('data-score="FR"')  # sorted, best first
    assert 'data-region="eu_members"' in html
    assert "No report has been built" not in html
    assert "<script>" not in html  # no inline script: only json_script blocks and files


def test_area_page_shows_ngos_and_agreement(built: Survey, staff_client: Client) -> None:
    html = staff_client.get(reverse("reports:dashboard-area", args=[SLUG, "PRT"])).content.decode()
    chart = json_block(html, f"chart-data-{BOTH}")
    assert by_option(chart, "state")["yes"] == 1
    assert by_option(chart, "state")["no"] == 1
    assert by_option(chart, "ngo")["no"] == 1
    # AT said yes, the NGO working in Austria no: one pair, 0 % agreement.
    assert re.search(r"data-agreement>.*?In 0% of 1 State–NGO pair", html, re.S)


def test_area_page_in_french(built: Survey, client: Client, staff: Any) -> None:
    force_login_verified(client, staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = client.get(reverse("reports:dashboard-area", args=[SLUG, "PRV"])).content.decode()
    assert "une politique d&#x27;achats publics pour écarter" in html  # the headline in French
    assert "Lorsque l&#x27;administration achète des biens" in html  # the question text in French
    chart = json_block(html, f"chart-data-{YES_NO}")
    assert chart["labels"][:2] == ["Oui", "Non"]


def test_changes_since_the_previous_round(
    survey: Survey, staff_client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    answer(survey, org("AT"), YES_NO, "no")
    answer(survey, org("DE"), YES_NO, "yes")
    set_status(survey, Response.Status.ACCEPTED, "AT", "DE")
    current = load_round("surveys/definitions/thb-2021.yaml", "thb-2021")
    assert current.previous == survey
    answer(current, org("AT"), YES_NO, "yes")
    answer(current, org("DE"), YES_NO, "yes")
    set_status(current, Response.Status.SUBMITTED, "AT", "DE")
    build(current, django_capture_on_commit_callbacks)

    html = staff_client.get(reverse("reports:dashboard-area", args=["thb-2021", "PRV"])).content.decode()
    assert re.search(rf'<tr data-change="{re.escape(YES_NO)}">.*?data-change-yes>1 → 2<', html, re.S)
    country = staff_client.get(reverse("reports:dashboard-country", args=["thb-2021", "AT"])).content.decode()
    assert re.search(rf'<tr data-change="{re.escape(YES_NO)}">.*?<td>No</td><td>Yes</td>', country, re.S)


# --- per question ---------------------------------------------------------------------------------------------------


def test_question_page_counts_and_who_answered_what(built: Survey, staff_client: Client) -> None:
    html = staff_client.get(reverse("reports:dashboard-question", args=[SLUG, YES_NO])).content.decode()
    yes_row = re.search(r'<tr data-option="yes">(.*?)</tr>', html, re.S)
    assert yes_row
    assert 'data-kind="state" data-count="2"' in yes_row.group(1)
    assert "67%" in yes_row.group(1)  # 2 of the 3 States that answered
    assert re.search(r'<td class="text-end" data-answered="state">3</td>', html)
    assert by_option(json_block(html, f"chart-data-{YES_NO}-all"), "state")["no"] == 1
    who_yes = re.search(r'data-who-option="yes">.*?</dd>', html, re.S)
    assert who_yes
    assert 'data-organisation="AT"' in who_yes.group(0)
    assert 'data-organisation="DE"' in who_yes.group(0)
    assert 'data-organisation="IT"' not in html  # in progress: not counted in the final report
    assert reverse("responses:response-home", args=[SLUG, "AT"]) in html


def test_question_page_lists_free_texts_and_number_summaries(built: Survey, staff_client: Client) -> None:
    html = staff_client.get(reverse("reports:dashboard-question", args=[SLUG, TEXT])).content.decode()
    assert "Federal Ministry of the Interior" in html
    assert "Our shelter network" in html
    assert reverse("responses:response-home", args=[SLUG, "ngo-at-one"]) in html
    numbers = staff_client.get(reverse("reports:dashboard-question", args=[SLUG, NUMBER])).content.decode()
    assert re.search(r"<td class=\"text-end\" data-sum>42</td>", numbers)
    assert re.search(r'<tr data-organisation="DE">.*?30', numbers, re.S)


# --- country profile ------------------------------------------------------------------------------------------------


def test_country_profile(built: Survey, staff_client: Client) -> None:
    html = staff_client.get(reverse("reports:dashboard-country", args=[SLUG, "AT"])).content.decode()
    assert "data-print" in html
    state_answer = re.search(rf'<tr data-answer-question="{re.escape(BOTH)}">.*?</tr>', html, re.S)
    assert state_answer
    assert re.search(r"data-state-answer><div>Yes</div>", state_answer.group(0))
    assert "NGO One in Austria:</span> No" in state_answer.group(0)
    assert "0% of NGOs gave the State" in state_answer.group(0)
    assert "Federal Ministry of the Interior" in html
    chart = json_block(html, "country-score-chart")
    scores = dict(zip(chart["codes"], chart["datasets"][0]["data"], strict=True))
    medians = dict(zip(chart["codes"], chart["datasets"][1]["data"], strict=True))
    assert scores["PRV"] == 100
    assert medians["PRV"] == 100
    assert scores["PRT"] == 100
    assert medians["PRT"] == 50  # AT yes (1.0), DE no (0.0)
    assert "EU member States" in html
    assert "data-not-counted" not in html


def test_country_profile_of_a_state_that_is_not_counted(built: Survey, staff_client: Client) -> None:
    html = staff_client.get(reverse("reports:dashboard-country", args=[SLUG, "IT"])).content.decode()
    assert "data-not-counted" in html
    assert 'data-response-status="in_progress"' in html


# --- round overview -------------------------------------------------------------------------------------------------


def test_status_board_lists_every_state_with_its_live_status(built: Survey, staff_client: Client) -> None:
    coordinator = MembershipFactory(
        organisation=org("AT"), role=Role.COORDINATOR, user=UserFactory(email="coord.at@bmi.example")
    ).user
    MembershipFactory(organisation=org("AT"), role=Role.VIEWER, user=UserFactory(email="viewer.at@bmi.example"))
    at_response = Response.objects.get(survey=built, organisation__code="AT")
    Reminder.objects.create(response=at_response, days_before=7)
    Reminder.objects.create(response=at_response, days_before=-1)
    Response.objects.filter(survey=built, organisation__code="DE").update(status=Response.Status.RETURNED)  # live

    html = staff_client.get(reverse("reports:dashboard-round", args=[SLUG])).content.decode()
    rows = board_rows(html)
    assert len(rows) == 57
    assert rows["AT"] == "submitted"
    assert rows["DE"] == "returned"  # the board is live, not from the report
    assert rows["FR"] == "resubmitted"
    assert rows["IT"] == "in_progress"
    assert rows["PL"] == "returned"
    assert rows["US"] == "not_started"
    at_row = re.search(r'<tr data-state="AT".*?</tr>', html, re.S)
    assert at_row
    assert coordinator.email in at_row.group(0)
    assert "viewer.at@bmi.example" not in at_row.group(0)
    assert re.search(r"data-reminders>2<", at_row.group(0))
    assert reverse("responses:response-home", args=[SLUG, "AT"]) in at_row.group(0)
    assert reverse("reports:dashboard-country", args=[SLUG, "AT"]) in at_row.group(0)
    assert "data-send-reminder" not in at_row.group(0)  # AT has submitted: no reminder to send
    # Totals: States and NGOs by status (the NGO in Austria submitted; none other registered).
    assert re.search(r'data-total-status="not_started"><td>Not started</td><td class="text-end" data-states>52<', html)
    assert re.search(r'data-total-status="submitted">.*?data-states>1<.*?data-ngos>1<', html, re.S)
    chart = json_block(html, "status-chart-data")
    assert by_option(chart, "state")["returned"] == 2
    assert by_option(chart, "ngo")["submitted"] == 1
    # Links to every area, question and country of the report.
    assert reverse("reports:dashboard-area", args=[SLUG, "PRV"]) in html
    assert reverse("reports:dashboard-question", args=[SLUG, YES_NO]) in html
    assert 'data-latest-run="done"' in html


def test_status_board_filters_by_status_and_region(built: Survey, staff_client: Client) -> None:
    url = reverse("reports:dashboard-round", args=[SLUG])
    assert set(board_rows(staff_client.get(url, {"status": "submitted"}).content.decode())) == {"AT"}
    assert set(board_rows(staff_client.get(url, {"status": "not_started"}).content.decode())) >= {"US", "AL"}
    assert len(board_rows(staff_client.get(url, {"status": "not_started"}).content.decode())) == 52
    balkans = board_rows(staff_client.get(url, {"region": "western_balkans"}).content.decode())
    assert set(balkans) == {"AL", "BA", "ME", "MK", "RS"}
    both = board_rows(staff_client.get(url, {"region": "eu_members", "status": "in_progress"}).content.decode())
    assert set(both) == {"IT"}
    assert len(board_rows(staff_client.get(url, {"status": "bogus", "region": "atlantis"}).content.decode())) == 57


def test_send_reminder_button_posts_to_the_reminder_action(built: Survey, staff_client: Client) -> None:
    MembershipFactory(organisation=org("US"), role=Role.COORDINATOR)
    html = staff_client.get(reverse("reports:dashboard-round", args=[SLUG])).content.decode()
    target = reverse("responses:reminder-send", kwargs={"slug": SLUG, "org_code": "US"})  # US has not started
    button = re.search(r'<button[^>]*data-send-reminder="US".*?</button>', html, re.S)
    assert button
    assert f'formaction="{target}"' in button.group(0)
    assert 'type="submit"' in button.group(0)
    assert 'Send reminder<span class="visually-hidden">: United States of America</span>' in button.group(0)
    assert reverse("responses:reminder-send", kwargs={"slug": SLUG, "org_code": "AT"}) not in html  # AT has submitted
    # The buttons share one form and its one CSRF token, not one form per row.
    assert 'form="board-reminders"' in button.group(0)
    form = re.search(r'<form method="post" id="board-reminders" data-reminder-form>(.*?)</form>', html, re.S)
    assert form
    assert form.group(1).count("csrfmiddlewaretoken") == 1
    assert html.count("csrfmiddlewaretoken") == 4  # the language, log-out and build forms, and this one


def test_both_build_buttons_submit_the_one_build_form_with_their_basis(built: Survey, staff_client: Client) -> None:
    html = staff_client.get(reverse("reports:dashboard-round", args=[SLUG])).content.decode()
    form = re.search(r'<form method="post" action="([^"]+)" id="report-build"[^>]*>(.*?)</form>', html, re.S)
    assert form
    assert form.group(1) == reverse("reports:report-build", args=[SLUG])
    assert form.group(2).count("csrfmiddlewaretoken") == 1
    for basis, value in (("final", ""), ("provisional", "provisional")):
        button = re.search(rf'<button[^>]*data-build-report="{basis}"[^>]*>', html)
        assert button, basis
        assert 'type="submit" form="report-build"' in button.group(0)
        assert f'name="basis" value="{value}"' in button.group(0)


def _reminder_buttons(html: str) -> set[str]:
    return set(re.findall(r'data-send-reminder="([A-Z]{2})"', html))


def test_the_board_offers_a_reminder_only_where_one_can_go(built: Survey, staff: Any, staff_client: Client) -> None:
    """A coordinator to receive it, answers not sent yet, the deadline not passed, the round open: the rule of
    `reminder_send_manual`, so that the button never leads to a refusal."""
    for code in ("AT", "DE", "FR", "IT", "PL", "US"):
        MembershipFactory(organisation=org(code), role=Role.COORDINATOR)
    MembershipFactory(organisation=org("CA"), role=Role.COORDINATOR, user=UserFactory(is_active=False))
    url = reverse("reports:dashboard-round", args=[SLUG])
    # AT submitted, DE accepted, FR resubmitted: sent. CA's only coordinator cannot log in; the other States have
    # nobody to remind.
    offered = _reminder_buttons(staff_client.get(url).content.decode())
    assert offered == {"IT", "PL", "US"}
    # The action agrees: it sends exactly where the board offers the button.
    sent = set()
    for code in ("AT", "DE", "FR", "IT", "PL", "US", "CA", "MD"):
        try:
            reminder_send_manual(survey=built, organisation=org(code), user=staff)
        except ReminderError:
            continue
        sent.add(code)
    assert sent == offered

    # The deadline passed yesterday: no reminder anywhere, except where an extension gives more time.
    Survey.objects.filter(pk=built.pk).update(closes_on=timezone.localdate() - dt.timedelta(days=1))
    assert _reminder_buttons(staff_client.get(url).content.decode()) == set()
    built.refresh_from_db()
    DeadlineExtension.objects.create(
        survey=built, organisation=org("IT"), until=timezone.localdate() + dt.timedelta(days=3), reason="Elections"
    )
    assert _reminder_buttons(staff_client.get(url).content.decode()) == {"IT"}

    # A closed round reminds nobody.
    Survey.objects.filter(pk=built.pk).update(status=Survey.Status.CLOSED)
    assert _reminder_buttons(staff_client.get(url).content.decode()) == set()


def test_home_page_links_staff_to_the_dashboard(survey: Survey, client: Client, staff: Any) -> None:
    client.force_login(MembershipFactory(organisation=org("AT"), role=Role.COORDINATOR).user)
    assert reverse("reports:dashboard-round", args=[SLUG]) not in client.get("/").content.decode()
    force_login_verified(client, staff)
    assert reverse("reports:dashboard-round", args=[SLUG]) in client.get("/").content.decode()


def test_the_stored_report_is_decoded_once_per_build_and_a_new_build_is_seen_at_once(
    built: Survey, django_capture_on_commit_callbacks: Any, django_assert_num_queries: Any
) -> None:
    first = selectors.report_document(survey=built)
    assert first is not None
    with django_assert_num_queries(1):  # the row's id and build time, not its document
        again = selectors.report_document(survey=built)
    assert again is first
    assert selectors.report_document(survey=built, include_in_progress=True) is None  # the other basis: never built

    build(built, django_capture_on_commit_callbacks)
    rebuilt = selectors.report_document(survey=built)
    stored = Report.objects.get(survey=built, include_in_progress=False)
    assert rebuilt is not None
    assert rebuilt is not first
    assert (rebuilt.pk, rebuilt.built_at, rebuilt.data) == (stored.pk, stored.built_at, stored.data)
    # A document saved again without a new build time (a fix in the admin) is read again too.
    stored.data = {**stored.data, "areas": []}
    stored.save()
    fixed = selectors.report_document(survey=built)
    assert fixed is not None
    assert fixed.data["areas"] == []
    Report.objects.filter(pk=stored.pk).delete()
    assert selectors.report_document(survey=built) is None


# --- no report, provisional -----------------------------------------------------------------------------------------


def test_pages_without_a_report_say_so_and_offer_the_build_button(answered: Survey, staff_client: Client) -> None:
    build_url = reverse("reports:report-build", args=[SLUG])
    for url in (
        reverse("reports:dashboard-area", args=[SLUG, "PRV"]),
        reverse("reports:dashboard-commitments", args=[SLUG]),
        reverse("reports:dashboard-question", args=[SLUG, YES_NO]),
        reverse("reports:dashboard-country", args=[SLUG, "AT"]),
        reverse("reports:dashboard-round", args=[SLUG]),
    ):
        response = staff_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "No report has been built for this round yet." in html, url
        assert f'action="{build_url}"' in html, url
        assert "data-provisional" not in html


def test_provisional_basis(built: Survey, staff_client: Client, django_capture_on_commit_callbacks: Any) -> None:
    url = reverse("reports:dashboard-area", args=[SLUG, "PRV"])
    before = staff_client.get(url, {"basis": "provisional"}).content.decode()
    assert "No provisional report has been built for this round yet." in before
    assert "data-provisional" in before
    assert 'name="basis" value="provisional"' in before

    build(built, django_capture_on_commit_callbacks, provisional=True)
    html = staff_client.get(url, {"basis": "provisional"}).content.decode()
    assert "data-provisional" in html
    assert "Provisional" in html
    assert by_option(json_block(html, f"chart-data-{YES_NO}"), "state")["yes"] == 3  # IT, in progress, counts
    assert f"{reverse('reports:dashboard-question', args=[SLUG, YES_NO])}?basis=provisional" in html
    final = staff_client.get(url).content.decode()
    assert "data-provisional" not in final
    assert by_option(json_block(final, f"chart-data-{YES_NO}"), "state")["yes"] == 2
    who = staff_client.get(reverse("reports:dashboard-question", args=[SLUG, YES_NO]), {"basis": "provisional"})
    assert 'data-organisation="IT"' in who.content.decode()


# --- builds ---------------------------------------------------------------------------------------------------------


def test_build_button_creates_a_run_and_the_run_page_shows_it_done(
    answered: Survey, staff_client: Client, staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("reports:report-build", args=[SLUG]), {"basis": ""})
    run = ReportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:report-run", args=[run.pk])
    assert run.requested_by == staff
    assert run.include_in_progress is False
    assert Report.objects.filter(survey=answered, include_in_progress=False).exists()

    page = staff_client.get(response["Location"]).content.decode()
    assert 'data-run-status="done"' in page
    assert 'aria-valuenow="100"' in page
    assert "100%" in page
    assert "hx-get" not in page  # finished: no more polling
    assert reverse("reports:dashboard-area", args=[SLUG, "PRO"]) in page  # the first area with scored questions

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("reports:report-build", args=[SLUG]), {"basis": "provisional"})
    assert ReportRun.objects.latest("pk").include_in_progress is True
    assert Report.objects.filter(survey=answered, include_in_progress=True).exists()


def test_run_partial_polls_until_finished_and_shows_errors(survey: Survey, staff_client: Client) -> None:
    queued = ReportRun.objects.create(survey=survey, progress=45, status=JobStatus.RUNNING, message="counting")
    url = reverse("reports:report-run", args=[queued.pk])
    partial = staff_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial
    assert f'hx-get="{url}"' in partial
    assert 'hx-trigger="load delay:1s"' in partial
    assert 'aria-valuenow="45"' in partial
    assert "45%" in partial

    failed = ReportRun.objects.create(
        survey=survey, status=JobStatus.FAILED, progress=60, error="ValueError: bad data in PRO.DATA.01"
    )
    page = staff_client.get(reverse("reports:report-run", args=[failed.pk])).content.decode()
    assert 'data-run-status="failed"' in page
    assert "ValueError: bad data in PRO.DATA.01" in page
    assert "hx-get" not in page
    overview = staff_client.get(reverse("reports:dashboard-round", args=[SLUG])).content.decode()
    assert 'data-latest-run="failed"' in overview
    assert "ValueError: bad data" in overview


# --- query counts ---------------------------------------------------------------------------------------------------


def _grow(survey: Survey, states: list[str], ngos: int) -> None:
    """More States and NGOs answering more questions, with coordinators and reminders."""
    for code in states:
        state = org(code)
        answer(survey, state, YES_NO, "yes")
        answer(survey, state, BOTH, "no")
        answer(survey, state, TEXT, f"Answer of {code}")
        answer(survey, state, NUMBER, 5)
        answer(survey, state, "PRV.DEM.01", "partially")
        MembershipFactory(organisation=state, role=Role.COORDINATOR)
        Reminder.objects.create(response=Response.objects.get(survey=survey, organisation=state), days_before=-1)
    set_status(survey, Response.Status.SUBMITTED, *states)
    for i in range(ngos):
        extra = OrganisationFactory(code=f"ngo-extra-{len(states)}-{i}", country=org(states[i % len(states)]))
        answer(survey, extra, BOTH, "yes")
        answer(survey, extra, TEXT, "An NGO's text")
        set_status(survey, Response.Status.SUBMITTED, extra.code)


def _query_counts(client: Client, survey: Survey) -> dict[str, int]:
    urls = {
        "round": reverse("reports:dashboard-round", args=[survey.slug]),
        "round-filtered": reverse("reports:dashboard-round", args=[survey.slug])
        + "?status=submitted&region=eu_members",
        "area": reverse("reports:dashboard-area", args=[survey.slug, "PRT"]),
        "commitments": reverse("reports:dashboard-commitments", args=[survey.slug]),
        "question": reverse("reports:dashboard-question", args=[survey.slug, BOTH]),
        "question-text": reverse("reports:dashboard-question", args=[survey.slug, TEXT]),
        "country": reverse("reports:dashboard-country", args=[survey.slug, "AT"]),
        "run": reverse("reports:report-run", args=[ReportRun.objects.filter(survey=survey).latest("pk").pk]),
    }
    counts = {}
    for name, url in urls.items():
        client.get(url)  # warm up (session, content types)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[name] = len(queries)
    return counts


def test_query_counts_do_not_grow_with_the_data(
    answered: Survey, staff_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    build(answered, django_capture_on_commit_callbacks)
    small = _query_counts(staff_client, answered)

    _grow(answered, ["BE", "NL", "ES", "SE", "NO", "CH", "GB", "US", "CA", "AL", "RS", "UA"], ngos=15)
    build(answered, django_capture_on_commit_callbacks)
    assert Report.objects.get(survey=answered, include_in_progress=False).data["response_rates"]["ngos"]["counted"] > 10
    large = _query_counts(staff_client, answered)
    assert large == small, (small, large)
    # A small fixed budget: the page's own reads plus the session (loaded, user, and saved on every request for the
    # idle timeout).
    assert max(small.values()) <= 14, small
    # The status board: the session's 3, the round, the States with their responses, the coordinators, the
    # standing (2), the stored report's id and build time, the latest build.
    assert small["round"] <= 10, small


# --- dates ----------------------------------------------------------------------------------------------------------


def test_dates_on_the_staff_pages_follow_the_readers_language(built: Survey, staff_client: Client) -> None:
    """Named formats (SHORT_DATETIME_FORMAT …), not a pattern written into the template: a German reader gets
    German dates."""
    Response.objects.filter(survey=built, organisation__code="IT").update(
        last_activity_at=timezone.make_aware(dt.datetime(2026, 12, 2, 7, 30))
    )
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    html = staff_client.get(reverse("reports:dashboard-round", args=[SLUG])).content.decode()
    run = ReportRun.objects.filter(survey=built).latest("pk")
    with translation.override("de"):
        activity = formats.date_format(timezone.make_aware(dt.datetime(2026, 12, 2, 7, 30)), "SHORT_DATETIME_FORMAT")
        built_at = formats.date_format(
            timezone.localtime(Report.objects.get(survey=built, include_in_progress=False).built_at),
            "SHORT_DATETIME_FORMAT",
        )
        requested = formats.date_format(timezone.localtime(run.created_at), "SHORT_DATETIME_FORMAT")
    it_row = re.search(r'<tr data-state="IT".*?</tr>', html, re.S)
    assert it_row
    assert activity in it_row.group(0)
    assert built_at in html
    page = staff_client.get(reverse("reports:report-run", args=[run.pk])).content.decode()
    assert requested in page


# --- display modules: the pages and the workbook take their data from the selectors and do no queries ----------------


def test_the_dashboard_pages_do_no_queries_once_the_selectors_have_read_their_data(
    built: Survey, django_assert_num_queries: Any
) -> None:
    doc = dashboard.report_doc(built, False)
    assert doc is not None
    board = selectors.status_board_data(survey=built)
    model = selectors.question_model(built, YES_NO)
    assert model is not None
    answers = selectors.answers_for_question(built, YES_NO, doc.counted_statuses)
    state = org("AT")
    cells = selectors.country_answers(built, state, doc.counted_statuses)
    models = questions_with_words(survey=built, codes={cell[3] for cell in cells})
    with django_assert_num_queries(0):
        assert dashboard.status_board_page(board).rows
        assert dashboard.area_page(doc, next(iter(doc.areas)))["area"]
        assert dashboard.commitments_page(doc)["findings"]
        assert dashboard.question_page(doc, model, answers, built)["tables"]
        assert dashboard.country_page(doc, state, cells, models)["areas"]


def test_the_workbook_does_no_queries_and_reads_no_files(built: Survey, django_assert_num_queries: Any) -> None:
    report = selectors.report_stored(survey=built)
    assert report is not None
    regions = selectors.regions()
    stream = io.BytesIO()
    with django_assert_num_queries(0):
        workbook.write_summary(stream, report_data=report.data, raw_rows=iter(()), language="en", regions=regions)
    assert stream.getvalue().startswith(b"PK")


def test_the_regions_file_is_parsed_once_per_process_and_shared_read_only() -> None:
    selectors._regions_file.cache_clear()
    selectors.regions.cache_clear()
    first = selectors.regions()
    assert selectors.regions() is first  # made once, not copied per call
    with pytest.raises(TypeError):
        first["eu_members"] = {}  # type: ignore[index]  # no caller can change what every request reads
    with pytest.raises(TypeError):
        first["eu_members"]["states"] = ()  # type: ignore[index]
    assert isinstance(first["eu_members"]["states"], tuple)
    assert "AT" in first["eu_members"]["states"]
    assert selectors._regions_file.cache_info().misses == 1


# --- kept fragments ({% kept %}, oscethb/kept.py) and written rows: the same page as a fresh render --------------------

TOKEN = re.compile(r"[A-Za-z0-9]{64}")  # a masked CSRF token: new on every render


def _dashboard_pages() -> list[str]:
    return [
        reverse("reports:dashboard-round", args=[SLUG]),
        reverse("reports:dashboard-area", args=[SLUG, "PRV"]),
        reverse("reports:dashboard-commitments", args=[SLUG]),
        reverse("reports:dashboard-question", args=[SLUG, YES_NO]),
        reverse("reports:dashboard-country", args=[SLUG, "AT"]),
    ]


def _page(client: Client, url: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return TOKEN.sub("TOKEN", response.content.decode())


def _fresh() -> None:
    from oscethb.kept import kept_fragments_clear
    from reports.templatetags.status_board import status_board_rows_clear

    kept_fragments_clear()
    status_board_rows_clear()


def test_pages_with_kept_fragments_are_the_pages_a_fresh_render_writes(built: Survey, staff_client: Client) -> None:
    """Each page in each variant is first written with the fragments every other variant kept, then compared with
    a render that keeps nothing: a key missing from a fragment would show another variant's text here."""
    queries = [
        "",
        "?basis=provisional",
        "?status=submitted",
        "?region=eu_members",
        "?status=not_started&basis=provisional",
    ]
    variants = [(url + query, language) for url in _dashboard_pages() for query in queries for language in ("en", "fr")]
    for url, language in variants:  # every fragment of every variant kept
        _page(staff_client, url, language)
    kept_pages = {(url, language): _page(staff_client, url, language) for url, language in reversed(variants)}
    for (url, language), page in kept_pages.items():
        _fresh()
        assert page == _page(staff_client, url, language), (url, language)


def test_what_changes_shows_through_the_kept_fragments(
    answered: Survey, staff_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("reports:dashboard-round", args=[SLUG])
    before = _page(staff_client, url, "en")
    assert "The areas and questions are listed here once a report is built." in before
    assert 'data-total-status="accepted"><td>Accepted</td><td class="text-end" data-states>1</td>' in before

    build(answered, django_capture_on_commit_callbacks)  # the report: its areas are listed
    Survey.objects.filter(pk=answered.pk).update(title={"en": "Renamed round"})  # the round's pages name it
    response = Response.objects.get(survey=answered, organisation=org("AT"))
    response.status = Response.Status.ACCEPTED  # a second State accepted: the totals and the row
    response.save(update_fields=["status"])

    after = _page(staff_client, url, "en")
    assert "The areas and questions are listed here once a report is built." not in after
    assert 'data-area="PRV"' in after
    assert 'aria-label="Pages of Renamed round"' in after
    assert 'data-total-status="accepted"><td>Accepted</td><td class="text-end" data-states>2</td>' in after
    assert re.search(r'<tr data-state="AT" data-status="accepted">', after)
    _fresh()
    assert after == _page(staff_client, url, "en")


def test_each_basis_shows_its_own_latest_build(
    built: Survey, staff_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    """A provisional build after the final one: the final report's dashboard still speaks of the final build (it
    said "Latest build: #2 Provisional" beside "Report built on …", which read as if the final report were
    provisional), the provisional dashboard of the provisional one."""
    final = ReportRun.objects.get(survey=built, include_in_progress=False)
    provisional = build(built, django_capture_on_commit_callbacks, provisional=True)
    url = reverse("reports:dashboard-round", args=[SLUG])
    page = staff_client.get(url).content.decode()
    run = re.search(r"<p[^>]*data-latest-run=.*?</p>", page, re.S)
    assert run
    assert f">#{final.pk}<" in run.group(0)
    assert "Provisional" not in run.group(0)
    page = staff_client.get(url, {"basis": "provisional"}).content.decode()
    run = re.search(r"<p[^>]*data-latest-run=.*?</p>", page, re.S)
    assert run
    assert f">#{provisional.pk}<" in run.group(0)
    assert "Provisional" in run.group(0)


def test_switching_the_basis_keeps_the_board_s_filters(built: Survey, staff_client: Client) -> None:
    url = reverse("reports:dashboard-round", args=[SLUG])
    page = staff_client.get(url, {"status": "submitted", "region": "eu_members"}).content.decode()
    switch = re.search(r"<div[^>]*data-basis-switch>.*?</div>\s*</div>", page, re.S)
    assert switch
    assert f'href="{url}?status=submitted&amp;region=eu_members&amp;basis=provisional"' in switch.group(0)
    provisional = staff_client.get(url, {"status": "submitted", "region": "eu_members", "basis": "provisional"})
    switch = re.search(r"<div[^>]*data-basis-switch>.*?</div>\s*</div>", provisional.content.decode(), re.S)
    assert switch
    assert f'href="{url}?status=submitted&amp;region=eu_members"' in switch.group(0)  # back to final, filters kept
    plain = staff_client.get(reverse("reports:dashboard-area", args=[SLUG, "PRV"])).content.decode()
    assert f'href="{reverse("reports:dashboard-area", args=[SLUG, "PRV"])}?basis=provisional"' in plain
