"""The access policy (responses/access.py) as a truth table: each role × each action on Austria's response to an
open round, then the states that take editing away (closed round, locked response, passed deadline), the queries a
policy costs, and the rule that a check never writes (opening a response page creates no Response row)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import Organisation, Role
from responses.access import AccessPolicy
from responses.models import Response
from responses.selectors import survey_structure
from responses.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from surveys.models import Survey
from tests.otp_helpers import force_login_verified

ROLES = ("coordinator", "contributor", "viewer", "ngo_member", "other_org_member", "staff", "anonymous")

# action -> the roles that may do it, on Austria's response to an open round with no deadline.
TRUTH = {
    "see_response": {"coordinator", "contributor", "viewer", "staff"},
    "see_draft_round": {"staff"},
    "edit": {"coordinator", "contributor"},
    "submit": {"coordinator"},
    "prefill": {"coordinator", "contributor"},
    "manage_people": {"coordinator", "staff"},
    "review": {"staff"},
    "is_staff": {"staff"},
}


@pytest.fixture
def survey(db: None) -> Survey:
    call_command("load_survey", "surveys/definitions/thb-2016.yaml", stdout=io.StringIO())
    survey = Survey.objects.get(slug="thb-2016")
    survey.status = Survey.Status.OPEN
    survey.closes_on = None
    survey.save()
    return survey


@pytest.fixture
def austria(db: None) -> Organisation:
    return Organisation.objects.get(code="AT")


@pytest.fixture
def users(austria: Organisation) -> dict[str, Any]:
    ngo = OrganisationFactory(code="ngo-policy", name="Policy NGO", country=austria)
    return {
        "coordinator": MembershipFactory(organisation=austria, role=Role.COORDINATOR).user,
        "contributor": MembershipFactory(organisation=austria, role=Role.CONTRIBUTOR).user,
        "viewer": MembershipFactory(organisation=austria, role=Role.VIEWER).user,
        "ngo_member": MembershipFactory(organisation=ngo, role=Role.COORDINATOR).user,
        "other_org_member": MembershipFactory(
            organisation=Organisation.objects.get(code="DE"), role=Role.COORDINATOR
        ).user,
        "staff": UserFactory(is_staff=True),
        "anonymous": AnonymousUser(),
    }


def _answer(action: str, policy: AccessPolicy, survey: Survey, organisation: Organisation) -> bool:
    if action == "see_response":
        return policy.may_see_response(survey, organisation)
    if action == "see_draft_round":
        draft = Survey(pk=survey.pk, status=Survey.Status.DRAFT, for_states=True, for_ngos=True)
        return policy.may_see_response(draft, organisation)
    if action == "edit":
        return policy.may_edit(survey, organisation)
    if action == "submit":
        return policy.may_submit(survey, organisation)
    if action == "prefill":
        return policy.may_prefill(survey, organisation)
    if action == "manage_people":
        return policy.may_manage_people(organisation)
    if action == "review":
        return policy.may_review
    if action == "is_staff":
        return policy.is_staff
    raise AssertionError(action)


@pytest.mark.parametrize("role", ROLES)
def test_policy_truth_table(survey: Survey, austria: Organisation, users: dict[str, Any], role: str) -> None:
    policy = AccessPolicy.for_user(users[role])
    answers = {action: _answer(action, policy, survey, austria) for action in sorted(TRUTH)}
    assert answers == {action: role in allowed for action, allowed in sorted(TRUTH.items())}


@pytest.mark.parametrize("role", ["coordinator", "contributor"])
def test_nobody_edits_a_closed_round(survey: Survey, austria: Organisation, users: dict[str, Any], role: str) -> None:
    survey.status = Survey.Status.CLOSED
    policy = AccessPolicy.for_user(users[role])
    assert not policy.may_edit(survey, austria)
    assert not policy.may_submit(survey, austria)
    assert not policy.may_prefill(survey, austria)
    assert policy.may_see_response(survey, austria)


@pytest.mark.parametrize("status", [Response.Status.SUBMITTED, Response.Status.RESUBMITTED, Response.Status.ACCEPTED])
def test_nobody_edits_a_locked_response(
    survey: Survey, austria: Organisation, users: dict[str, Any], status: str
) -> None:
    response = Response(survey=survey, organisation=austria, status=status)
    policy = AccessPolicy.for_user(users["coordinator"])
    assert not policy.may_edit(survey, austria, response)
    assert not policy.may_submit(survey, austria, response)
    assert policy.may_edit(survey, austria, Response(survey=survey, organisation=austria))


def test_nobody_edits_after_the_deadline(survey: Survey, austria: Organisation, users: dict[str, Any]) -> None:
    survey.closes_on = dt.date(2016, 1, 31)
    survey.save()
    policy = AccessPolicy.for_user(users["coordinator"])
    assert not policy.may_edit(survey, austria)
    assert not policy.may_prefill(survey, austria)
    assert policy.may_submit_for(austria)  # the role still sends; the deadline is what stops it


def test_a_round_that_does_not_ask_the_kind_is_seen_by_nobody(
    survey: Survey, austria: Organisation, users: dict[str, Any]
) -> None:
    survey.for_states = False
    for role in ROLES:
        assert not AccessPolicy.for_user(users[role]).may_see_response(survey, austria), role


def test_inactive_coordinator_manages_no_people(austria: Organisation, users: dict[str, Any]) -> None:
    coordinator = users["coordinator"]
    coordinator.is_active = False
    assert not AccessPolicy.for_user(coordinator).may_manage_people(austria)


def test_responses_are_scoped_to_the_persons_organisations(
    survey: Survey, austria: Organisation, users: dict[str, Any]
) -> None:
    Response.objects.create(survey=survey, organisation=austria)
    Response.objects.create(survey=survey, organisation=Organisation.objects.get(code="DE"))
    assert {r.organisation.code for r in AccessPolicy.for_user(users["viewer"]).responses()} == {"AT"}
    assert AccessPolicy.for_user(users["staff"]).responses().count() == 2
    assert not AccessPolicy.for_user(users["anonymous"]).responses().exists()
    assert list(AccessPolicy.for_user(users["viewer"]).organisations()) == [austria]


def test_a_policy_reads_the_memberships_once(
    survey: Survey, austria: Organisation, users: dict[str, Any], django_assert_num_queries: Any
) -> None:
    policy = AccessPolicy.for_user(users["coordinator"])
    with django_assert_num_queries(1):
        for _ in range(3):
            assert policy.may_see_response(survey, austria)
            assert policy.may_edit(survey, austria)  # no closing date: no deadline to read
            assert policy.may_submit(survey, austria)
            assert policy.may_manage_people(austria)


def _response_pages(survey: Survey, organisation: Organisation) -> list[str]:
    args = [survey.slug, organisation.code]
    section = survey_structure(survey, organisation.respondent_kind)[0].sections.all()[0]
    return [
        reverse("responses:response-home", args=args),
        reverse("responses:response-section", args=[*args, section.code]),
        reverse("responses:response-review", args=args),
        reverse("responses:response-submit", args=args),
        reverse("responses:response-answers", args=args),
        reverse("responses:response-answers-pdf", args=args),
    ]


@pytest.mark.parametrize("role", ["coordinator", "viewer", "staff"])
def test_opening_a_response_creates_no_row(
    survey: Survey, austria: Organisation, users: dict[str, Any], role: str
) -> None:
    client = force_login_verified(Client(), users[role])
    pages = _response_pages(survey, austria)
    if role == "staff":
        args = [survey.slug, austria.code]
        pages += [
            reverse(name, args=args)
            for name in ("responses:response-history", "responses:response-accept", "responses:response-return")
        ]
        pages.append(reverse("responses:response-reopen", args=args))
    before = Response.objects.count()
    for url in pages:
        answer = client.get(url)
        assert answer.status_code in (200, 403), (url, answer.status_code)
    assert Response.objects.count() == before == 0


def test_the_first_save_creates_the_row(survey: Survey, austria: Organisation, users: dict[str, Any]) -> None:
    client = force_login_verified(Client(), users["coordinator"])
    section = survey_structure(survey, austria.respondent_kind)[0].sections.all()[0]
    url = reverse("responses:response-section", args=[survey.slug, austria.code, section.code])
    assert client.get(url).status_code == 200
    assert not Response.objects.exists()
    assert client.post(url, {}).status_code == 302
    assert Response.objects.filter(survey=survey, organisation=austria).count() == 1


def test_a_coordinator_known_from_the_access_read_holds_tokens_without_another_read(
    austria: Organisation, users: dict[str, Any], django_assert_num_queries: Any
) -> None:
    """Every page's bar asks whether to offer API tokens: on a coordinator's answering page the membership read with
    the organisation answers it; a contributor's still reads all their memberships (they may coordinate another)."""
    coordinator = AccessPolicy.for_user(users["coordinator"])
    coordinator.membership_known(austria, users["coordinator"].memberships.get(organisation=austria))
    with django_assert_num_queries(0):
        assert coordinator.may_hold_api_tokens
    ngo = OrganisationFactory(code="ngo-tokens", name="An NGO", country=austria)
    MembershipFactory(user=users["contributor"], organisation=ngo, role=Role.COORDINATOR)
    contributor = AccessPolicy.for_user(users["contributor"])
    contributor.membership_known(austria, users["contributor"].memberships.get(organisation=austria))
    with django_assert_num_queries(1):
        assert contributor.may_hold_api_tokens
    viewer = AccessPolicy.for_user(users["viewer"])
    viewer.membership_known(austria, users["viewer"].memberships.get(organisation=austria))
    with django_assert_num_queries(1):
        assert not viewer.may_hold_api_tokens
