"""Deadlines (responses/deadlines.py): answering ends at the end of the closing day in Europe/Vienna, for the pages and
the services alike; staff extend one organisation's deadline; respondents see the days left; rounds close by
themselves once every deadline has passed."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from responses import deadlines
from responses.deadlines import (
    Deadline,
    DeadlineError,
    deadline_extend,
    end_of_day,
    response_deadline,
    rounds_close_due,
)
from responses.evidence import EvidenceError, evidence_upload
from responses.models import Answer, DeadlineExtension, Response
from responses.services import WorkflowError, answers_save, response_get_or_create, response_submit
from responses.tasks import close_due_rounds
from surveys.models import Survey
from tests.otp_helpers import force_login_verified

from .conftest import People, question

VIENNA = ZoneInfo("Europe/Vienna")
CLOSES = dt.date(2027, 3, 31)
LAST_SECOND = dt.datetime(2027, 3, 31, 23, 59, 59, tzinfo=VIENNA)
MIDNIGHT = dt.datetime(2027, 4, 1, 0, 0, 0, tzinfo=VIENNA)
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def closing(round2016: Survey, settings: Any) -> Survey:
    settings.TIME_ZONE = "Europe/Vienna"
    Survey.objects.filter(pk=round2016.pk).update(closes_on=CLOSES)
    round2016.refresh_from_db()
    return round2016


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Stand at a given instant for the pages (the services take `now` too)."""

    def at(instant: dt.datetime) -> None:
        monkeypatch.setattr(deadlines, "current_time", lambda: instant)

    return at


def save_text(response: Response, user: Any, text: str, now: dt.datetime) -> Any:
    q = question(response.survey, "GEN.R.02")
    return answers_save(response=response, question=q, raw={("", ""): text}, base_versions=None, user=user, now=now)


def autosave(client: Client, org: str, text: str) -> Any:
    url = reverse("responses:response-autosave", args=["thb-2016", org, "GEN.R.02"])
    return client.post(url, {"GEN.R.02||": text}, HTTP_HX_REQUEST="true")


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- what respondents read ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "days", "text"),
    [
        (dt.datetime(2027, 3, 29, 9, 0, tzinfo=VIENNA), 3, "3 days left"),
        (dt.datetime(2027, 3, 30, 23, 0, tzinfo=VIENNA), 2, "2 days left"),
        (dt.datetime(2027, 3, 31, 0, 0, tzinfo=VIENNA), 1, "Closes today"),
        (LAST_SECOND, 1, "Closes today"),
        (MIDNIGHT, 0, "Closed on 31 March 2027"),
    ],
)
def test_days_left_and_what_respondents_read(settings: Any, now: dt.datetime, days: int, text: str) -> None:
    settings.TIME_ZONE = "Europe/Vienna"
    deadline = Deadline(CLOSES, end_of_day(CLOSES))
    assert deadline.days_left(now) == days
    assert deadline.text(now) == text
    assert deadline.passed(now) is (days == 0)


def test_the_closing_date_is_written_in_the_active_language(settings: Any) -> None:
    settings.TIME_ZONE = "Europe/Vienna"
    deadline = Deadline(CLOSES, end_of_day(CLOSES))
    with translation.override("de"):
        # The sentence from the German catalogue, the date as Germans write it (Django's German DATE_FORMAT).
        assert deadline.text(MIDNIGHT) == "Geschlossen am 31. März 2027"


def test_a_round_without_a_closing_date_has_no_deadline(round2016: Survey, people: People) -> None:
    deadline = response_deadline(survey=round2016, organisation=people.austria)
    assert (deadline.closes_on, deadline.days_left(), deadline.passed(), deadline.text()) == (None, None, False, "")


def test_the_response_home_and_section_pages_show_the_days_left(closing: Survey, people: People, clock: Any) -> None:
    clock(dt.datetime(2027, 3, 29, 10, 0, tzinfo=VIENNA))
    client = logged_in(people.coordinator)
    for url in (
        reverse("responses:response-home", args=["thb-2016", "AT"]),
        reverse("responses:response-section", args=["thb-2016", "AT", "GEN.R"]),
    ):
        page = client.get(url).content.decode()
        assert "3 days left" in page
        assert "Last day for answering: 31 March 2027" in page
    clock(MIDNIGHT)
    page = client.get(reverse("responses:response-home", args=["thb-2016", "AT"])).content.decode()
    assert "Closed on 31 March 2027" in page
    assert "The deadline for answering has passed" in page


# --- the boundary: services ---------------------------------------------------------------------------------------


def test_answers_save_until_the_last_second_of_the_closing_day_in_vienna(
    closing: Survey, people: People, response_at: Response
) -> None:
    assert save_text(response_at, people.coordinator, "before midnight", LAST_SECOND).ok
    outcome = save_text(response_at, people.coordinator, "after midnight", MIDNIGHT)
    assert outcome.error == (
        "The deadline passed at the end of 31 March 2027: answers can no longer be changed or sent."
    )
    assert Answer.objects.get(response=response_at).value_text == "before midnight"


def test_submit_is_refused_after_the_deadline_but_staff_may_record_a_late_return(
    closing: Survey, people: People, response_at: Response
) -> None:
    with pytest.raises(WorkflowError, match="The deadline passed at the end of 31 March 2027"):
        response_submit(response=response_at, user=people.coordinator, require_complete=False, now=MIDNIGHT)
    assert Response.objects.get(pk=response_at.pk).status == Response.Status.NOT_STARTED
    submitted = response_submit(response=response_at, user=people.coordinator, require_complete=False, now=LAST_SECOND)
    assert submitted.status == Response.Status.SUBMITTED
    de = response_get_or_create(survey=closing, organisation=people.germany)
    late = response_submit(response=de, user=people.staff, require_complete=False, now=MIDNIGHT)
    assert late.status == Response.Status.SUBMITTED


def test_evidence_upload_follows_the_deadline(closing: Survey, people: People, response_at: Response) -> None:
    q = question(closing, "PAR.NAT.06")
    upload = SimpleUploadedFile("plan.pdf", PDF)
    assert evidence_upload(response=response_at, question=q, upload=upload, user=people.coordinator, now=LAST_SECOND)
    with pytest.raises(EvidenceError, match="The deadline passed"):
        evidence_upload(
            response=response_at,
            question=q,
            upload=SimpleUploadedFile("b.pdf", PDF),
            user=people.coordinator,
            now=MIDNIGHT,
        )
    assert response_at.evidence.count() == 1


# --- the boundary: pages -------------------------------------------------------------------------------------------


def test_autosave_and_the_page_until_the_last_second_then_read_only(
    closing: Survey, people: People, response_at: Response, clock: Any
) -> None:
    client = logged_in(people.coordinator)
    clock(LAST_SECOND)
    assert autosave(client, "AT", "saved at 23:59:59").status_code == 200
    assert Answer.objects.get(response=response_at).value_text == "saved at 23:59:59"
    section = client.get(reverse("responses:response-section", args=["thb-2016", "AT", "GEN.R"])).content.decode()
    assert 'data-editable="true"' in section
    clock(MIDNIGHT)
    assert autosave(client, "AT", "saved at midnight").status_code == 403
    section = client.get(reverse("responses:response-section", args=["thb-2016", "AT", "GEN.R"])).content.decode()
    assert 'data-editable="false"' in section
    posted = client.post(
        reverse("responses:response-section", args=["thb-2016", "AT", "GEN.R"]), {"GEN.R.02||": "late"}
    )
    assert posted.status_code == 403
    assert Answer.objects.get(response=response_at).value_text == "saved at 23:59:59"


# --- extensions ---------------------------------------------------------------------------------------------------


def test_an_extension_lets_one_organisation_answer_and_not_another(
    closing: Survey, people: People, response_at: Response, clock: Any
) -> None:
    deadline_extend(
        survey=closing,
        organisation=people.austria,
        until=dt.date(2027, 4, 15),
        reason="Elections",
        user=people.staff,
        now=LAST_SECOND,
    )
    clock(MIDNIGHT)
    assert save_text(response_at, people.coordinator, "extended", MIDNIGHT).ok
    assert autosave(logged_in(people.coordinator), "AT", "extended, on the page").status_code == 200
    assert autosave(logged_in(people.other_coordinator), "DE", "not extended").status_code == 403
    de = response_get_or_create(survey=closing, organisation=people.germany)
    assert save_text(de, people.other_coordinator, "not extended", MIDNIGHT).error.startswith("The deadline passed")
    page = (
        logged_in(people.coordinator).get(reverse("responses:response-home", args=["thb-2016", "AT"])).content.decode()
    )
    assert "Extended to 15 April 2027" in page
    assert "15 days left" in page
    end = dt.datetime(2027, 4, 16, 0, 0, tzinfo=VIENNA)
    assert save_text(response_at, people.coordinator, "too late", end).error.startswith(
        "The deadline passed at the end of 15 April 2027"
    )


def test_the_latest_extension_counts(closing: Survey, people: People) -> None:
    for until in (dt.date(2027, 5, 1), dt.date(2027, 4, 10)):
        deadline_extend(
            survey=closing, organisation=people.austria, until=until, reason="why", user=people.staff, now=LAST_SECOND
        )
    assert response_deadline(survey=closing, organisation=people.austria).closes_on == dt.date(2027, 4, 10)
    assert response_deadline(survey=closing, organisation=people.germany).closes_on == CLOSES


@pytest.mark.parametrize(
    ("until", "reason", "message"),
    [
        (dt.date(2027, 3, 1), "why", "Choose a day from 31 March 2027 on"),
        (dt.date(2031, 1, 1), "why", "is more than 2 years after the round's closing date"),
        (dt.date(2027, 4, 10), "  ", "Say why the deadline is extended"),
    ],
)
def test_an_extension_that_makes_no_sense_is_refused(
    closing: Survey, people: People, until: dt.date, reason: str, message: str
) -> None:
    with pytest.raises(DeadlineError, match=message):
        deadline_extend(
            survey=closing, organisation=people.austria, until=until, reason=reason, user=people.staff, now=LAST_SECOND
        )
    with pytest.raises(DeadlineError, match="Only Office staff"):
        deadline_extend(
            survey=closing,
            organisation=people.austria,
            until=dt.date(2027, 4, 10),
            reason="why",
            user=people.coordinator,
            now=LAST_SECOND,
        )
    assert not DeadlineExtension.objects.exists()


def test_staff_extend_from_the_response_home(closing: Survey, people: People, clock: Any) -> None:
    clock(LAST_SECOND)
    staff = Client()
    force_login_verified(staff, people.staff)
    home = staff.get(reverse("responses:response-home", args=["thb-2016", "AT"])).content.decode()
    assert reverse("responses:response-extend", args=["thb-2016", "AT"]) in home
    response = staff.post(
        reverse("responses:response-extend", args=["thb-2016", "AT"]), {"until": "2027-04-15", "reason": "Elections"}
    )
    assert response.status_code == 302
    extension = DeadlineExtension.objects.get()
    assert (extension.organisation, extension.until, extension.granted_by, extension.reason) == (
        people.austria,
        dt.date(2027, 4, 15),
        people.staff,
        "Elections",
    )
    assert response["Location"].endswith("#extend-deadline")
    home = staff.get(reverse("responses:response-home", args=["thb-2016", "AT"])).content.decode()
    with translation.override("en"):
        until = formats.date_format(dt.date(2027, 4, 15), "DATE_FORMAT")
    assert f"Extended to {until} by {people.staff.email}" in home
    # A bad date is refused with a message and nothing is stored.
    response = staff.post(
        reverse("responses:response-extend", args=["thb-2016", "AT"]), {"until": "someday", "reason": "x"}
    )
    assert response.status_code == 400
    assert DeadlineExtension.objects.count() == 1
    # Respondents do not get the form.
    home = (
        logged_in(people.coordinator).get(reverse("responses:response-home", args=["thb-2016", "AT"])).content.decode()
    )
    assert reverse("responses:response-extend", args=["thb-2016", "AT"]) not in home


def _extend_panel(html: str) -> str:
    start = html.index('id="extend-deadline"')
    return html[html.rindex("<details", 0, start) : html.index("</details>", start)]


def test_a_refused_extension_keeps_the_values_and_says_what_is_wrong_next_to_the_field(
    closing: Survey, people: People, clock: Any
) -> None:
    clock(LAST_SECOND)
    staff = Client()
    force_login_verified(staff, people.staff)
    url = reverse("responses:response-extend", args=["thb-2016", "AT"])
    # A day before the round closes: the message is the date's, the reason typed is kept.
    response = staff.post(url, {"until": "2027-03-01", "reason": "Elections in March"})
    assert response.status_code == 400
    panel = _extend_panel(response.content.decode())
    assert panel.startswith("<details")
    assert " open>" in panel.split("\n")[0]
    until = re.search(r"<input[^>]*id=\"extend-until\"[^>]*>", panel).group(0)
    assert 'value="2027-03-01"' in until
    assert 'aria-invalid="true"' in until
    assert 'aria-describedby="extend-until-error"' in until
    error = re.search(r'id="extend-until-error"[^>]*>([^<]*)<', panel).group(1)
    assert error.startswith("Choose a day from 31 March 2027 on")
    reason = re.search(r"<input[^>]*id=\"extend-reason\"[^>]*>", panel).group(0)
    assert 'value="Elections in March"' in reason
    assert "aria-invalid" not in reason
    # No reason: the message is the reason's, the date typed is kept.
    panel = _extend_panel(staff.post(url, {"until": "2027-04-15", "reason": "   "}).content.decode())
    assert 'value="2027-04-15"' in re.search(r"<input[^>]*id=\"extend-until\"[^>]*>", panel).group(0)
    reason = re.search(r"<input[^>]*id=\"extend-reason\"[^>]*>", panel).group(0)
    assert 'aria-invalid="true"' in reason
    assert 'aria-describedby="extend-reason-error"' in reason
    assert 'id="extend-reason-error"' in panel
    assert not DeadlineExtension.objects.exists()
    # Without an error the panel is closed (no extension yet) and empty.
    home = staff.get(reverse("responses:response-home", args=["thb-2016", "AT"])).content.decode()
    panel = _extend_panel(home)
    assert " open>" not in panel.split("\n")[0]
    assert "aria-invalid" not in panel
    assert "INVALID_TEMPLATE_VARIABLE" not in home
    # A refusal about the round, not the values (no closing date, so no panel): said at the top of the page.
    Survey.objects.filter(pk=closing.pk).update(closes_on=None)
    response = staff.post(url, {"until": "2027-04-15", "reason": "Elections"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("responses:response-home", args=["thb-2016", "AT"])
    assert "The round has no closing date: there is no deadline to extend." in response.content.decode()
    assert not DeadlineExtension.objects.exists()


# --- rounds close by themselves -----------------------------------------------------------------------------------


def test_the_beat_task_closes_a_round_once_due_and_not_before(closing: Survey, people: People, clock: Any) -> None:
    assert rounds_close_due(now=LAST_SECOND) == []
    deadline_extend(
        survey=closing,
        organisation=people.austria,
        until=dt.date(2027, 4, 2),
        reason="x",
        user=people.staff,
        now=LAST_SECOND,
    )
    assert rounds_close_due(now=MIDNIGHT) == []  # Austria may still answer
    assert Survey.objects.get(pk=closing.pk).status == Survey.Status.OPEN
    clock(dt.datetime(2027, 4, 3, 0, 0, tzinfo=VIENNA))
    assert close_due_rounds.delay().get() == ["thb-2016"]
    assert Survey.objects.get(pk=closing.pk).status == Survey.Status.CLOSED
    assert close_due_rounds.delay().get() == []  # idempotent


def test_a_round_without_a_closing_date_never_closes_by_itself(round2016: Survey) -> None:
    assert rounds_close_due(now=dt.datetime(2099, 1, 1, tzinfo=VIENNA)) == []
    assert Survey.objects.get(pk=round2016.pk).status == Survey.Status.OPEN


def test_the_close_task_is_scheduled(settings: Any) -> None:
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "responses.close_due_rounds"]
    assert len(entries) == 1
