"""Dates as people write them in their language: the site's named formats (oscethb/formats for English, Django's
locale formats for the others), never a pattern that puts a Russian month in the nominative ("16 Январь 2027")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from responses.deadlines import long_date
from responses.models import Response
from tests.otp_helpers import force_login_verified

from .conftest import People

DAY = dt.date(2027, 1, 16)
TEMPLATES = Path(settings.BASE_DIR) / "templates"


@pytest.mark.parametrize(("language", "written"), [("en", "16 January 2027"), ("ru", "16 января 2027")])
def test_a_long_date_is_written_in_the_language_of_the_reader(language: str, written: str) -> None:
    with translation.override(language):
        assert written in long_date(DAY)
        assert written in Template('{{ day|date:"DATE_FORMAT" }}').render(Context({"day": DAY}))


def test_english_dates_with_a_time_read_day_month_year_and_24_hours() -> None:
    moment = dt.datetime(2026, 12, 2, 7, 31)
    with translation.override("en"):
        page = Template(
            '{{ at|date:"DATETIME_FORMAT" }}|{{ at|date:"SHORT_DATETIME_FORMAT" }}|{{ day|date:"SHORT_DATE_FORMAT" }}'
        )
        assert (
            page.render(Context({"at": moment, "day": DAY})) == "2 December 2026, 07:31|2 Dec 2026, 07:31|16 Jan 2027"
        )


@pytest.mark.parametrize(
    ("language", "written", "wrong"), [("en", "16 January 2027", "Jan."), ("ru", "16 января 2027", "Январь")]
)
def test_the_round_home_writes_the_last_day_in_the_readers_language(
    client, response_at: Response, people: People, language: str, written: str, wrong: str
) -> None:
    response_at.survey.closes_on = DAY
    response_at.survey.save(update_fields=["closes_on"])
    client.force_login(people.coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get("/rounds/thb-2016/respond/AT/").content.decode()  # open or closed, the day is written
    deadline = page[page.index("data-deadline") :][:400]
    assert written in deadline
    assert wrong not in deadline


def test_no_template_of_the_answering_pages_hard_codes_a_date_pattern() -> None:
    """A pattern such as "j M Y" writes "1 Сен 2020" in Russian; the named formats are right in every language."""
    found = []
    for folder in ("responses", "accounts", "surveys", "registration"):
        for path in (TEMPLATES / folder).rglob("*"):
            if path.is_file() and path.suffix in {".html", ".txt"}:
                text = path.read_text(encoding="utf-8")
                for pattern in ('date:"j', "date:'j", 'date:"d', 'date:"N'):
                    if pattern in text:
                        found.append(f"{path.relative_to(TEMPLATES)}: {pattern}")
    assert found == []


def test_staff_pages_write_dates_with_the_named_formats(client, response_at: Response, people: People) -> None:
    force_login_verified(client, people.staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    Response.objects.filter(pk=response_at.pk).update(last_activity_at=dt.datetime(2020, 9, 1, 10, tzinfo=dt.UTC))
    page = client.get("/staff/rounds/thb-2016/responses/").content.decode()
    assert "01.09.2020" in page  # Russian short date, not "1 Сен 2020"
    assert "Сен" not in page
