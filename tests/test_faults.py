"""Faults and hostile input: concurrent edits lose nothing, double submits count once, no input ends in a 500."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Membership, Organisation, Role
from responses.models import Answer, AnswerChange, Response, ResponseEvent
from responses.services import answers_save, response_get_or_create, response_submit
from surveys import answer_types as at
from surveys.models import Survey
from tests.scenario import SMALL, Scenario, question_of

TRIALS = 200


def _open_round() -> Survey:
    """The shipped round, open, with no closing date (the shipped date has passed)."""
    return Scenario().round("thb-2016").survey


def _member(email: str, role: str, code: str = "AT") -> Any:
    user = get_user_model().objects.create_user(username=email, email=email, password="a-long-password-2026")
    Membership.objects.create(user=user, organisation=Organisation.objects.get(code=code), role=role)
    return user


def _race(*calls: Any) -> list[Any]:
    """Run the calls at the same moment in threads, each on its own database connection; their results in order."""
    results: list[Any] = [None] * len(calls)
    barrier = threading.Barrier(len(calls), timeout=30)

    def run(index: int, call: Any) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def needs_postgres(transactional_db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent connections to one SQLite in-memory database are not possible")


def test_200_trials_of_two_concurrent_saves_lose_no_confirmed_edit(needs_postgres: None) -> None:
    survey = Scenario().round(SMALL).survey
    first, second = (
        _member("first@at.example.org", Role.COORDINATOR),
        _member("second@at.example.org", Role.CONTRIBUTOR),
    )
    response = response_get_or_create(survey=survey, organisation=Organisation.objects.get(code="AT"))
    question = question_of(survey, "TYP.ONE.01")  # single choice of the small round
    options = ["yes", "no", "in_process", "no_information"]
    confirmed: list[str] = []
    for trial in range(TRIALS):
        current = Answer.objects.filter(response=response, question=question).first()
        version = current.version if current else 0
        mine, theirs = [o for o in options if o != (current.value_text if current else None)][trial % 2 :][:2]
        outcomes = _race(
            lambda v=mine, seen=version: answers_save(
                response=response, question=question, raw={("", ""): v}, base_versions={("", ""): seen}, user=first
            ),
            lambda v=theirs, seen=version: answers_save(
                response=response, question=question, raw={("", ""): v}, base_versions={("", ""): seen}, user=second
            ),
        )
        assert not any(isinstance(o, Exception) for o in outcomes), outcomes
        winners = [value for value, outcome in zip((mine, theirs), outcomes, strict=True) if outcome.ok]
        losers = [outcome for outcome in outcomes if outcome.conflicts]
        assert len(winners) == 1, (trial, outcomes)
        assert len(losers) == 1, (trial, outcomes)
        assert losers[0].conflicts[0].their_value == winners[0]  # the loser is told what won
        confirmed.append(winners[0])
        stored = Answer.objects.get(response=response, question=question)
        assert (stored.value_text, stored.version) == (winners[0], version + 1)
    history = list(
        AnswerChange.objects.filter(response=response, question=question)
        .order_by("id")
        .values_list("new_value", flat=True)
    )
    assert history == confirmed  # every confirmed edit is in the history, in order, and nothing else


def test_double_clicked_or_retried_submissions_count_once(needs_postgres: None) -> None:
    survey = Scenario().round(SMALL).survey
    coordinator = _member("coordinator@at.example.org", Role.COORDINATOR)
    response = response_get_or_create(survey=survey, organisation=Organisation.objects.get(code="AT"))
    results = _race(
        *(lambda: response_submit(response=response, user=coordinator, require_complete=False) for _ in range(4))
    )
    assert not any(isinstance(r, Exception) for r in results), results
    response.refresh_from_db()
    assert response.status == Response.Status.SUBMITTED
    assert ResponseEvent.objects.filter(response=response, to_status=Response.Status.SUBMITTED).count() == 1


# --- hostile values through the real endpoint -----------------------------------------------------------------------

NASTY = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=1100),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "A\x00B",
            "9" * 40,
            "-1",
            "1e309",
            "NaN",
            "Infinity",
            "0x10",
            "=1+1",
            "1,5",
            "2015-02-30",
            "yes;no",
            "none;shelter",
            "✓",
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
CELLS = {
    "PRV.SUP.01": ["PRV.SUP.01||"],
    "PRO.LEG.02": ["PRO.LEG.02||"],
    "PRO.LEG.04": ["PRO.LEG.04|sexual_exploitation|"],
    "PRO.DATA.01": ["PRO.DATA.01||2012"],
    "PAR.NAT.08": ["PAR.NAT.08||"],
    "PAR.NAT.07": ["PAR.NAT.07||"],
    "GEN.R.02": ["GEN.R.02||"],
    "GEN.R.03": ["GEN.R.03|start|", "GEN.R.03|end|"],
    "PRT.DATA.01": ["PRT.DATA.01|2012.female.adult.sexual_exploitation|national"],
    "PRT.ASS.03": ["PRT.ASS.03||", "PRT.ASS.03|number|"],
}


@pytest.mark.django_db
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    code=st.sampled_from(sorted(CELLS)),
    values=st.lists(NASTY, min_size=1, max_size=2),
    version=st.sampled_from(["0", "-5", "x", "", "999999999999999999999"]),
)
def test_any_value_posted_to_autosave_gets_a_clear_answer_and_only_valid_values_are_stored(
    client, code: str, values: list[str], version: str
) -> None:
    survey = Survey.objects.filter(slug="thb-2016").first() or _open_round()
    user = get_user_model().objects.filter(email="fuzz@at.example.org").first() or _member(
        "fuzz@at.example.org", Role.COORDINATOR
    )
    client.force_login(user)
    data: dict[str, Any] = {}
    for name, value in zip(CELLS[code], values * 2, strict=False):
        data[name] = value
        data["v|" + name] = version
        data["o|" + name] = ""
    result = client.post(f"/rounds/thb-2016/respond/AT/autosave/{code}/", data)
    assert result.status_code in (200, 400), result.status_code
    if result.status_code == 200:
        assert b"data-save-state" in result.content
    question = question_of(survey, code)
    kinds = {spec.key: spec for spec in question.cells()}
    for answer in Answer.objects.filter(question=question):
        spec = kinds[(answer.row, answer.column)]
        from responses import values as stored_values

        value = stored_values.read(answer, spec.kind)
        # Whatever is stored passes the same checks again unchanged.
        assert at.to_text(spec.kind, at.clean_cell(spec, at.to_text(spec.kind, value))) == at.to_text(spec.kind, value)
