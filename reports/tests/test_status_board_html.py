"""The status board's rows written by `{% status_board_rows %}` are the HTML the template loop wrote (kept below as
it was, but for the actions' cell, which may now wrap between its two buttons: the Russian "Send reminder" did not
fit at 1280 px), for rows with and without coordinators, activity and a reminder to send, in English and in Russian,
with names and addresses that need escaping."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from reports.templatetags.status_board import status_board_rows

TEMPLATE_LOOP = """{% load i18n %}{% translate "Response" as response_label %}{% translate "Send reminder" as reminder_label %}{% translate "none" as no_coordinator %}
    {% for row in rows %}
      <tr data-state="{{ row.code }}" data-status="{{ row.status }}">
        <td><a href="{{ row.country_url }}{{ basis_qs }}">{{ row.name }}</a> <span class="question-code text-body-secondary">{{ row.code }}</span></td>
        <td><span class="badge text-bg-{{ row.badge }}">{{ row.status_label }}</span></td>
        <td class="text-nowrap small">{{ row.last_activity|date:"SHORT_DATETIME_FORMAT"|default:"—" }}</td>
        <td class="small">{% for email in row.coordinators %}<a href="mailto:{{ email }}">{{ email }}</a>{% if not forloop.last %}<br>{% endif %}{% empty %}<span class="text-body-secondary">{{ no_coordinator }}</span>{% endfor %}</td>
        <td class="text-end" data-reminders>{{ row.reminders }}</td>
        <td class="d-print-none">
          <a class="btn btn-sm btn-outline-primary text-nowrap" href="{{ row.response_url }}">{{ response_label }}</a>
          {% if row.reminder_url %}
            <button class="btn btn-sm btn-outline-secondary text-nowrap" type="submit" form="board-reminders" formaction="{{ row.reminder_url }}" data-send-reminder="{{ row.code }}"><i class="bi bi-envelope" aria-hidden="true"></i> {{ reminder_label }}<span class="visually-hidden">: {{ row.name }}</span></button>
          {% endif %}
        </td>
      </tr>
    {% endfor %}"""


def _row(code: str, name: str, **extra) -> dict:
    row = {
        "code": code,
        "name": name,
        "status": "in_progress",
        "status_label": "In progress",
        "badge": "info",
        "last_activity": None,
        "coordinators": [],
        "reminders": 0,
        "country_url": f"/dashboard/thb-2016/country/{code}/",
        "response_url": f"/rounds/thb-2016/respond/{code}/",
        "reminder_url": None,
    }
    return {**row, **extra}


ROWS = [
    _row("AT", "Austria", status="submitted", badge="primary", reminders=2, coordinators=["coord.at@bmi.example"]),
    _row(
        "BA",
        'Bosnia & "Herzegovina" <b>',  # escaped in text and attribute alike
        last_activity=dt.datetime(2026, 3, 4, 15, 6, tzinfo=dt.UTC),
        coordinators=["a@x.example", "b&c@x.example"],
        reminder_url="/rounds/thb-2016/respond/BA/remind/",
    ),
    _row("US", "United States of America", status="not_started", badge="light", reminder_url="/r/US/?a=1&b=2"),
]


def _normal(html: str) -> str:
    """Whitespace around table rows and cells is not shown: left out; any other run of it is one space."""
    html = re.sub(r"\s*(</?t[rd][^>]*>)\s*", r"\1", html)
    return re.sub(r"\s+", " ", html).strip()


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("basis_qs", ["", "?basis=provisional"])
def test_rows_are_the_html_the_template_wrote(language, basis_qs):
    with translation.override(language), timezone.override("Europe/Vienna"):
        expected = Template(TEMPLATE_LOOP).render(Context({"rows": ROWS, "basis_qs": basis_qs}))
        written = status_board_rows(ROWS, basis_qs)
    assert _normal(written) == _normal(expected)
    assert written.count("<tr ") == 3
    assert "&lt;b&gt;" in written
    assert "<b>" not in written
    assert "16:06" in written  # the activity in the reader's time zone (UTC+1 in March)
