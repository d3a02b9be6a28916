"""Bulk reads for responses: a page's query count does not grow with its questions or answers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Membership
from accounts.selectors import organisation_lookup_table as organisation_lookup_table
from accounts.selectors import organisation_resolve as organisation_resolve
from oscethb.prepared import PreparedQuery
from surveys.models import Area, Question, Section, Survey
from surveys.selectors import questions_with_words
from surveys.show_if import NOT_ASKED, is_shown
from surveys.structure import OnFirstUse, questions_by_code, structure_areas

from . import values
from .grids import CellProblem, cell_problems, shown_pending
from .models import Answer, AnswerChange, Evidence, PendingCell, Response, Source

Key = tuple[str, str]
AnswerMap = dict[int, dict[Key, Answer]]


def memberships_of(user: Any) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation")


def survey_structure(survey: Survey, kind: str | None = None) -> list[Area]:
    """Areas -> sections -> questions (with options) of a round, for one respondent kind: this request's own
    instances of the round's structure, read once per process and structure version (surveys/structure.py)."""
    return structure_areas(survey, kind)


def answers_of(response: Response, question_ids: list[int] | None = None) -> AnswerMap:
    found: AnswerMap = defaultdict(dict)
    answers = Answer.objects.filter(response_id=response.pk).select_related("updated_by")
    if question_ids is not None:
        answers = answers.filter(question_id__in=question_ids)
    for answer in answers:
        found[answer.question_id][(answer.row, answer.column)] = answer
    return found


# The section page reads its section's answers on every request: compiled once per process (oscethb/prepared.py).
SECTION_ANSWERS = PreparedQuery(
    lambda response_id, section_id: Answer.objects.filter(
        response_id=response_id, question__section_id=section_id
    ).select_related("updated_by"),
    response_id=int,
    section_id=int,
)


def section_answers(response: Response, section: Section, question_ids: list[int]) -> AnswerMap:
    """`answers_of(response, question_ids)` for a section page: the section's own answers with one prepared read,
    and those of questions in other sections (a show-if rule looking back) with a second read when there are any."""
    found: AnswerMap = defaultdict(dict)
    if response.pk is None:  # not written yet (an access check never writes): no answers
        return found
    wanted = set(question_ids)
    for answer in SECTION_ANSWERS.run(response_id=response.pk, section_id=section.pk):
        if answer.question_id in wanted:
            found[answer.question_id][(answer.row, answer.column)] = answer
    elsewhere = wanted - {q.pk for q in section.questions.all()}
    if elsewhere:
        for question_id, cells in answers_of(response, sorted(elsewhere)).items():
            found[question_id] = cells
    return found


def pending_cells_of(response: Response, question_ids: list[int] | None = None) -> dict[int, dict[Key, PendingCell]]:
    """The mistyped texts kept for the response's cells (see PendingCell), by question and cell, in one query."""
    found: dict[int, dict[Key, PendingCell]] = defaultdict(dict)
    rows = PendingCell.objects.filter(response_id=response.pk)
    if question_ids is not None:
        rows = rows.filter(question_id__in=question_ids)
    for row in rows:
        found[row.question_id][(row.row, row.column)] = row
    return found


def evidence_counts(response: Response) -> dict[int, int]:
    rows = Evidence.objects.filter(response_id=response.pk).values("question_id").annotate(n=Count("id"))
    return {row["question_id"]: row["n"] for row in rows}


def typed_values(
    question: Question, cells: dict[tuple[str, str], Answer], kinds: dict[Key, str] | None = None
) -> dict[tuple[str, str], Any]:
    """The typed values of a question's stored cells; `kinds` (each cell's kind) when the caller already has them."""
    kinds = kinds if kinds is not None else {spec.key: spec.kind for spec in question.cells()}
    return {key: values.read(answer, kinds[key]) for key, answer in cells.items() if key in kinds}


def is_visible(question: Question, by_code: Mapping[str, Question], answers: AnswerMap) -> bool:
    """The show-if rule (surveys.show_if), the same one the page's script applies; `by_code`: the questions asked."""

    def lookup(code: str, row: str) -> Any:
        target = by_code.get(code)
        if target is None:
            return NOT_ASKED
        answer = answers.get(target.pk, {}).get((row, ""))
        return None if answer is None else (answer.value_choices or answer.value_text)

    return is_shown(question.show_if, lookup)


@dataclass
class SectionProgress:
    section: Section
    required: int = 0
    answered: int = 0
    missing: list[Question] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return 100 if self.required == 0 else round(100 * self.answered / self.required)


@dataclass
class Progress:
    areas: list[tuple[Area, list[SectionProgress]]]

    @property
    def required(self) -> int:
        return sum(s.required for _a, sections in self.areas for s in sections)

    @property
    def answered(self) -> int:
        return sum(s.answered for _a, sections in self.areas for s in sections)

    @property
    def missing(self) -> list[tuple[Section, Question]]:
        return [(s.section, q) for _a, sections in self.areas for s in sections for q in s.missing]

    @property
    def complete(self) -> bool:
        # Each section answers all it requires exactly when it misses none (answered = required - missing, in both
        # ways progress is made): counted without making the missing questions (progress_stored makes them lazily).
        return all(s.answered == s.required for _a, sections in self.areas for s in sections)

    @property
    def percent(self) -> int:
        return 100 if self.required == 0 else round(100 * self.answered / self.required)


def response_progress(response: Response, areas: list[Area] | None = None) -> Progress:
    """Required questions answered per section, applying show-if: hidden questions are never required.

    From the progress kept on the response row (responses/progress.py) when it is for the round's current
    structure; otherwise computed from all the answers (2 queries)."""
    kind = response.organisation.respondent_kind
    areas = areas if areas is not None else survey_structure(response.survey, kind)
    stored = progress_stored(response, areas)
    if stored is not None:
        return stored
    return progress_of(areas, answers_of(response), evidence_counts(response))


def question_counts(
    question: Question,
    by_code: Mapping[str, Question],
    answers: AnswerMap,
    evidence: dict[int, int],
    plan: ProgressPlan | None = None,
) -> tuple[bool, bool]:
    """(required, complete): whether progress asks for the question (required and shown), and whether it is
    complete (only meaningful when required). `plan` (many responses of one structure) remembers each question's
    cell kinds and whether it counts as complete with no answer at all, so they are asked once, not per response."""
    if not question.required or (question.show_if and not is_visible(question, by_code, answers)):
        return False, False
    cells = answers.get(question.pk)
    documents = evidence.get(question.pk, 0)
    if plan is not None and not cells and not documents:
        return True, plan.complete_unanswered(question)
    kinds = plan.cell_kinds(question) if plan is not None else None
    complete = question.answer_type.is_complete(question.shape, typed_values(question, cells or {}, kinds), documents)
    return True, complete


# What counts as complete, as a number kept with each response's stored progress: bumped when the rule changes, so
# that progress kept under the old rule is computed again (responses/progress.py). 2: figures per year are answered
# once any year has one (as the questions' help says: "Leave a year empty if there is no figure").
PROGRESS_RULES = 2


def progress_is_current(stored: Mapping[str, Any], structure_version: int) -> bool:
    """Whether stored progress was computed for this structure version and under today's rule of completeness."""
    return stored.get("version") == structure_version and stored.get("rules", 1) == PROGRESS_RULES


def progress_stored(response: Response, areas: list[Area]) -> Progress | None:
    """The response's Progress from its stored lists (no query), or None when they are for another structure
    version than the round's, or another rule of completeness (the caller computes it in full)."""
    stored: dict[str, Any] = response.progress or {}
    if response.pk is None or not progress_is_current(stored, response.survey.structure_version):
        return None
    kept = stored.get("sections", {})
    result = []
    for area in areas:
        sections = []
        for section in area.sections.all():
            entry = kept.get(str(section.pk))
            if entry is None:
                return None
            missing = set(entry["missing"])
            progress = SectionProgress(section)
            progress.required = len(entry["required"])
            progress.answered = progress.required - len(missing)
            if missing:  # the section's questions are made only when the list is read (an autosave reads counts)
                progress.missing = OnFirstUse(partial(_questions_among, section, missing))
            sections.append(progress)
        result.append((area, sections))
    return Progress(result)


def _questions_among(section: Section, ids: set[int]) -> list[Question]:
    return [q for q in section.questions.all() if q.pk in ids]


def missing_stored(
    progress: dict[int, dict[str, Any] | None], areas: list[Area], version: int
) -> dict[int, list[Question]]:
    """The required questions each response is missing, in questionnaire order, from its stored progress (no query):
    `progress_stored(...).missing` for many responses of one structure (`progress`: Response.progress by response
    id; `version`: the round's structure version), the structure walked once. A response whose stored progress is
    out of date is left out (the caller computes it in full)."""
    layout = [(str(s.pk), list(s.questions.all())) for area in areas for s in area.sections.all()]
    result = {}
    for pk, stored in progress.items():
        if not stored or not progress_is_current(stored, version):
            continue
        kept = stored.get("sections", {})
        if any(key not in kept for key, _questions in layout):
            continue
        missing: list[Question] = []
        for key, questions in layout:
            if absent := set(kept[key]["missing"]):
                missing.extend(q for q in questions if q.pk in absent)
        result[pk] = missing
    return result


@dataclass(frozen=True)
class UnsavedCell:
    """A cell whose typed text is kept but not saved (a PendingCell: "12a" in a table of whole numbers), named in
    words, with the section that shows it. It blocks submitting: what was typed there would not be sent."""

    section: Section
    question: Question
    problem: CellProblem  # the cell's field name, input id, labels in words and the message
    text: str  # what was typed

    @property
    def where(self) -> str:
        """The question's code and the cell's labels: "PRT.DATA.01 · 2013, Female, Adults, …"."""
        return f"{self.question.code} · {self.problem.label}"

    @property
    def shown_text(self) -> str:
        return self.text if len(self.text) <= 60 else self.text[:59] + "…"


def unsaved_cells(response: Response, areas: list[Area] | None = None) -> list[UnsavedCell]:
    """The mistyped texts still kept for the response, in the questionnaire's order (a fixed number of queries).

    Only those the section pages show: of questions asked of this kind of respondent and visible under their show-if
    rule (a hidden question is not sent), and not replaced by an answer written later (an import)."""
    kept = pending_cells_of(response)
    if not kept:
        return []
    areas = areas if areas is not None else survey_structure(response.survey, response.organisation.respondent_kind)
    answers = answers_of(response)
    by_code = questions_by_code(areas)
    found: list[UnsavedCell] = []
    for area in areas:
        for section in area.sections.all():
            for question in section.questions.all():
                if question.pk not in kept or not is_visible(question, by_code, answers):
                    continue
                pending = shown_pending(answers.get(question.pk, {}), kept[question.pk])
                found.extend(
                    UnsavedCell(section, question, problem, pending[problem.key].text)
                    for problem in cell_problems(question, errors={}, pending=pending)
                )
    return found


@dataclass(frozen=True)
class ProgressPlan:
    """What progress reads of a round's structure for one kind of respondent, flattened once: the required questions
    per section in order, and every question asked by code (show-if rules look their targets up there)."""

    areas: list[tuple[Area, list[tuple[Section, list[Question]]]]]
    by_code: dict[str, Question]
    kinds: dict[int, dict[Key, str]] = field(default_factory=dict)  # each question's cell kinds, filled as needed
    unanswered: dict[int, bool] = field(default_factory=dict)  # complete with no answer? filled as needed

    def cell_kinds(self, question: Question) -> dict[Key, str]:
        if question.pk not in self.kinds:
            self.kinds[question.pk] = {spec.key: spec.kind for spec in question.cells()}
        return self.kinds[question.pk]

    def complete_unanswered(self, question: Question) -> bool:
        if question.pk not in self.unanswered:
            self.unanswered[question.pk] = question.answer_type.is_complete(question.shape, {}, 0)
        return self.unanswered[question.pk]

    @classmethod
    def of(cls, areas: list[Area], kind: str | None = None) -> ProgressPlan:
        asked = [
            (
                area,
                [(s, [q for q in s.questions.all() if kind is None or q.for_kind(kind)]) for s in area.sections.all()],
            )
            for area in areas
        ]
        return cls(
            areas=[(area, [(s, [q for q in qs if q.required]) for s, qs in sections]) for area, sections in asked],
            by_code={q.code: q for _a, sections in asked for _s, qs in sections for q in qs},
        )


def progress_of(
    areas: list[Area],
    answers: AnswerMap,
    evidence: dict[int, int],
    kind: str | None = None,
) -> Progress:
    """The progress of one response from its round's structure, its answers and its documents (no queries).

    `kind` leaves out the questions not asked of that kind of respondent, for a structure read for every kind
    (`survey_structure(survey)`); a structure read for one kind needs none."""
    return plan_progress(ProgressPlan.of(areas, kind), answers, evidence)


def plan_progress(plan: ProgressPlan, answers: AnswerMap, evidence: dict[int, int]) -> Progress:
    """The progress of one response on a flattened structure (`ProgressPlan`: shared by many responses of one
    structure, it asks each question's type once, not once per response)."""
    by_code = plan.by_code
    result = []
    for area, sections in plan.areas:
        area_sections = []
        for section, questions in sections:
            progress = SectionProgress(section)
            for question in questions:
                required, complete = question_counts(question, by_code, answers, evidence, plan)
                if not required:
                    continue
                progress.required += 1
                if complete:
                    progress.answered += 1
                else:
                    progress.missing.append(question)
            area_sections.append(progress)
        result.append((area, area_sections))
    return Progress(result)


def responses_progress(
    responses: list[Response], structures: dict[int, list[Area]] | None = None
) -> dict[int, Progress]:
    """The progress of many responses (of any rounds and kinds) in a fixed number of queries, keyed by response id.

    From the progress kept on each response row (responses/progress.py; the responses' rounds must be loaded with
    them) when it is for its round's current structure. The others are computed from their answers: one structure
    per round (`survey_structure(survey)`, for every kind; pass them in `structures` by round id if already read),
    one query for all their answers, one for their documents."""
    result: dict[int, Progress] = {}
    kept: dict[tuple[int, str], list[Area]] = {}  # the structure the stored lists are for: one per round and kind
    stale = []
    for response in responses:
        key = (response.survey_id, response.organisation.respondent_kind)
        if key not in kept:
            kept[key] = survey_structure(response.survey, key[1])
        stored = progress_stored(response, kept[key])
        if stored is None:
            stale.append(response)
        else:
            result[response.pk] = stored
    if not stale:
        return result
    responses = stale
    structures = dict(structures or {})
    for response in responses:
        if response.survey_id not in structures:
            structures[response.survey_id] = survey_structure(response.survey)
    answers: dict[int, AnswerMap] = defaultdict(lambda: defaultdict(dict))
    for answer in Answer.objects.filter(response__in=responses):
        answers[answer.response_id][answer.question_id][(answer.row, answer.column)] = answer
    evidence: dict[int, dict[int, int]] = defaultdict(dict)
    for row in (
        Evidence.objects.filter(response__in=responses).values("response_id", "question_id").annotate(n=Count("id"))
    ):
        evidence[row["response_id"]][row["question_id"]] = row["n"]
    plans: dict[tuple[int, str], ProgressPlan] = {}
    for r in responses:
        key = (r.survey_id, r.organisation.respondent_kind)
        if key not in plans:
            plans[key] = ProgressPlan.of(structures[r.survey_id], key[1])
        result[r.pk] = plan_progress(plans[key], answers[r.pk], evidence[r.pk])
    return result


def cell_kinds(question: Question) -> dict[tuple[str, str], str]:
    return {spec.key: spec.kind for spec in question.cells()}


HISTORY_LIMIT = 2000


def person_label(user: Any, source: str = "") -> str:
    """Who made a change, as people know them: their name, else their e-mail; an import or a copy when no one."""
    if user is not None:
        return user.get_full_name() or user.email or user.username
    if source == Source.PREFILL:
        return _("a copy from the previous round")
    return _("an import")


@dataclass
class HistoryRow:
    """One change to an answer, in words: what people read on the history page."""

    change: AnswerChange
    who: str
    question: Question
    cell: str
    before: str
    after: str


def history_rows(response: Response, limit: int = HISTORY_LIMIT) -> list[HistoryRow]:
    """The newest changes to a response's answers with their values and cells in words, in three queries."""
    changes = list(
        AnswerChange.objects.filter(response_id=response.pk).select_related("changed_by").order_by("-id")[:limit]
    )
    questions = questions_with_words(survey=response.survey, ids={c.question_id for c in changes})
    rows = []
    for change in changes:
        question = questions[change.question_id]
        key = (change.row, change.column)
        words = question.words
        rows.append(
            HistoryRow(
                change=change,
                who=person_label(change.changed_by, change.source),
                question=question,
                cell=words.cell(key),
                before=words.text(key, change.old_value),
                after=words.text(key, change.new_value),
            )
        )
    return rows
