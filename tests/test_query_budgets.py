"""Query budgets of the pages and jobs not covered elsewhere: their number of queries must not grow with the number
of organisations, answers, history rows, members, invitations or exports.

Each test measures at one size, grows the data about threefold, measures again and asserts equal counts (the
section, review, home, questionnaire and dashboard pages and the report build have theirs next to their tests).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Organisation, Role
from reports.exports import excel_export_create, excel_export_execute
from reports.models import ExcelExport, JobStatus, ReportRun
from reports.services import report_run_execute
from responses.models import Response
from surveys.models import Survey
from tests.factories import ExcelExportFactory, ResponseEventFactory
from tests.otp_helpers import force_login_verified
from tests.scenario import Scenario

SLUG = "thb-2016"
CODES = ["PRV.SUP.01", "PRT.ID.01", "GEN.R.02", "PRO.DATA.01"]


COORDINATOR = "coordinator@at.example.org"


class World:
    """A round answered by a growing number of States and NGOs; Austria with a growing team and history."""

    def __init__(self) -> None:
        s = self.scenario = Scenario(password=None).round(SLUG)  # no deadline: answering stays open
        self.survey = s.survey
        self.questions = {code: s.question(code) for code in CODES}
        self.staff = s.person("staff@osce.example.org", is_staff=True)
        self.austria = s.state("AT", coordinator=COORDINATOR).orgs["AT"]
        self.coordinator = s.people[COORDINATOR]
        self.states = list(
            Organisation.objects.filter(kind=Organisation.Kind.STATE).exclude(code="AT").order_by("code")
        )
        self.size = 0
        self.exports: list[ExcelExport] = []

    def grow(self, to: int) -> None:
        """Up to `to` States and `to` NGOs answering, each with a coordinator; Austria with `to` more members,
        invitations and changes; the coordinator a member of `to` NGOs; `to` finished exports."""
        s = self.scenario
        for i in range(self.size, to):
            state = self.states[i]
            s.state(state.code).ngo(f"ngo-budget-{i}", name=f"Budget NGO {i}", country=state.code)
            for code in (state.code, f"ngo-budget-{i}"):
                s.member(code, Role.COORDINATOR, f"c{i}@{code}.example.org")
                self._answer(code, f"c{i}@{code}.example.org", i)
                s.status(code, Response.Status.SUBMITTED)
            s.member(f"ngo-budget-{i}", Role.CONTRIBUTOR, COORDINATOR)
            member = f"m{i}@at.example.org"
            s.member("AT", Role.CONTRIBUTOR, member)
            s.invite("AT", f"invited{i}@at.example.org", role=Role.VIEWER, by=COORDINATOR)
            self._answer("AT", member if i % 2 else COORDINATOR, i)
            ResponseEventFactory(
                response=s.response("AT"),
                from_status="in_progress",
                to_status="in_progress",
                by=s.people[member],
                comment=f"note {i}",
            )
            self.exports.append(
                ExcelExportFactory.create(survey=self.survey, requested_by=s.person(f"x{i}@osce.example.org"))
            )
        self.size = to

    def _answer(self, org: str, by: str, i: int) -> None:
        kind = self.scenario.orgs[org].respondent_kind
        values: dict[str, dict[tuple[str, str], Any]] = {
            "PRV.SUP.01": {("", ""): ["yes", "no", "in_process"][i % 3]},
            "PRT.ID.01": {("", ""): ["no", "yes"][i % 2]},
            "GEN.R.02": {("", ""): f"Answer {i} of {org}"},
            "PRO.DATA.01": {("", str(2012 + i % 3)): i},
        }
        asked = {code: raw for code, raw in values.items() if self.questions[code].for_kind(kind)}
        self.scenario.answers(org, asked, by=by)


@pytest.fixture
def world(db: None) -> World:
    return World()


def _count(client: Client, url: str) -> int:
    client.get(url)  # warm up: session, content types, the response created on first visit
    with CaptureQueriesContext(connection) as queries:
        result = client.get(url)
    assert result.status_code == 200, (url, result.status_code)
    return len(queries)


def _counts(world: World) -> dict[str, int]:
    staff = force_login_verified(Client(), world.staff)
    coordinator = Client()
    coordinator.force_login(world.coordinator)
    export = world.exports[0]
    staff_pages = {
        "staff-home": reverse("responses:staff-home"),
        "responses": reverse("responses:staff-responses", args=[SLUG]),
        "responses-submitted": reverse("responses:staff-responses", args=[SLUG]) + "?status=submitted",
        "responses-not-started": reverse("responses:staff-responses", args=[SLUG]) + "?status=not_started",
        "history": reverse("responses:response-history", args=[SLUG, "AT"]),
        "exports": reverse("reports:excel-export-start", args=[SLUG]),
        "export-status": reverse("reports:excel-export-status", args=[export.pk]),
        "import": reverse("responses:staff-import-responses", args=[SLUG]),
        "people-staff": reverse("accounts:people-invitations", args=["AT"]),
    }
    coordinator_pages = {
        "my-rounds": reverse("responses:my-rounds"),
        "people": reverse("accounts:people-invitations", args=["AT"]),
    }
    counts = {name: _count(staff, url) for name, url in staff_pages.items()}
    counts.update({name: _count(coordinator, url) for name, url in coordinator_pages.items()})
    return counts


def test_staff_and_people_pages_need_as_many_queries_for_30_organisations_as_for_10(world: World) -> None:
    world.grow(5)
    small = _counts(world)
    world.grow(15)
    large = _counts(world)
    grew = {name: (small[name], large[name]) for name in small if small[name] != large[name]}
    assert not grew, grew
    assert max(small.values()) <= 20, small


def _export_queries(world: World) -> int:
    """The queries of writing one Excel summary from the stored report (what the worker runs)."""
    for include_in_progress in (False, True):
        run = ReportRun.objects.create(survey=world.survey, include_in_progress=include_in_progress)
        assert report_run_execute(run_id=run.pk) == JobStatus.DONE
    job = excel_export_create(survey=world.survey, user=None, language="en", include_in_progress=False)
    with CaptureQueriesContext(connection) as queries:
        assert excel_export_execute(export_id=job.pk) == JobStatus.DONE
    job.refresh_from_db()
    job.file.delete(save=False)
    return len(queries)


def test_an_excel_export_needs_as_many_queries_for_30_organisations_as_for_10(world: World) -> None:
    world.grow(5)
    small = _export_queries(world)
    world.grow(15)
    large = _export_queries(world)
    assert large == small, (small, large)


def test_my_questionnaires_needs_as_many_queries_for_15_organisations_with_deadlines_as_for_5(world: World) -> None:
    """With a closing date every card shows its own deadline (an extension counts): read in bulk, not per card."""
    import datetime as dt

    from responses.deadlines import deadline_extend

    Survey.objects.filter(slug=SLUG).update(closes_on=dt.date.today() + dt.timedelta(days=30))
    world.survey.refresh_from_db()
    coordinator = Client()
    coordinator.force_login(world.coordinator)

    def grow_with_extensions(to: int) -> int:
        world.grow(to)
        for membership in world.coordinator.memberships.select_related("organisation"):
            deadline_extend(
                survey=world.survey,
                organisation=membership.organisation,
                until=dt.date.today() + dt.timedelta(days=60),
                reason="Ministry reorganised",
                user=world.staff,
            )
        return _count(coordinator, reverse("responses:my-rounds"))

    assert grow_with_extensions(5) == grow_with_extensions(15)
