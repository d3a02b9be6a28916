"""The world of the API tests: the 2015/16 round answered by Austria, Germany and an NGO working in Austria, each
submitted; a final report built; a staff member and Austria's coordinator, each with an API token."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from accounts.api_tokens import api_token_create
from reports.models import ReportRun
from reports.services import report_run_execute
from responses.models import Response
from surveys.models import Survey
from tests.scenario import Scenario

SLUG = "thb-2016"
STAFF = "staff@osce.example.org"
COORDINATOR_AT = "coordinator@at.example.org"
COORDINATOR_DE = "coordinator@de.example.org"
CONTRIBUTOR_AT = "contributor@at.example.org"
NGO_MEMBER = "member@ngo.example.org"

ANSWERS: dict[str, dict[str, dict[tuple[str, str], Any]]] = {
    "AT": {
        "PRV.SUP.01": {("", ""): "yes"},
        "GEN.R.02": {("", ""): "ANSWER-OF-AUSTRIA"},
        "PRO.DATA.01": {("", "2013"): 12},
    },
    "DE": {"PRV.SUP.01": {("", ""): "in_process"}, "GEN.R.02": {("", ""): "ANSWER-OF-GERMANY"}},
    "ngo-at": {"GEN.R.02": {("", ""): "ANSWER-OF-THE-NGO"}},
}


@dataclass
class ApiWorld:
    scenario: Scenario
    survey: Survey
    staff_key: str
    coordinator_key: str

    def person(self, email: str) -> Any:
        return self.scenario.people[email]


def build_api_world() -> ApiWorld:
    s = Scenario(password=None).round(SLUG)
    s.state("AT", coordinator=COORDINATOR_AT, contributor=CONTRIBUTOR_AT).state("DE", coordinator=COORDINATOR_DE)
    s.ngo("ngo-at", name="Stop Trafficking Vienna", country="AT", coordinator=NGO_MEMBER)
    s.person(STAFF, is_staff=True)
    authors = {"AT": COORDINATOR_AT, "DE": COORDINATOR_DE, "ngo-at": NGO_MEMBER}
    for org, answers in ANSWERS.items():
        s.answers(org, answers, by=authors[org])
        s.status(org, Response.Status.SUBMITTED)
    run = ReportRun.objects.create(survey=s.survey, include_in_progress=False)
    assert report_run_execute(run_id=run.pk) == "done"
    _token, staff_key = api_token_create(user=s.people[STAFF], name="Power BI")
    _token, coordinator_key = api_token_create(user=s.people[COORDINATOR_AT], name="Excel")
    return ApiWorld(scenario=s, survey=s.survey, staff_key=staff_key, coordinator_key=coordinator_key)


@pytest.fixture(scope="module")
def _module_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[ApiWorld]:
    """Built once per module inside a transaction rolled back at its end (loading a round takes seconds)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with django_db_blocker.unblock():
            built = build_api_world()
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def api_world(_module_world: ApiWorld, db: None) -> ApiWorld:
    """Each test runs in a savepoint inside the module's world."""
    return _module_world


def bearer(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")
