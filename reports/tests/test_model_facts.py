"""The reports ask the named facts of the models: the statuses that count (`Response.COUNTED_STATUSES`) and the
kinds of organisation a round asks (`Survey.asks`), rather than lists of their own."""

from __future__ import annotations

import pytest

from accounts.models import Organisation
from reports.selectors import counted_statuses, respondents_frame
from responses.models import Response
from responses.tests.factories import OrganisationFactory
from surveys.tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db


def test_the_reports_count_the_counted_statuses_in_workflow_order() -> None:
    assert counted_statuses(False) == list(Response.COUNTED_STATUSES) == ["submitted", "resubmitted", "accepted"]
    assert counted_statuses(True) == [*Response.COUNTED_STATUSES, "in_progress", "returned"]


@pytest.mark.parametrize(("for_states", "for_ngos"), [(True, True), (True, False), (False, True)])
def test_the_denominators_are_the_states_and_ngos_of_the_kinds_the_round_asks(for_states: bool, for_ngos: bool) -> None:
    survey = SurveyFactory(for_states=for_states, for_ngos=for_ngos)
    OrganisationFactory()
    frame = respondents_frame(survey, False)
    assert set(frame["kind"]) == {kind for kind in ("state", "ngo") if survey.asks(kind)}
    assert (frame["kind"] == Organisation.Kind.STATE).sum() == (
        Organisation.objects.filter(kind=Organisation.Kind.STATE).count() if for_states else 0
    )
