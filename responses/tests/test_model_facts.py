"""The named facts of the responses models: which statuses count (`Response.COUNTED_STATUSES`, `is_counted`,
`Response.objects.counted()`), and whether a round asks an organisation, asked through `Survey.asks` by everyone who
decides it (access, the round's standing). The reports' side is in reports/tests/test_model_facts.py."""

from __future__ import annotations

import pytest

from accounts.models import Organisation
from responses.models import Response
from responses.round_status import asked_organisations
from surveys.tests.factories import SurveyFactory

from .factories import OrganisationFactory

pytestmark = pytest.mark.django_db

SENT = {"submitted", "resubmitted", "accepted"}


def test_submitted_resubmitted_and_accepted_responses_count_and_no_other() -> None:
    assert set(Response.COUNTED_STATUSES) == SENT
    for status in Response.Status.values:
        response = Response(status=status)
        assert response.is_counted is (status in SENT)
        # What counts is what respondents may no longer change: one fact, not two lists.
        assert response.is_locked_for_respondents is response.is_counted


def test_the_queryset_keeps_exactly_the_counted_responses() -> None:
    survey = SurveyFactory()
    organisations = [OrganisationFactory() for _status in Response.Status.values]
    for organisation, status in zip(organisations, Response.Status.values, strict=True):
        Response.objects.create(survey=survey, organisation=organisation, status=status)
    assert set(Response.objects.counted().values_list("status", flat=True)) == SENT
    assert all(r.is_counted for r in Response.objects.counted())


@pytest.mark.parametrize(("for_states", "for_ngos"), [(True, True), (True, False), (False, True)])
def test_the_round_asks_an_organisation_by_its_kind_and_every_count_follows(for_states: bool, for_ngos: bool) -> None:
    survey = SurveyFactory(for_states=for_states, for_ngos=for_ngos)
    ngo = OrganisationFactory()
    partner = Organisation.objects.create(kind=Organisation.Kind.PARTNER, code="ZZ", name="Test Partner")
    Response.objects.create(survey=survey, organisation=partner)  # a Partner counts once it is in the round
    state = Organisation.objects.get(code="AT")
    assert survey.asks(state.kind) is for_states
    assert survey.asks(partner.kind) is for_states
    assert survey.asks(ngo.kind) is for_ngos
    asked = set(asked_organisations(survey=survey))
    assert {o for o in (state, partner, ngo) if o in asked} == {o for o in (state, partner, ngo) if survey.asks(o.kind)}
