"""The small round of the unit tests (tests/data/small.yaml) and the test-support modules built on it: the round
loads, asks one question of every answer type, and every factory makes a valid row on its own."""

from __future__ import annotations

from typing import Any

import factory
import pytest
from django.db import models

from surveys import answer_types
from surveys.models import Question
from tests import factories
from tests.scenario import SMALL, Scenario, load_round

FACTORIES = sorted(
    (
        value
        for value in vars(factories).values()
        if isinstance(value, type)
        and issubclass(value, factory.django.DjangoModelFactory)
        and value is not factory.django.DjangoModelFactory
    ),
    key=lambda f: f.__name__,
)


def test_the_small_round_asks_one_question_of_every_answer_type(db: None) -> None:
    survey = load_round(SMALL)
    types = list(Question.objects.filter(survey=survey).order_by("position").values_list("type", flat=True))
    assert sorted(types) == sorted(answer_types.ANSWER_TYPES)


@pytest.mark.parametrize("model_factory", FACTORIES, ids=lambda f: f.__name__)
def test_every_factory_makes_a_valid_row(db: None, settings: Any, tmp_path: Any, model_factory: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    row = model_factory()
    row.full_clean(exclude=["password"] if hasattr(row, "password") else None)
    assert type(row)._default_manager.filter(pk=row.pk).exists()


def test_every_model_of_the_project_has_a_factory() -> None:
    from django.apps import apps

    ours = {
        model
        for config in apps.get_app_configs()
        if config.name in {"surveys", "responses", "reports"}
        for model in config.get_models()
        if not model._meta.abstract
    }
    made = {f._meta.model for f in FACTORIES}
    assert ours - made == set(), "add a factory to tests/factories.py"
    assert all(issubclass(model, models.Model) for model in made)


def test_a_scenario_answers_as_its_people(db: None) -> None:
    s = (
        Scenario()
        .round(SMALL)
        .state("AT", coordinator="coordinator@at.example.org", viewer=["viewer@at.example.org"])
        .ngo("ngo-small", name="Small NGO", coordinator="coordinator@ngo.example.org")
        .answers("AT", {"TYP.ONE.10": {("", ""): "Ministry"}}, by="coordinator@at.example.org")
        .status("ngo-small", "submitted")
    )
    answer = s.response("AT").answers.get()
    assert (answer.value_text, answer.updated_by) == ("Ministry", s.people["coordinator@at.example.org"])
    assert s.response("ngo-small").status == "submitted"
    assert s.question("TYP.ONE.10").survey is s.survey
    assert {m.role for m in s.orgs["AT"].memberships.all()} == {"coordinator", "viewer"}
