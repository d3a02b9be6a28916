"""In a real browser: Office staff build a round's report from the dashboard, follow the build's progress bar (htmx
polling), and read the area dashboard whose Chart.js charts are drawn from the page's json_script data."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from accounts.models import Organisation, Role
from reports.models import JobStatus, Report, ReportRun
from responses.models import Reminder, Response
from responses.services import answers_save, response_get_or_create
from responses.tests.browser_helpers import PASSWORD, SLUG, TIMEOUT, ensure_states, member, open_round
from surveys.models import Question, Survey
from tests.otp_helpers import browser_log_in_with_code, confirmed_device

# transaction=True: the live server answers from another thread, so it must see committed data.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
STAFF = "officer@osce.example.org"
HAS_CHART = "(canvas) => Chart.getChart(canvas) !== undefined"


@pytest.fixture
def survey() -> Survey:
    """The 2015/16 round with PRV.SUP.01 answered yes by AT and DE and no by FR, all submitted."""
    ensure_states()
    survey = open_round()
    question = Question.objects.of_round(survey).select_related("option_set").get(code="PRV.SUP.01")
    for code, value in (("AT", "yes"), ("DE", "yes"), ("FR", "no")):
        response = response_get_or_create(survey=survey, organisation=Organisation.objects.get(code=code))
        assert answers_save(
            response=response, question=question, raw={("", ""): value}, base_versions=None, user=None
        ).ok
    Response.objects.filter(survey=survey).update(status=Response.Status.SUBMITTED)
    return survey


@pytest.fixture
def staff(survey: Survey) -> Any:
    return get_user_model().objects.create_user(username=STAFF, email=STAFF, password=PASSWORD, is_staff=True)


def test_staff_build_the_report_and_see_the_area_charts(live_server: Any, page: Page, staff: Any) -> None:
    browser_log_in_with_code(page, live_server.url, STAFF, PASSWORD, confirmed_device(staff))
    page.goto(f"{live_server.url}/staff/rounds/{SLUG}/dashboard/")
    expect(page.locator("[data-report-panel] [data-no-report]")).to_be_visible()
    expect(page.locator("tr[data-state]")).to_have_count(57)
    assert page.evaluate(HAS_CHART, page.locator("#status-chart").element_handle())

    page.locator('[data-build-report="final"]').click()
    run = page.locator("[data-report-run]")
    expect(run).to_be_visible(timeout=TIMEOUT)
    expect(run.locator(".progress-bar")).to_be_visible()
    # Tasks run in-process here, so the build may be finished before the first poll: it must end "done".
    expect(run).to_have_attribute("data-run-status", "done", timeout=TIMEOUT)
    expect(run.locator(".progress-bar")).to_have_text("100%")
    assert Report.objects.filter(survey__slug=SLUG, include_in_progress=False).exists()

    run.locator("[data-open-area]").click()
    page.wait_for_url(f"**/staff/rounds/{SLUG}/areas/PRO/", timeout=TIMEOUT)
    expect(page.locator("canvas").first).to_be_visible()
    page.wait_for_function("Chart.getChart(document.querySelector('canvas')) !== undefined", timeout=TIMEOUT)
    assert page.evaluate("Chart.getChart(document.querySelector('canvas')) !== undefined")

    page.goto(f"{live_server.url}/staff/rounds/{SLUG}/areas/PRV/")
    canvas = page.locator('canvas[data-chart="chart-data-PRV.SUP.01"]')
    expect(canvas).to_be_visible()
    page.wait_for_function(HAS_CHART, arg=canvas.element_handle(), timeout=TIMEOUT)
    states = page.evaluate("(canvas) => Chart.getChart(canvas).data.datasets[0].data", canvas.element_handle())
    assert states[:2] == [2, 1]  # yes, no


def test_staff_send_a_reminder_from_the_status_board(live_server: Any, page: Page, staff: Any) -> None:
    """The board's reminder buttons share one form: each still posts to its own State's reminder action."""
    member(Organisation.objects.get(code="IT"), Role.COORDINATOR, "coordinator@esteri.example.it")
    member(Organisation.objects.get(code="PL"), Role.COORDINATOR, "coordinator@msz.example.pl")
    browser_log_in_with_code(page, live_server.url, STAFF, PASSWORD, confirmed_device(staff))
    page.goto(f"{live_server.url}/staff/rounds/{SLUG}/dashboard/")
    expect(page.locator("[data-send-reminder]")).to_have_count(2)  # AT, DE and FR have submitted; no one else to remind
    page.get_by_role("button", name=re.compile(r"^Send reminder\s*: Italy$")).click()  # the State is in its name
    expect(page.get_by_text("Reminder sent to Italy: coordinator@esteri.example.it.")).to_be_visible(timeout=TIMEOUT)
    assert page.url.endswith(f"/staff/rounds/{SLUG}/dashboard/")  # back where the button was
    assert list(Reminder.objects.values_list("response__organisation__code", flat=True)) == ["IT"]
    expect(page.locator('tr[data-state="IT"] [data-reminders]')).to_have_text("1")


def test_the_progress_bar_follows_a_running_build_until_it_is_done(
    live_server: Any, page: Page, staff: Any, survey: Survey
) -> None:
    run = ReportRun.objects.create(survey=survey, status=JobStatus.RUNNING, progress=30, message="counting answers")
    browser_log_in_with_code(page, live_server.url, STAFF, PASSWORD, confirmed_device(staff))
    page.goto(f"{live_server.url}/staff/report-runs/{run.pk}/")
    bar = page.locator("[data-report-run] .progress-bar")
    expect(bar).to_have_text("30%")
    ReportRun.objects.filter(pk=run.pk).update(progress=75, message="scoring")
    expect(bar).to_have_text("75%", timeout=TIMEOUT)
    ReportRun.objects.filter(pk=run.pk).update(status=JobStatus.DONE, progress=100, message="done")
    expect(page.locator("[data-report-run]")).to_have_attribute("data-run-status", "done", timeout=TIMEOUT)
    expect(bar).to_have_text("100%")
    expect(page.locator("[data-report-run][hx-get]")).to_have_count(0)  # polling stopped
    expect(page.locator("[data-open-area]")).to_be_visible()
