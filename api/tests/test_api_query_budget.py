"""A page of every API list costs the same number of queries however many rows the round holds: the rows a page
needs besides (the questions of a page of answers, their options, the rounds' areas) are read once per page."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Organisation, Role
from responses.models import Response

from .conftest import ApiWorld, bearer

PAGE = {"page_size": 50}
ENDPOINTS = ["api:rounds", "api:questions", "api:organisations", "api:responses", "api:answers"]


def _counts(world: ApiWorld, key: str) -> dict[str, int]:
    client = bearer(key)
    client.get(reverse("api:rounds"))  # the token's last use, written at most once a minute
    counts = {}
    for name in ENDPOINTS:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name), PAGE)
        assert response.status_code == 200
        counts[name] = len(queries)
    report = reverse("api:round-report", args=[world.survey.slug])
    if key == world.staff_key:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(report).status_code == 200
        counts["api:round-report"] = len(queries)
    return counts


def _grow(world: ApiWorld, states: int) -> None:
    s = world.scenario
    others = Organisation.objects.filter(kind=Organisation.Kind.STATE).exclude(code__in=["AT", "DE"]).order_by("code")
    for i, state in enumerate(others[:states]):
        coordinator = f"c{i}@{state.code.lower()}.example.org"
        s.state(state.code, coordinator=coordinator)
        s.answers(
            state.code,
            {
                "PRV.SUP.01": {("", ""): ["yes", "no"][i % 2]},
                "GEN.R.02": {("", ""): f"Answer {i}"},
                "PRO.DATA.01": {("", "2012"): i, ("", "2013"): i + 1},
                "PRT.ID.01": {("", ""): "no"},
            },
            by=coordinator,
        )
        s.status(state.code, Response.Status.SUBMITTED)
    # Austria's coordinator answers in more places: still one organisation's rows, more of them.
    s.member("DE", Role.VIEWER, "coordinator@at.example.org")


def test_a_page_costs_the_same_queries_at_any_size(api_world: ApiWorld) -> None:
    small_staff = _counts(api_world, api_world.staff_key)
    small_coordinator = _counts(api_world, api_world.coordinator_key)
    _grow(api_world, 20)
    assert _counts(api_world, api_world.staff_key) == small_staff
    assert _counts(api_world, api_world.coordinator_key) == small_coordinator
    # And the numbers are small: token, its last use at most, memberships, the page, what its rows need.
    assert max(small_staff.values()) <= 8, small_staff
