"""Two saves of one question at the same moment, on the autosave's path (the structure passed in: answers_save
`areas`): the second waits for the first's row lock and must then see what the first wrote (found in review: a
statement that waited for the lock sees the other tables as they were when it began)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import F

from accounts.models import Organisation
from responses.models import Answer, AnswerChange, PendingCell
from responses.selectors import survey_structure, unsaved_cells
from responses.services import RESPONSE_LOCK, SaveOutcome, answers_save, response_get_or_create
from responses.tests.conftest import question
from surveys.models import Survey

KEY = ("", "")


def _race(first: dict[str, Any], second: dict[str, Any]) -> dict[str, SaveOutcome]:
    """`first` saves and holds its transaction open; `second` starts meanwhile and waits on the response's lock."""
    saved, release = threading.Event(), threading.Event()
    out: dict[str, SaveOutcome] = {}

    def one() -> None:
        with transaction.atomic():
            out["first"] = answers_save(**first)
            saved.set()
            release.wait(10)
        connection.close()

    def two() -> None:
        saved.wait(10)
        out["second"] = answers_save(**second)
        connection.close()

    threads = [threading.Thread(target=one), threading.Thread(target=two)]
    for thread in threads:
        thread.start()
    saved.wait(10)
    time.sleep(0.8)  # the second save is now waiting for the row lock
    release.set()
    for thread in threads:
        thread.join(20)
    return out


@pytest.fixture
def postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite in memory cannot share one database between threads")


@pytest.mark.django_db(transaction=True)
def test_the_second_of_two_simultaneous_autosaves_of_a_cell_gets_a_conflict(postgresql, round2016, people):
    response = response_get_or_create(survey=round2016, organisation=people.austria)
    item = question(round2016, "PRV.SUP.01")
    common = {"response": response, "question": item, "base_versions": {KEY: 1}}
    assert answers_save(**common | {"raw": {KEY: "yes"}, "base_versions": {KEY: 0}, "user": people.coordinator}).ok
    areas = survey_structure(round2016, people.austria.respondent_kind)
    out = _race(
        common | {"raw": {KEY: "no"}, "user": people.coordinator, "areas": areas},
        common | {"raw": {KEY: "in_process"}, "user": people.contributor, "areas": areas},
    )
    assert out["first"].ok
    assert [c.their_value for c in out["second"].conflicts] == ["no"]
    history = AnswerChange.objects.filter(response=response, question=item).order_by("pk")
    assert list(history.values_list("old_value", "new_value", "version")) == [("", "yes", 1), ("yes", "no", 2)]


@pytest.mark.django_db(transaction=True)
def test_a_valid_value_saved_just_after_a_mistyped_one_clears_its_kept_text(postgresql, round2016, people):
    response = response_get_or_create(survey=round2016, organisation=people.austria)
    item = question(round2016, "PAR.NAT.08")
    common = {"response": response, "question": item, "base_versions": None}
    assert answers_save(**common | {"raw": {KEY: "12,5"}, "user": people.coordinator}).ok
    areas = survey_structure(round2016, people.austria.respondent_kind)
    out = _race(
        common | {"raw": {KEY: "abc"}, "user": people.coordinator, "areas": areas},
        common | {"raw": {KEY: "12.5"}, "user": people.contributor, "areas": areas},
    )
    assert out["first"].cell_errors
    assert not PendingCell.objects.filter(response=response, question=item).exists()
    assert unsaved_cells(response) == []


@pytest.mark.django_db(transaction=True)
def test_a_save_that_waited_for_a_definition_load_is_refused_and_writes_nothing(postgresql, round2016, people):
    """Loading a definition locks the round's row (surveys.services.survey_load_definition) and changes what the
    round asks; a save arriving meanwhile waits for it (the save share-locks the round's row) and then finds a new
    structure version: the answer was checked against the old questionnaire, so it is refused, not written."""
    response = response_get_or_create(survey=round2016, organisation=people.austria)
    item = question(round2016, "PRV.SUP.01")
    areas = survey_structure(round2016, people.austria.respondent_kind)
    locked, release = threading.Event(), threading.Event()
    out: dict[str, Any] = {}

    def load() -> None:
        with transaction.atomic():
            Survey.objects.select_for_update().get(pk=round2016.pk)  # as survey_load_definition does
            locked.set()
            release.wait(10)
            Survey.objects.filter(pk=round2016.pk).update(structure_version=F("structure_version") + 1)
        connection.close()

    def save() -> None:
        locked.wait(10)
        started = time.monotonic()
        out["outcome"] = answers_save(
            response=response,
            question=item,
            raw={KEY: "yes"},
            base_versions={KEY: 0},
            user=people.coordinator,
            areas=areas,
        )
        out["waited"] = time.monotonic() - started
        connection.close()

    threads = [threading.Thread(target=load), threading.Thread(target=save)]
    for thread in threads:
        thread.start()
    locked.wait(10)
    time.sleep(0.8)  # the save is now waiting for the round's row
    release.set()
    for thread in threads:
        thread.join(20)
    assert out["waited"] >= 0.5
    assert "changed the questionnaire" in (out["outcome"].error or "")
    assert not Answer.objects.filter(response=response, question=item).exists()
    assert not AnswerChange.objects.filter(response=response).exists()


@pytest.mark.django_db(transaction=True)
def test_saves_do_not_wait_for_each_other_on_the_round_s_row(postgresql, round2016, people):
    """The share lock on the round is taken by every save: two organisations' saves still run side by side."""
    austria = response_get_or_create(survey=round2016, organisation=people.austria)
    item = question(round2016, "PRV.SUP.01")
    with transaction.atomic():
        first = answers_save(
            response=austria, question=item, raw={KEY: "yes"}, base_versions={KEY: 0}, user=people.coordinator
        )
        done: list[float] = []

        def other() -> None:
            germany = response_get_or_create(survey=round2016, organisation=Organisation.objects.get(code="DE"))
            started = time.monotonic()
            with transaction.atomic():
                RESPONSE_LOCK.rows(response_id=germany.pk)
            done.append(time.monotonic() - started)
            connection.close()

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(5)
    assert first.ok
    assert len(done) == 1
    assert done[0] < 2
