"""The section page's question blocks, rendered once per process for what they show.

A question block (templates/responses/partials/question.html with its widget) is most of a section page's CPU, and a
person moves between the same sections again and again while only one or two answers change. A block's HTML is kept
under a key that holds everything the block shows, so a changed answer makes a new key and nothing needs to be
invalidated:

- the round (id, creation time, structure version: every change to what it asks bumps the version), the question,
  the response's address (round slug, organisation code: in the autosave URL) and whether the person can edit;
- the language and time zone the page is written in;
- whether the question is shown under its show-if rule;
- every cell's version, stored value (as text) and "needs review" mark, who changed the question last, when and
  which cell, and whether a copied answer still needs review.

Never kept: a page shown again with what was posted (the form is bound), and blocks with an error, a conflict, a
cell problem, a kept mistyped text or documents (file questions): those are rendered each time. No CSRF token is
inside a block. Per process, first in first out, bounded by the characters kept (`LIMIT_CHARS`); threads read
without a lock and store under one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from django.utils import timezone, translation
from django.utils.safestring import SafeString

from surveys.structure import structure_uncommitted

if TYPE_CHECKING:
    from .access import ResponseAccess
    from .section_page import QuestionBlock

CELLS = 10  # where the cells (name, version, value, review mark) sit in a key
LIMIT_CHARS = 32_000_000  # about 64 MB of text per process at most; a section's blocks are 10-200 KB

_blocks: OrderedDict[tuple[Any, ...], SafeString] = OrderedDict()
_size = 0
_lock = threading.Lock()


def block_key(block: QuestionBlock, access: ResponseAccess, editable: bool) -> tuple[Any, ...] | None:
    """The key of everything `block` shows on `access`'s page; None when the block is not to be kept. `editable`:
    `access.can_edit` as the page read it once (it asks the clock: the deadline may pass while a page is built)."""
    question = block.question
    if structure_uncommitted(access.survey.pk):
        return None  # this thread's own uncommitted change to the round: its version may be given out again
    # A document question without documents is kept (its upload field is the same for every response); one with
    # documents is not (the list is not in the key). `block.evidence` is what the page read: it reads documents
    # unless the access read found none.
    if block.error or block.conflicts or block.problems or block.evidence:
        return None
    if any(cell.pending for cell in block.state):
        return None
    survey = access.survey
    return (
        survey.pk,
        survey.created_at,
        survey.structure_version,
        survey.slug,
        access.organisation.code,
        editable,
        question.pk,
        translation.get_language(),
        timezone.get_current_timezone_name(),
        block.visible,
        tuple((cell.name, cell.version, cell.original, cell.needs_review) for cell in block.state),
        block.last_changed_by,
        block.last_changed_at,
        block.last_changed_cell,
        block.needs_review,
    )


def block_html(key: tuple[Any, ...]) -> SafeString | None:
    return _blocks.get(key)


def block_keep(key: tuple[Any, ...], html: SafeString) -> None:
    global _size
    with _lock:
        if key in _blocks:
            return
        _blocks[key] = html
        _size += _chars(key, html)
        while _size > LIMIT_CHARS and _blocks:
            old_key, old = _blocks.popitem(last=False)
            _size -= _chars(old_key, old)


def _chars(key: tuple[Any, ...], html: str) -> int:
    """What an entry holds, in characters: its HTML and the cells' values in its key (a grid's are many)."""
    return len(html) + sum(len(cell[2]) for cell in key[CELLS])


def block_cache_clear() -> None:
    """Forget every kept block (tests: a new test database gives out the same ids again)."""
    global _size
    with _lock:
        _blocks.clear()
        _size = 0
