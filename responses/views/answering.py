"""Answering a round: the organisation's round home, section pages with autosave, review, submit, evidence."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oscethb.access import staff_required
from surveys.models import Question, Section, Survey

from .. import values
from ..access import ResponseAccess, response_access
from ..evidence import EvidenceError, evidence_delete, evidence_upload
from ..forms import FILE_PREFIX, SectionForm, field_name, original_name, posted_cells, version_name
from ..forms_deadlines import DeadlineExtensionForm
from ..grids import CellProblem, cell_problems, shown_pending
from ..models import Answer, Evidence, PendingCell, Response, ResponseEvent
from ..prefill import previous_answers_exist
from ..round_status import round_responses
from ..selectors import (
    answers_of,
    history_rows,
    is_visible,
    pending_cells_of,
    person_label,
    response_progress,
    survey_structure,
    unsaved_cells,
)
from ..services import Conflict, SaveOutcome, answers_save, response_for_writing
from ..widgets import widget_context

Key = tuple[str, str]


@dataclass
class CellState:
    name: str
    version_name: str
    original_name: str
    version: int
    original: str
    needs_review: bool = False
    pending: bool = False  # the cell shows a kept mistyped text (p|…): always sent, so fixing it reaches the server

    @property
    def pending_name(self) -> str:
        return "p|" + self.name


@dataclass
class QuestionBlock:
    question: Question
    visible: bool
    state: list[CellState]
    error: str = ""
    conflicts: list[Conflict] = field(default_factory=list)
    last_changed_by: str = ""
    last_changed_at: Any = None
    last_changed_cell: str = ""  # which part of a table or several-field answer, in words; "" for one value
    needs_review: bool = False
    evidence: list[Evidence] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)  # cells not saved, each with its message
    w: dict[str, Any] = field(default_factory=dict)  # the widget's arranged bound fields

    @property
    def show_if_json(self) -> str:
        return json.dumps(self.question.show_if) if self.question.show_if else ""


def _state(
    question: Question,
    cells: dict[Key, Answer],
    keep: dict[Key, tuple[int, str]] | None = None,
    pending: Any = (),
) -> list[CellState]:
    """The hidden version/original inputs of a question; `keep` holds cells whose conflict is not resolved yet,
    `pending` the cells that show a kept mistyped text."""
    result = []
    for spec in question.cells():
        answer = cells.get(spec.key)
        version, original = (answer.version, values.as_text(answer, spec.kind)) if answer else (0, "")
        if keep and spec.key in keep:
            version, original = keep[spec.key]
        result.append(
            CellState(
                field_name(question, spec.key),
                version_name(question, spec.key),
                original_name(question, spec.key),
                version,
                original,
                needs_review=bool(answer and answer.needs_review),
                pending=spec.key in pending,
            )
        )
    return result


def _block(
    question: Question,
    cells: dict[Key, Answer],
    visible: bool,
    evidence: list[Evidence],
    pending: dict[Key, PendingCell] | None = None,
) -> QuestionBlock:
    latest = max(cells.values(), key=lambda a: a.updated_at, default=None)
    pending = pending or {}
    return QuestionBlock(
        question=question,
        visible=visible,
        state=_state(question, cells, pending=pending),
        problems=cell_problems(question, errors={}, pending=pending),
        last_changed_by=person_label(latest.updated_by, latest.source) if latest else "",
        last_changed_at=latest.updated_at if latest else None,
        last_changed_cell=question.words.cell((latest.row, latest.column)) if latest else "",
        needs_review=any(a.needs_review for a in cells.values()),
        evidence=evidence,
    )


def _urls(access: ResponseAccess) -> dict[str, str]:
    args = [access.survey.slug, access.organisation.code]
    return {
        "home": reverse("response-home", args=args),
        "review": reverse("response-review", args=args),
        "submit": reverse("response-submit", args=args),
        "answers": reverse("response-answers", args=args),
        "answers_pdf": reverse("response-answers-pdf", args=args),
    }


# --- pages ------------------------------------------------------------------------------------------------------


@login_required
def response_home(request: HttpRequest, slug: str, org_code: str) -> HttpResponse:
    return response_home_page(request, response_access(request, slug, org_code))


def response_home_page(
    request: HttpRequest, access: ResponseAccess, *, extend_form: Any = None, status: int = 200
) -> HttpResponse:
    """The round home of one response; `extend_form`: the staff's deadline extension form as posted (with its
    errors), shown again open with the values typed (responses/views/deadlines.py)."""
    areas = survey_structure(access.survey, access.kind)
    progress = response_progress(access.response, areas)
    return render(
        request,
        "responses/response_home.html",
        {
            "access": access,
            "response": access.response,
            "progress": progress,
            "urls": _urls(access),
            # Offered only when there is something to copy (one query, whatever the number of answers).
            "can_prefill": access.can_edit
            and previous_answers_exist(survey=access.survey, organisation=access.organisation),
            "extend_form": extend_form if extend_form is not None else DeadlineExtensionForm(),
        },
        status=status,
    )


def _section_context(
    access: ResponseAccess, section_code: str
) -> tuple[list[Any], Section, list[Question], dict[int, dict[Key, Answer]], dict[str, Question]]:
    areas = survey_structure(access.survey, access.kind)
    sections = [s for a in areas for s in a.sections.all()]
    section = next((s for s in sections if s.code == section_code), None)
    if section is None:
        raise Http404("No such section")
    questions = list(section.questions.all())
    by_code = {q.code: q for s in sections for q in s.questions.all()}
    return areas, section, questions, answers_of(access.response), by_code


def _evidence_by_question(response: Response, questions: list[Question]) -> dict[int, list[Evidence]]:
    found: dict[int, list[Evidence]] = {}
    for item in Evidence.objects.filter(
        response_id=response.pk, question__in=[q for q in questions if q.type == "file"]
    ).select_related("uploaded_by"):
        found.setdefault(item.question_id, []).append(item)
    return found


@login_required
def section_page(request: HttpRequest, slug: str, org_code: str, section_code: str) -> HttpResponse:
    access = response_access(request, slug, org_code)
    areas, section, questions, answers, by_code = _section_context(access, section_code)
    problems: dict[int, SaveOutcome] = {}
    changed: dict[int, set[Key]] = {}
    if request.method == "POST":
        if not access.can_edit:
            raise PermissionDenied
        response_for_writing(access.response)
        problems, changed = _save_posted(request, access, questions)
        if not problems:
            messages.success(request, _("Your answers are saved."))
            sections = [s for a in areas for s in a.sections.all()]
            index = next(i for i, s in enumerate(sections) if s.pk == section.pk)
            if "next" in request.POST and index + 1 < len(sections):
                target = reverse("response-section", args=[slug, org_code, sections[index + 1].code])
            else:
                target = reverse("response-section", args=[slug, org_code, section.code])
            return HttpResponseRedirect(target)
        answers = answers_of(access.response)
    evidence = _evidence_by_question(access.response, questions)
    # A kept mistyped text is for the person who can fix it; a read-only page (submitted, a viewer, staff, after the
    # deadline) shows the answers as stored, which is what was sent.
    kept_texts = pending_cells_of(access.response, [q.pk for q in questions]) if access.can_edit else {}
    pending = {q.pk: shown_pending(answers.get(q.pk, {}), kept_texts.get(q.pk, {})) for q in questions}
    form = SectionForm(
        request.POST if problems else None,
        questions=questions,
        answers=answers,
        pending={pk: {key: item.text for key, item in cells.items()} for pk, cells in pending.items()},
        disabled=not access.can_edit,
    )
    blocks = []
    for question in questions:
        block = _block(
            question,
            answers.get(question.pk, {}),
            is_visible(question, by_code, answers),
            evidence.get(question.pk, []),
            pending[question.pk],
        )
        if problems:
            # The page is shown again with what was posted: its hidden state must be what was posted too, except
            # for the cells this request saved, or a later save would undo a colleague's answer unseen.
            block.state = _state(
                question,
                answers.get(question.pk, {}),
                _kept(request, question, changed.get(question.pk, set())),
                pending[question.pk],
            )
        if question.pk in problems:
            block.error = problems[question.pk].error
            block.conflicts = problems[question.pk].conflicts
            block.problems = cell_problems(
                question, errors=problems[question.pk].cell_errors, pending=pending[question.pk]
            )
        block.w = widget_context(question, form, block.problems)
        blocks.append(block)
    sections = [s for a in areas for s in a.sections.all()]
    index = next(i for i, s in enumerate(sections) if s.pk == section.pk)
    return render(
        request,
        "responses/section.html",
        {
            "access": access,
            "response": access.response,
            "section": section,
            "form": form,
            "blocks": blocks,
            "progress": response_progress(access.response, areas),
            "previous_section": sections[index - 1] if index > 0 else None,
            "next_section": sections[index + 1] if index + 1 < len(sections) else None,
            "urls": _urls(access),
        },
        status=422 if problems else 200,
    )


def _kept(request: HttpRequest, question: Question, changed: set[Key]) -> dict[Key, tuple[int, str]]:
    """The version and value the page had, for every posted cell that this request did not save.

    The page still shows those cells as they were, so its hidden state must say so: a cell someone else saved
    meanwhile is then still seen as stale (a conflict if the user changes it), never silently emptied; a conflict
    keeps the page's version until the user chooses.
    """
    kept = {}
    for spec in question.cells():
        name = version_name(question, spec.key)
        if spec.key in changed or name not in request.POST:
            continue
        try:
            version = int(request.POST.get(name, "0"))
        except ValueError:
            version = -1
        kept[spec.key] = (version, request.POST.get(original_name(question, spec.key), ""))
    return kept


def _save_posted(
    request: HttpRequest, access: ResponseAccess, questions: list[Question]
) -> tuple[dict[int, SaveOutcome], dict[int, set[Key]]]:
    """Save every posted question; returns the questions that were not (fully) saved, and the cells that were."""
    problems = {}
    changed: dict[int, set[Key]] = {}
    for question in questions:
        if question.type == "file":
            for upload in request.FILES.getlist(FILE_PREFIX + question.code):
                try:
                    evidence_upload(response=access.response, question=question, upload=upload, user=request.user)
                except EvidenceError as exc:
                    problems[question.pk] = SaveOutcome(error=str(exc))
            continue
        raw, versions, _originals = posted_cells(question, request.POST)
        if not raw:
            continue
        outcome = answers_save(
            response=access.response, question=question, raw=raw, base_versions=versions, user=request.user
        )
        changed[question.pk] = set(outcome.in_sync)
        if not outcome.ok:
            problems[question.pk] = outcome
    return problems, changed


def login_required_or_401(view: Any) -> Any:
    """Like login_required, but an htmx request whose login expired gets 401 (the page then says so and keeps the
    answer to retry), not the login page pasted in as if it were a successful save."""
    redirecting = login_required(view)

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated and request.headers.get("HX-Request"):
            return HttpResponse(_("Your login has expired."), status=401)
        return redirecting(request, *args, **kwargs)

    return wrapped


@login_required_or_401
@require_POST
def autosave(request: HttpRequest, slug: str, org_code: str, question_code: str) -> HttpResponse:
    """Save one question as the user types (htmx); answers with the save status and the refreshed page state."""
    access = response_access(request, slug, org_code)
    # The round's structure for this respondent is needed anyway for the progress bar in the answer: take the
    # question from it (with its options and section) instead of loading it a second time.
    areas = survey_structure(access.survey, access.kind)
    question = next(
        (
            q
            for area in areas
            for section in area.sections.all()
            for q in section.questions.all()
            if q.code == question_code
        ),
        None,
    )
    if question is None:  # not in this round, or not asked of this kind of respondent
        raise Http404("No such question")
    if not access.can_edit:
        return render(request, "responses/partials/autosave.html", {"readonly": True, "question": question}, status=403)
    response_for_writing(access.response)
    outcome = SaveOutcome()
    if question.type == "file":
        for upload in request.FILES.getlist(FILE_PREFIX + question.code):
            try:
                evidence_upload(response=access.response, question=question, upload=upload, user=request.user)
            except EvidenceError as exc:
                outcome.error = str(exc)
    else:
        raw, versions, _originals = posted_cells(question, request.POST)
        if raw:
            outcome = answers_save(
                response=access.response, question=question, raw=raw, base_versions=versions, user=request.user
            )
    cells = answers_of(access.response, [question.pk]).get(question.pk, {})
    evidence = _evidence_by_question(access.response, [question]).get(question.pk, [])
    pending = shown_pending(cells, pending_cells_of(access.response, [question.pk]).get(question.pk, {}))
    block = _block(question, cells, True, evidence, pending)
    block.error, block.conflicts = outcome.error, outcome.conflicts
    block.problems = cell_problems(question, errors=outcome.cell_errors, pending=pending)
    block.state = _state(question, cells, _kept(request, question, set(outcome.in_sync)), pending)
    context = {
        "block": block,
        "question": question,
        "outcome": outcome,
        "saved_at": timezone.localtime(),
        "progress": response_progress(access.response, areas),
        "access": access,
    }
    return render(request, "responses/partials/autosave.html", context)


@login_required
def review(request: HttpRequest, slug: str, org_code: str) -> HttpResponse:
    access = response_access(request, slug, org_code)
    progress = response_progress(access.response)
    unsaved = unsaved_cells(access.response)
    return render(
        request,
        "responses/review.html",
        {
            "access": access,
            "response": access.response,
            "progress": progress,
            "unsaved": unsaved,
            "urls": _urls(access),
        },
    )


@login_required
def history(request: HttpRequest, slug: str, org_code: str) -> HttpResponse:
    """Every change to the response's answers, newest first (Office staff only)."""
    access = response_access(request, slug, org_code)
    if not access.may_review:
        raise Http404("No such page")
    events = ResponseEvent.objects.filter(response_id=access.response.pk).select_related("by").order_by("-id")
    return render(
        request,
        "responses/history.html",
        {
            "access": access,
            "response": access.response,
            "changes": history_rows(access.response),
            "events": events,
            "urls": _urls(access),
        },
    )


@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = get_object_or_404(Evidence.objects.select_related("response__survey", "response__organisation"), pk=pk)
    response_access(request, item.response.survey.slug, item.response.organisation.code)  # 404 unless allowed
    return FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.original_name, content_type=item.content_type
    )


@login_required
@require_POST
def evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        Evidence.objects.select_related("response__survey", "response__organisation", "question__section"), pk=pk
    )
    access = response_access(request, item.response.survey.slug, item.response.organisation.code)
    if not access.can_edit:
        raise PermissionDenied
    try:
        evidence_delete(evidence=item, user=request.user)
    except EvidenceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The document is removed."))
    section = item.question.section.code
    return HttpResponseRedirect(
        reverse("response-section", args=[access.survey.slug, access.organisation.code, section])
        + f"#q-{item.question.code}"
    )


@staff_required
def staff_responses(request: HttpRequest, slug: str) -> HttpResponse:
    """Every response of a round with its status (Office staff): the way into each organisation's answers."""
    survey = get_object_or_404(Survey, slug=slug)
    status = request.GET.get("status", "")
    status = status if status in Response.Status.values else ""
    # Every organisation the round asks, as the staff home and the status board count them: "Not started" includes
    # those that never opened the questionnaire.
    responses = round_responses(survey=survey, status=status)
    return render(
        request,
        "responses/staff_responses.html",
        {"survey": survey, "responses": responses, "statuses": Response.Status.choices, "status": status},
    )


urlpatterns = [
    path("rounds/<slug:slug>/respond/<str:org_code>/", response_home, name="response-home"),
    path(
        "rounds/<slug:slug>/respond/<str:org_code>/section/<str:section_code>/", section_page, name="response-section"
    ),
    path("rounds/<slug:slug>/respond/<str:org_code>/autosave/<str:question_code>/", autosave, name="response-autosave"),
    path("rounds/<slug:slug>/respond/<str:org_code>/review/", review, name="response-review"),
    path("rounds/<slug:slug>/respond/<str:org_code>/history/", history, name="response-history"),
    path("evidence/<int:pk>/", evidence_download, name="evidence-download"),
    path("evidence/<int:pk>/delete/", evidence_remove, name="evidence-delete"),
    path("staff/rounds/<slug:slug>/responses/", staff_responses, name="staff-responses"),
]
