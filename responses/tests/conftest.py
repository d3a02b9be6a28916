"""Fixtures for the responses tests: the shipped 2015/16 round, open, and people of Austria and Germany."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from accounts.models import Organisation, Role
from responses.models import Response
from responses.services import SaveOutcome, answers_save, response_get_or_create
from surveys.models import Question, Survey
from tests.scenario import Scenario, question_of

from .factories import MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture
def round2016(db: None) -> Survey:
    # Open, with no closing date: the shipped date has passed; tests of the deadline set their own.
    return Scenario().round("thb-2016").survey


@dataclass
class People:
    coordinator: Any
    contributor: Any
    viewer: Any
    other_coordinator: Any
    ngo_coordinator: Any
    staff: Any
    austria: Organisation
    germany: Organisation
    ngo: Organisation


@pytest.fixture
def people(db: None) -> People:
    austria = Organisation.objects.get(code="AT")
    germany = Organisation.objects.get(code="DE")
    ngo = OrganisationFactory(code="ngo-at-test", name="Test NGO in Austria", country=austria)
    return People(
        coordinator=MembershipFactory(organisation=austria, role=Role.COORDINATOR).user,
        contributor=MembershipFactory(organisation=austria, role=Role.CONTRIBUTOR).user,
        viewer=MembershipFactory(organisation=austria, role=Role.VIEWER).user,
        other_coordinator=MembershipFactory(organisation=germany, role=Role.COORDINATOR).user,
        ngo_coordinator=MembershipFactory(organisation=ngo, role=Role.COORDINATOR).user,
        staff=UserFactory(is_staff=True),
        austria=austria,
        germany=germany,
        ngo=ngo,
    )


@pytest.fixture
def response_at(round2016: Survey, people: People) -> Response:
    return response_get_or_create(survey=round2016, organisation=people.austria)


def question(survey: Survey, code: str) -> Question:
    """A question with its options loaded and its round attached (tests.scenario.question_of)."""
    return question_of(survey, code)


def answer(response: Response, code: str, value: Any, user: Any) -> SaveOutcome:
    """`user` saves `value` as the answer to one-value question `code` of `response`, as a save from a page that
    checked no versions (a colleague's save in the tests' stories); the save must succeed."""
    outcome = answers_save(
        response=response,
        question=question(response.survey, code),
        raw={("", ""): value},
        base_versions=None,
        user=user,
    )
    assert not outcome.error, outcome.error
    return outcome
