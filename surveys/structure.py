"""The structure of a round (areas -> sections -> questions with their options), read from the database once per
process and round version, and handed to each request as its own model instances.

Contract:
- `Survey.structure_version` is bumped (`structure_changed`) in the same transaction as every change to what the
  round asks: loading or cloning a definition, saving or deleting an area, section, question, option set or
  option (the receivers at the end of this module, so the admin, the shell and the tests are covered too), a
  change of the round's status or reference years.
- `structure_snapshot(survey, kind)` gives an immutable snapshot (frozen dataclasses of column values, the
  questions' shapes and cells) keyed by (survey id, structure_version, kind). It is built once per process under a
  lock, and kept only if the version it was built for is still the committed one; only the newest version is kept.
  Every request compares the version on the Survey row it reads anyway, so every process and host sees a change
  at its next request.
- `structure_areas(survey, kind)` makes fresh model instances from the snapshot for one request (no query): no
  model instance is shared between threads. The JSON values inside (texts, rows, rules) are shared and must be
  treated as read-only, like the snapshot.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, partial
from types import MappingProxyType
from typing import Any

from django.db import models, transaction
from django.db.models import F, Prefetch
from django.db.models.base import ModelState
from django.db.models.signals import post_delete, post_save
from django.db.models.sql import Query

from . import answer_types as at
from .models import Area, Option, OptionSet, Question, Section, Survey
from .show_if import depends_on

# --- the version ----------------------------------------------------------------------------------------------

_deferred = threading.local()


def structure_changed(survey_id: int | None) -> None:
    """Bump the round's structure version (in the caller's transaction): every process rebuilds its snapshot."""
    if survey_id is None:
        return
    pending: set[int] | None = getattr(_deferred, "surveys", None)
    if pending is not None:
        pending.add(survey_id)
        return
    Survey.objects.filter(pk=survey_id).update(structure_version=F("structure_version") + 1)
    if transaction.get_connection().in_atomic_block:
        # Until this transaction commits, this thread reads a version no other one may ever see (a rollback
        # gives the number back): it builds for itself and caches nothing of this round.
        _uncommitted().add(survey_id)
        transaction.on_commit(lambda: _uncommitted().discard(survey_id))


def structure_uncommitted(survey_id: int) -> bool:
    """Whether this thread changed the round's structure in a transaction it has not committed yet (the version it
    reads may never be seen by others, or be given out again after a rollback)."""
    return survey_id in _uncommitted()


def _uncommitted() -> set[int]:
    found: set[int] | None = getattr(_deferred, "uncommitted", None)
    if found is None:
        found = _deferred.uncommitted = set()
    return found


@contextmanager
def structure_changes() -> Iterator[None]:
    """Many structure writes, one bump per round at the end (a definition load writes hundreds of rows)."""
    outer = getattr(_deferred, "surveys", None)
    if outer is not None:
        yield
        return
    _deferred.surveys = set()
    try:
        yield
        touched = _deferred.surveys
    finally:
        _deferred.surveys = None
    for survey_id in sorted(touched):
        structure_changed(survey_id)


# Round fields the structure depends on: the reference years shape the per-year cells; the status is part of the
# contract (a change of status is a moment people expect the questionnaire to be read afresh).
STRUCTURE_FIELDS = ("status", "reference_start", "reference_end")


def _structure_facts(survey: Survey) -> tuple[Any, ...] | None:
    """The fields' values as loaded (None when one was not loaded: `only()`, `defer()`; never read here)."""
    values = survey.__dict__
    if any(name not in values for name in STRUCTURE_FIELDS):
        return None
    return tuple(values[name] for name in STRUCTURE_FIELDS)


def _survey_loaded(sender: type[Survey], instance: Survey, **kwargs: Any) -> None:
    instance._loaded_structure_facts = _structure_facts(instance)  # type: ignore[attr-defined]


def _survey_saved(sender: type[Survey], instance: Survey, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw") or created:
        return
    loaded = getattr(instance, "_loaded_structure_facts", None)
    now = _structure_facts(instance)
    if loaded is not None and now is not None and loaded != now:
        structure_changed(instance.pk)
        instance.structure_version = Survey.objects.filter(pk=instance.pk).values_list("structure_version", flat=True)[
            0
        ]
    instance._loaded_structure_facts = now  # type: ignore[attr-defined]


def _part_changed(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    if isinstance(instance, Option):
        survey_id = OptionSet.objects.filter(pk=instance.option_set_id).values_list("survey_id", flat=True).first()
    else:
        survey_id = instance.survey_id
    structure_changed(survey_id)


models.signals.post_init.connect(_survey_loaded, sender=Survey, dispatch_uid="structure-survey-loaded")
post_save.connect(_survey_saved, sender=Survey, dispatch_uid="structure-survey-saved")
for _model in (Area, Section, Question, OptionSet, Option):
    post_save.connect(_part_changed, sender=_model, dispatch_uid=f"structure-{_model.__name__}-saved")
    post_delete.connect(_part_changed, sender=_model, dispatch_uid=f"structure-{_model.__name__}-deleted")


# --- the snapshot ---------------------------------------------------------------------------------------------


def _columns(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(f.attname for f in model._meta.concrete_fields)


@dataclass(frozen=True)
class OptionSetRow:
    values: tuple[Any, ...]
    options: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class QuestionRow:
    values: tuple[Any, ...]
    option_set: OptionSetRow | None
    shape: at.QuestionShape
    cells: tuple[at.CellSpec, ...]


@dataclass(frozen=True)
class SectionRow:
    values: tuple[Any, ...]
    questions: tuple[QuestionRow, ...]


@dataclass(frozen=True)
class AreaRow:
    values: tuple[Any, ...]
    sections: tuple[SectionRow, ...]


@dataclass(frozen=True)
class StructureSnapshot:
    """One round's structure for one kind of respondent (None: every kind), at one structure version."""

    survey_id: int
    version: int
    kind: str | None
    areas: tuple[AreaRow, ...]
    # Where each question code sits (area, section, question index), and the codes of the questions whose show-if
    # rule reads each code: what an autosave needs, without making every question of the round.
    positions: Mapping[str, tuple[int, int, int]]
    dependents: Mapping[str, tuple[str, ...]]


def _values(instance: models.Model, columns: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(getattr(instance, name) for name in columns)


def structure_from_database(survey: Survey, kind: str | None = None) -> list[Area]:
    """Areas -> sections -> questions (with options) of a round, for one respondent kind, in 4 queries."""
    # Filtered by round at every level: a question or section moved to another round's area by hand (admin) is
    # never shown, nor saved, as this round's.
    questions = (
        Question.objects.of_round(survey)
        .select_related("option_set")
        .prefetch_related("option_set__options")
        .order_by("position")
    )
    sections = Section.objects.filter(survey=survey).order_by("position")
    areas_qs = Area.objects.filter(survey=survey).order_by("position")
    if kind is not None:
        # Sections and areas with nothing for this kind of respondent are left out altogether.
        audience = Question.audiences_for(kind)
        asked = Question.objects.filter(survey=survey, audience__in=audience)
        questions = questions.filter(audience__in=audience)
        sections = sections.filter(pk__in=asked.values("section_id"))
        areas_qs = areas_qs.filter(pk__in=asked.values("section__area_id"))
    sections = sections.prefetch_related(Prefetch("questions", queryset=questions))
    return list(areas_qs.prefetch_related(Prefetch("sections", queryset=sections)))


def _snapshot_of(survey: Survey, kind: str | None) -> StructureSnapshot:
    areas = structure_from_database(survey, kind)
    area_rows = []
    for area in areas:
        section_rows = []
        for section in area.sections.all():
            question_rows = []
            for question in section.questions.all():
                option_set = None
                if question.option_set is not None:
                    option_set = OptionSetRow(
                        _values(question.option_set, _OPTION_SET),
                        tuple(_values(o, _OPTION) for o in question.option_set.options.all()),
                    )
                shape = question.shape
                question_rows.append(
                    QuestionRow(_values(question, _QUESTION), option_set, shape, tuple(question.cells()))
                )
            section_rows.append(SectionRow(_values(section, _SECTION), tuple(question_rows)))
        area_rows.append(AreaRow(_values(area, _AREA), tuple(section_rows)))
    positions: dict[str, tuple[int, int, int]] = {}
    dependents: dict[str, list[str]] = {}
    code_at, show_if_at = _QUESTION.index("code"), _QUESTION.index("show_if")
    for a, area_row in enumerate(area_rows):
        for s, section_row in enumerate(area_row.sections):
            for q, question_row in enumerate(section_row.questions):
                code = question_row.values[code_at]
                positions[code] = (a, s, q)
                target = depends_on(question_row.values[show_if_at])
                if target is not None:
                    dependents.setdefault(target[0], []).append(code)
    return StructureSnapshot(
        survey.pk,
        survey.structure_version,
        kind,
        tuple(area_rows),
        MappingProxyType(positions),
        MappingProxyType({code: tuple(codes) for code, codes in dependents.items()}),
    )


_AREA, _SECTION, _QUESTION = _columns(Area), _columns(Section), _columns(Question)
_OPTION_SET, _OPTION = _columns(OptionSet), _columns(Option)

_snapshots: dict[tuple[int, str | None], StructureSnapshot] = {}
_locks: dict[tuple[int, str | None], threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(key: tuple[int, str | None]) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def _committed_version(survey_id: int) -> int | None:
    return Survey.objects.filter(pk=survey_id).values_list("structure_version", flat=True).first()


def structure_snapshot(survey: Survey, kind: str | None = None) -> StructureSnapshot:
    """The round's structure at the version on `survey` (the row the request read): from this process's cache, or
    built (4 queries, and one to check the version) and cached if that version is still the committed one."""
    key = (survey.pk, kind)
    found = _snapshots.get(key)
    if found is not None and found.version == survey.structure_version:
        return found
    with _lock_for(key):
        found = _snapshots.get(key)
        if found is not None and found.version == survey.structure_version:
            return found
        built = _snapshot_of(survey, kind)
        # A change committed while this was built could have been read half: keep only a snapshot whose version is
        # still the committed one, never an older one over a newer, and none this thread changed without
        # committing yet (others may never see that version).
        newest = found is None or found.version < built.version
        if newest and survey.pk not in _uncommitted() and _committed_version(survey.pk) == built.version:
            _snapshots[key] = built
        return built


def structure_snapshots_clear() -> None:
    """Forget every snapshot of this process (tests: a new test database reuses round ids)."""
    _snapshots.clear()
    _uncommitted().clear()


# --- one request's instances ----------------------------------------------------------------------------------


@cache
def _unfiltered(model: type[models.Model]) -> Query:
    """The query of a prefetched list (never run: its rows are already there), one per model and process. Every
    queryset method that changes a query changes a copy (`_chain`), so they can share it; making one per list was
    two fifths of a request's structure."""
    return Query(model)


def _prefetched(instance: models.Model, name: str, model: type[models.Model], items: list[Any]) -> None:
    found: models.QuerySet[Any] = models.QuerySet(model=model, query=_unfiltered(model))
    found._result_cache = items  # what prefetch_related leaves, without a query
    found._prefetch_done = True  # type: ignore[attr-defined]
    instance._prefetched_objects_cache = {name: found}  # type: ignore[attr-defined]


def _instance(model: type[Any], columns: tuple[str, ...], values: tuple[Any, ...], db: str | None) -> Any:
    """What `Model.from_db` makes, without `Model.__init__` (its per-field loop and init signals: no receiver
    watches these models). A request builds hundreds of them from a snapshot."""
    instance = object.__new__(model)
    instance.__dict__.update(zip(columns, values, strict=True))
    state = instance._state = ModelState()
    state.adding, state.db = False, db
    return instance


def _related(instance: models.Model, name: str, value: models.Model) -> None:
    """`instance.<name> = value` for a foreign key whose id the instance already holds (the snapshot's columns), as
    Django's own row reading sets it (`field.set_cached_value`): without the descriptor's checks, which cost about
    a fifth of making a request's structure."""
    instance._state.fields_cache[name] = value


class OnFirstUse(list):
    """The list a prefetched queryset holds, made when first read: a section's questions and a question's options
    are built only where a request reads them (an autosave's progress reads no option)."""

    def __init__(self, make: Callable[[], list[Any]]) -> None:
        super().__init__()
        self._make: Callable[[], list[Any]] | None = make

    def _made(self) -> None:
        if self._make is not None:
            made = self._make()  # if it fails, the next read tries again (never an empty list for good)
            self._make = None
            self.extend(made)

    def __iter__(self) -> Iterator[Any]:
        self._made()
        return super().__iter__()

    def __len__(self) -> int:
        self._made()
        return super().__len__()

    def __bool__(self) -> bool:
        self._made()
        return super().__len__() > 0

    def __getitem__(self, index: Any) -> Any:
        self._made()
        return super().__getitem__(index)

    def __contains__(self, item: object) -> bool:
        self._made()
        return super().__contains__(item)

    def __reversed__(self) -> Iterator[Any]:
        self._made()
        return super().__reversed__()


def _question(row: QuestionRow, survey: Survey, section: Section, db: str | None) -> Question:
    question: Question = _instance(Question, _QUESTION, row.values, db)
    _related(question, "survey", survey)
    _related(question, "section", section)
    if row.option_set is not None:
        option_set = _instance(OptionSet, _OPTION_SET, row.option_set.values, db)
        rows = row.option_set.options
        _prefetched(
            option_set, "options", Option, OnFirstUse(lambda: [_instance(Option, _OPTION, v, db) for v in rows])
        )
        _related(question, "option_set", option_set)
    question.__dict__["shape"] = row.shape  # immutable, shared: the cached_property's value
    question.__dict__["_cells"] = row.cells
    return question


def _questions(rows: tuple[QuestionRow, ...], survey: Survey, section: Section, db: str | None) -> list[Question]:
    return [_question(row, survey, section, db) for row in rows]


class StructureAreas(list):
    """A request's areas (a list of Area instances), with `questions`: its questions by code, each made only when
    looked up (an autosave reads one question and the few its show-if rules link it to, not the whole round)."""

    def __init__(self, areas: list[Area], snapshot: StructureSnapshot) -> None:
        super().__init__(areas)
        self.questions = QuestionsByCode(self, snapshot)


class QuestionsByCode(Mapping[str, Question]):
    """The questions of a request's `StructureAreas` by code: the very instances `section.questions.all()` holds, made
    a section at a time when first looked up."""

    def __init__(self, areas: list[Area], snapshot: StructureSnapshot) -> None:
        self._areas, self._snapshot = areas, snapshot

    def __getitem__(self, code: str) -> Question:
        a, s, q = self._snapshot.positions[code]
        question: Question = self._areas[a].sections.all()[s].questions.all()[q]
        return question

    def __iter__(self) -> Iterator[str]:
        return iter(self._snapshot.positions)

    def __len__(self) -> int:
        return len(self._snapshot.positions)

    def __contains__(self, code: object) -> bool:
        return code in self._snapshot.positions

    def dependents(self, code: str) -> list[Question]:
        """The questions whose show-if rule reads the question `code`."""
        return [self[c] for c in self._snapshot.dependents.get(code, ())]


def questions_by_code(areas: list[Area]) -> Mapping[str, Question]:
    """The questions of `areas` by code: made only when looked up for a request's `StructureAreas`, all at once
    otherwise (areas read with `structure_from_database`)."""
    if isinstance(areas, StructureAreas):
        return areas.questions
    return {q.code: q for a in areas for s in a.sections.all() for q in s.questions.all()}


def show_if_dependents(areas: list[Area], code: str) -> list[Question]:
    """The questions of `areas` whose show-if rule reads the question `code`."""
    if isinstance(areas, StructureAreas):
        return areas.questions.dependents(code)
    return [
        q
        for a in areas
        for s in a.sections.all()
        for q in s.questions.all()
        if (depends_on(q.show_if) or ("",))[0] == code
    ]


def areas_of(snapshot: StructureSnapshot, survey: Survey) -> list[Area]:
    """Fresh model instances of a snapshot for one request, related and prefetched as `structure_from_database`
    leaves them (`area.sections.all()`, `section.questions.all()`, `question.option_set.options.all()`), with the
    questions by code (`StructureAreas`)."""
    db = survey._state.db
    areas = []
    for area_row in snapshot.areas:
        area = _instance(Area, _AREA, area_row.values, db)
        _related(area, "survey", survey)
        sections = []
        for section_row in area_row.sections:
            section = _instance(Section, _SECTION, section_row.values, db)
            _related(section, "survey", survey)
            _related(section, "area", area)
            # Made when first read (a review page of a complete response reads no question).
            questions = OnFirstUse(partial(_questions, section_row.questions, survey, section, db))
            _prefetched(section, "questions", Question, questions)
            sections.append(section)
        _prefetched(area, "sections", Section, sections)
        areas.append(area)
    return StructureAreas(areas, snapshot)


def structure_areas(survey: Survey, kind: str | None = None) -> list[Area]:
    """Areas -> sections -> questions (with options) of a round, for one respondent kind: this request's own
    instances of the process's snapshot (no query when the snapshot is current)."""
    if survey.pk is None:
        return []
    return areas_of(structure_snapshot(survey, kind), survey)
