"""`{% status_board_rows board.rows basis_qs %}`: the round overview's 57 State rows written as strings.

Written through the template, the table was most of the status board's CPU (twenty-odd variables, tags and filters a
row, each resolved and escaped by the template engine). The same HTML is written here from the rows
`reports.dashboard.board` builds, each value escaped as Django escapes (`django.utils.html.escape` is the standard
library's `html.escape`); reports/tests/test_status_board_html.py compares it with what the template wrote, row for
row, with and without coordinators, activity and a reminder to send.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from html import escape
from typing import Any

from django import template
from django.utils import formats, timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

register = template.Library()


@lru_cache(maxsize=4096)
def _activity_text(value: dt.datetime, language: str | None, zone: str) -> str:
    # The arguments are the cache's key: the same moment reads differently per language and time zone.
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return escape(formats.date_format(value, "SHORT_DATETIME_FORMAT"))


def _activity(value: dt.datetime | None) -> str:
    """`{{ value|date:"SHORT_DATETIME_FORMAT"|default:"—" }}` in the active language and time zone; the board shows
    the same moments request after request, so each is formatted once per language and zone."""
    if not value:
        return "—"
    return _activity_text(value, translation.get_language(), timezone.get_current_timezone_name())


# A row's HTML by everything it shows (and the language and time zone it is written in): most rows are the same from
# one request to the next, so each is written once per process and change. Bounded: emptied when full.
_ROWS_KEPT = 4096
_rows: dict[tuple[Any, ...], str] = {}


def status_board_rows_clear() -> None:
    """Forget the written rows (tests that change a translation or a setting in place)."""
    _rows.clear()


@register.simple_tag
def status_board_rows(rows: Iterable[dict[str, Any]], basis_qs: str = "") -> SafeString:
    language, zone = translation.get_language(), timezone.get_current_timezone_name()
    written = []
    for row in rows:
        key = (
            language,
            zone,
            basis_qs,
            row["code"],
            str(row["name"]),
            row["status"],
            str(row["status_label"]),
            row["badge"],
            row["last_activity"],
            tuple(row["coordinators"]),
            row["reminders"],
            row["country_url"],
            row["response_url"],
            row["reminder_url"],
        )
        html = _rows.get(key)
        if html is None:
            html = _row(row, basis_qs)
            if len(_rows) >= _ROWS_KEPT:
                _rows.clear()
            _rows[key] = html
        written.append(html)
    return mark_safe("".join(written))  # noqa: S308  # nosec B308 B703 - every value in a row is escaped (_row)


def _row(row: dict[str, Any], basis_qs: str) -> str:
    """One State's row, every value escaped."""
    response_label, reminder_label = escape(gettext("Response")), escape(gettext("Send reminder"))
    code, name = escape(row["code"]), escape(str(row["name"]))
    coordinators = (
        "<br>".join(f'<a href="mailto:{escape(e)}">{escape(e)}</a>' for e in row["coordinators"])
        if row["coordinators"]
        else f'<span class="text-body-secondary">{escape(gettext("none"))}</span>'
    )
    reminder = (
        ' <button class="btn btn-sm btn-outline-secondary text-nowrap" type="submit" form="board-reminders" '
        f'formaction="{escape(row["reminder_url"])}" data-send-reminder="{code}">'
        f'<i class="bi bi-envelope" aria-hidden="true"></i> {reminder_label}'
        f'<span class="visually-hidden">{escape(pgettext("between a label and what it names", ": "))}{name}</span></button>'
        if row["reminder_url"]
        else ""
    )
    return (
        f'<tr data-state="{code}" data-status="{escape(row["status"])}">'
        f'<td><a href="{escape(row["country_url"])}{escape(basis_qs)}">{name}</a> '
        f'<span class="question-code text-body-secondary">{code}</span></td>'
        f'<td><span class="badge text-bg-{escape(row["badge"])}">{escape(str(row["status_label"]))}</span></td>'
        f'<td class="text-nowrap small">{_activity(row["last_activity"])}</td>'
        f'<td class="small">{coordinators}</td>'
        f'<td class="text-end" data-reminders>{int(row["reminders"])}</td>'
        '<td class="d-print-none">'
        f'<a class="btn btn-sm btn-outline-primary text-nowrap" href="{escape(row["response_url"])}">{response_label}</a>'
        f"{reminder}</td></tr>\n"
    )
