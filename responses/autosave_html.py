"""The answer to an autosave that saved (most of them), written as strings.

templates/responses/partials/autosave.html answers every autosave: the save status, and out of band the question's
feedback, cell errors, hidden version inputs and the progress bar. Written through the template engine, with its
four includes, it cost about 0.8 ms of each autosave's 5 (issue 14): more than the save's own reads. An autosave
that saved without an error, a conflict, a cell problem or a document is written here instead, value for value as
the template writes it (each value escaped as Django escapes it; the translated sentences are the template's own).
Any other outcome is written by the template. responses/tests/test_autosave_html.py compares the two for every
case written here, in several languages.
"""

from __future__ import annotations

from typing import Any

from django.utils import formats, timezone
from django.utils.html import conditional_escape as esc
from django.utils.translation import gettext


def written_by_code(context: dict[str, Any]) -> bool:
    """Whether `autosave_html` writes this answer (else the template does)."""
    outcome, block, question = context.get("outcome"), context.get("block"), context.get("question")
    return bool(
        outcome is not None
        and block is not None
        and question is not None
        and not context.get("readonly")
        and not outcome.error
        and not outcome.conflicts
        and not block.problems
        and not block.error
        and not block.conflicts
        and not question.answer_type.stores_files
    )


def _local(value: Any) -> Any:
    """As the template's `date` and `time` filters see a moment: in the current time zone."""
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _status(context: dict[str, Any]) -> str:
    time = esc(formats.time_format(_local(context["saved_at"]), "H:i"))
    if context["outcome"].hidden:
        text = gettext(
            "Saved %(time)s. Your other answers hide this question, so this answer is kept but not counted."
        ) % {"time": time}
        return (
            '<span class="text-body-secondary" data-save-state="saved-hidden">'
            f'<i class="bi bi-eye-slash" aria-hidden="true"></i> {text}</span>'
        )
    text = gettext("Saved %(time)s") % {"time": time}
    return f'<span class="text-success" data-save-state="saved"><i class="bi bi-check-circle" aria-hidden="true"></i> {text}</span>'


def _feedback(block: Any) -> str:
    """templates/responses/partials/feedback.html for a block with no error and no conflict."""
    parts = ["\n\n\n"]
    if block.needs_review:
        review = gettext(
            "Copied from your previous answers: please check it is still true, then change it or confirm it by saving."
        )
        parts.append(
            '<p class="small text-warning-emphasis mt-2 mb-0" data-needs-review><i class="bi bi-arrow-repeat" '
            f'aria-hidden="true"></i> {review}</p>'
        )
    parts.append("\n")
    if block.last_changed_at:
        values = {
            "who": esc(block.last_changed_by),
            "when": esc(formats.date_format(_local(block.last_changed_at), "SHORT_DATETIME_FORMAT")),
        }
        if block.last_changed_cell:
            values["cell"] = esc(block.last_changed_cell)
            text = gettext("Last changed by %(who)s on %(when)s, in “%(cell)s”") % values
        else:
            text = gettext("Last changed by %(who)s on %(when)s") % values
        parts.append(f'<p class="small text-body-secondary mt-2 mb-0" data-last-changed>{text}</p>')
    parts.append("\n")
    return "".join(parts)


def _state(block: Any) -> str:
    """templates/responses/partials/state.html: the question's hidden version inputs."""
    parts = []
    for cell in block.state:
        parts.append(
            f'<input type="hidden" name="{esc(cell.version_name)}" value="{esc(cell.version)}">'
            f'<input type="hidden" name="{esc(cell.original_name)}" value="{esc(cell.original)}">'
        )
        if cell.needs_review:
            parts.append(f'<input type="hidden" name="r|{esc(cell.name)}" value="1">')
        if cell.pending:
            parts.append(f'<input type="hidden" name="{esc(cell.pending_name)}" value="1">')
    parts.append("\n")
    return "".join(parts)


def _progress(progress: Any) -> str:
    """templates/responses/partials/progress.html, out of band."""
    label = gettext("Required questions answered")
    percent = esc(progress.percent)
    complete = " bg-success" if progress.complete else ""
    return (
        '\n<div id="progress" class="mb-3" hx-swap-oob="true">\n'
        f'  <div class="d-flex justify-content-between small"><span>{label}</span><span class="text-nowrap ms-2" data-progress-count>'
        f"{esc(progress.answered)} / {esc(progress.required)}</span></div>\n"
        f'  <div class="progress" role="progressbar" aria-label="{label}" aria-valuenow="{percent}" '
        'aria-valuemin="0" aria-valuemax="100">\n'
        f'    <div class="progress-bar{complete}" style="width: {percent}%"></div>\n'
        "  </div>\n</div>\n\n"
    )


def autosave_html(context: dict[str, Any]) -> str:
    """The autosave answer the template would write, for an answer `written_by_code` accepts."""
    block, code = context["block"], esc(context["question"].code)
    return (
        f"{_status(context)}\n"
        f'<div id="feedback-{code}" hx-swap-oob="true">{_feedback(block)}</div>\n'
        f'<div id="cell-errors-{code}" hx-swap-oob="true">\n</div>\n'
        f'<div id="state-{code}" hx-swap-oob="true">{_state(block)}</div>\n\n'
        f"{_progress(context['progress'])}"
    )
