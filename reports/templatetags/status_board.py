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
from django.utils.translation import gettext

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


@register.simple_tag
def status_board_rows(rows: Iterable[dict[str, Any]], basis_qs: str = "") -> SafeString:
    response_label, reminder_label = escape(gettext("Response")), escape(gettext("Send reminder"))
    none_html = f'<span class="text-body-secondary">{escape(gettext("none"))}</span>'
    basis = escape(basis_qs)
    written = []
    for row in rows:
        code, name = escape(row["code"]), escape(str(row["name"]))
        coordinators = (
            "<br>".join(f'<a href="mailto:{escape(e)}">{escape(e)}</a>' for e in row["coordinators"])
            if row["coordinators"]
            else none_html
        )
        reminder = (
            ' <button class="btn btn-sm btn-outline-secondary text-nowrap" type="submit" form="board-reminders" '
            f'formaction="{escape(row["reminder_url"])}" data-send-reminder="{code}">'
            f'<i class="bi bi-envelope" aria-hidden="true"></i> {reminder_label}'
            f'<span class="visually-hidden">: {name}</span></button>'
            if row["reminder_url"]
            else ""
        )
        written.append(
            f'<tr data-state="{code}" data-status="{escape(row["status"])}">'
            f'<td><a href="{escape(row["country_url"])}{basis}">{name}</a> '
            f'<span class="question-code text-body-secondary">{code}</span></td>'
            f'<td><span class="badge text-bg-{escape(row["badge"])}">{escape(str(row["status_label"]))}</span></td>'
            f'<td class="text-nowrap small">{_activity(row["last_activity"])}</td>'
            f'<td class="small">{coordinators}</td>'
            f'<td class="text-end" data-reminders>{int(row["reminders"])}</td>'
            '<td class="d-print-none">'
            f'<a class="btn btn-sm btn-outline-primary text-nowrap" href="{escape(row["response_url"])}">{response_label}</a>'
            f"{reminder}</td></tr>\n"
        )
    return mark_safe("".join(written))  # noqa: S308  # nosec B308 B703 - every value above is escaped
