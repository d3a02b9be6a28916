"""Query budgets of the pages and jobs not covered elsewhere: their number of queries must not grow with the number
of organisations, answers, history rows, members, invitations or exports.

Each test measures at one size, grows the data about threefold, measures again and asserts equal counts (the
section, review, home, questionnaire and dashboard pages and the report build have theirs next to their tests).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, Organisation, Role
from accounts.people import invitation_create
from reports.exports import excel_export_create, excel_export_execute
from reports.models import ExcelExport, JobStatus, ReportRun
from reports.services import report_run_execute
from responses.models import Response, ResponseEvent
from responses.services import answers_save, response_get_or_create
from surveys.models import Question, Survey
from tests.otp_helpers import force_login_verified

SLUG = "thb-2016"
CODES = ["PRV.SUP.01", "PRT.ID.01", "GEN.R.02", "PRO.DATA.01"]


def _question(survey: Survey, code: str) -> Question:
    question = (
        Question.objects.select_related("option_set")
        .prefetch_related("option_set__options")
        .get(survey=survey, code=code)
    )
    question.survey = survey
    return question


class World:
    """A round answered by a growing number of States and NGOs; Austria with a growing team and history."""

    def __init__(self) -> None:
        call_command("load_survey", f"surveys/definitions/{SLUG}.yaml", stdout=io.StringIO())
        Survey.objects.filter(slug=SLUG).update(
            status=Survey.Status.OPEN, closes_on=None
        )  # no deadline: answering stays open
        self.survey = Survey.objects.get(slug=SLUG)
        self.questions = {code: _question(self.survey, code) for code in CODES}
        users = get_user_model().objects
        self.staff = users.create_user(username="staff@osce.example.org", email="staff@osce.example.org", is_staff=True)
        self.austria = Organisation.objects.get(code="AT")
        self.coordinator = self._user("coordinator@at.example.org")
        Membership.objects.create(user=self.coordinator, organisation=self.austria, role=Role.COORDINATOR)
        self.states = list(
            Organisation.objects.filter(kind=Organisation.Kind.STATE).exclude(code="AT").order_by("code")
        )
        self.size = 0
        self.exports: list[ExcelExport] = []

    def _user(self, email: str) -> Any:
        return get_user_model().objects.create_user(username=email, email=email)

    def grow(self, to: int) -> None:
        """Up to `to` States and `to` NGOs answering, each with a coordinator; Austria with `to` more members,
        invitations and changes; the coordinator a member of `to` NGOs; `to` finished exports."""
        for i in range(self.size, to):
            state = self.states[i]
            ngo = Organisation.objects.create(
                code=f"ngo-budget-{i}", name=f"Budget NGO {i}", kind=Organisation.Kind.NGO, country=state
            )
            for organisation in (state, ngo):
                user = self._user(f"c{i}@{organisation.code}.example.org")
                Membership.objects.create(user=user, organisation=organisation, role=Role.COORDINATOR)
                self._answer(organisation, user, i)
            Response.objects.filter(organisation__in=[state, ngo]).update(status=Response.Status.SUBMITTED)
            Membership.objects.create(user=self.coordinator, organisation=ngo, role=Role.CONTRIBUTOR)
            member = self._user(f"m{i}@at.example.org")
            Membership.objects.create(user=member, organisation=self.austria, role=Role.CONTRIBUTOR)
            invitation_create(
                organisation=self.austria,
                email=f"invited{i}@at.example.org",
                role=Role.VIEWER,
                invited_by=self.coordinator,
                base_url="http://testserver/",
            )
            self._answer(self.austria, member if i % 2 else self.coordinator, i)
            response = Response.objects.get(survey=self.survey, organisation=self.austria)
            ResponseEvent.objects.create(
                response=response, from_status="in_progress", to_status="in_progress", by=member, comment=f"note {i}"
            )
            self.exports.append(
                ExcelExport.objects.create(survey=self.survey, requested_by=self._user(f"x{i}@osce.example.org"))
            )
        self.size = to

    def _answer(self, organisation: Organisation, user: Any, i: int) -> None:
        response = response_get_or_create(survey=self.survey, organisation=organisation)
        kind = organisation.respondent_kind
        values = {
            "PRV.SUP.01": {("", ""): ["yes", "no", "in_process"][i % 3]},
            "PRT.ID.01": {("", ""): ["no", "yes"][i % 2]},
            "GEN.R.02": {("", ""): f"Answer {i} of {organisation.code}"},
            "PRO.DATA.01": {("", str(2012 + i % 3)): i},
        }
        for code, raw in values.items():
            question = self.questions[code]
            if question.for_kind(kind):
                outcome = answers_save(response=response, question=question, raw=raw, base_versions=None, user=user)
                assert outcome.ok, outcome


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
        "staff-home": reverse("staff-home"),
        "responses": reverse("staff-responses", args=[SLUG]),
        "responses-submitted": reverse("staff-responses", args=[SLUG]) + "?status=submitted",
        "responses-not-started": reverse("staff-responses", args=[SLUG]) + "?status=not_started",
        "history": reverse("response-history", args=[SLUG, "AT"]),
        "exports": reverse("excel-export-start", args=[SLUG]),
        "export-status": reverse("excel-export-status", args=[export.pk]),
        "import": reverse("staff-import-responses", args=[SLUG]),
        "people-staff": reverse("people-invitations", args=["AT"]),
    }
    coordinator_pages = {
        "my-rounds": reverse("my-rounds"),
        "people": reverse("people-invitations", args=["AT"]),
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
        return _count(coordinator, reverse("my-rounds"))

    assert grow_with_extensions(5) == grow_with_extensions(15)
