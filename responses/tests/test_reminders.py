"""Deadline reminders (responses/reminders.py): which days, to whom, never twice; the daily task; sending one by hand.

This module is also the URLconf of its view tests (`pytest.mark.urls(__name__)`): the project's URLs plus
`responses.views.reminders`, so the tests do not depend on where the project includes them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from oscethb.urls import urlpatterns as project_urlpatterns
from responses.models import Reminder, Response
from responses.reminders import (
    MANUAL,
    reminder_send_manual,
    reminder_stage,
    reminders_due,
    reminders_send,
)
from responses.services import response_get_or_create
from responses.tasks import send_reminders
from responses.tests.factories import MembershipFactory, UserFactory
from surveys.models import Survey
from tests.otp_helpers import force_login_verified
from tests.scenario import Scenario

urlpatterns = [*project_urlpatterns]

CLOSES = dt.date(2021, 3, 31)
# Organisations with a coordinator that have not submitted: two States, a Partner (IL, in progress) and an NGO.
REMINDED = ["AT", "IL", "NL", "RS", "ngo-at-rem"]  # in the past, so that no simulated day is the real date
TITLE = "OSCE survey on implementing anti-trafficking commitments, 2015/16 round"


def day(days_left: int) -> dt.date:
    """The day on which `days_left` days are left (the closing day itself counts 1)."""
    return CLOSES - dt.timedelta(days=days_left - 1)


class World:
    """The round closing on CLOSES; Austria with two coordinators, a contributor, a viewer and a retired
    coordinator; DE, FR, NL, RS, IL and an NGO with a coordinator each; MD with a contributor only."""

    def __init__(self) -> None:
        s = self.scenario = Scenario().round("thb-2016", closes_on=CLOSES)
        for code in ("AT", "DE", "FR", "MD", "NL", "RS", "IL"):
            s.state(code)
        self.survey, self.orgs = s.survey, dict(s.orgs)
        s.member("AT", Role.COORDINATOR, "b.coordinator@bmi.gv.at", "a.coordinator@bmi.gv.at")
        self.at = [s.people["b.coordinator@bmi.gv.at"], s.people["a.coordinator@bmi.gv.at"]]
        s.member("AT", Role.CONTRIBUTOR, "contributor@bmi.gv.at").member("AT", Role.VIEWER, "viewer@bmi.gv.at")
        s.person("gone@bmi.gv.at", is_active=False)
        s.member("AT", Role.COORDINATOR, "gone@bmi.gv.at")
        for code in ("DE", "FR", "NL", "RS", "IL"):
            s.member(code, Role.COORDINATOR, f"coordinator@{code}.test")
        self.ngo = s.ngo("ngo-at-rem", name="Reminded NGO", coordinator="coordinator@ngo.test").orgs["ngo-at-rem"]
        s.member("MD", Role.CONTRIBUTOR, "contributor@md.test")  # MD: a contributor only, no coordinator.
        self.staff = s.person("officer@osce.test", is_staff=True)
        s.status("AT", Response.Status.IN_PROGRESS)
        s.status("DE", Response.Status.SUBMITTED)
        s.status("FR", Response.Status.ACCEPTED)
        s.status("RS", Response.Status.RETURNED)
        s.status("IL", Response.Status.IN_PROGRESS)  # a Partner: not reminded by the schedule
        # NL has no response at all: not started.

    def status(self, code: str, status: str) -> Response:
        return self.scenario.status(code, status).response(code)

    def reminders(self) -> list[tuple[str, int]]:
        return sorted(Reminder.objects.values_list("response__organisation__code", "days_before"))


@pytest.fixture
def w(db: None, settings: Any) -> World:
    settings.REMINDER_DAYS = [14, 7, 2]
    settings.SITE_URL = "https://oscethb.example.org/"
    settings.OFFICE_EMAIL = "office@osce.test"
    settings.REPLY_TO_EMAIL = ""
    return World()


# --- the schedule -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "stage"),
    [
        (20, None),
        (15, None),
        (14, 14),
        (13, 14),
        (8, 14),
        (7, 7),
        (6, 7),
        (3, 7),
        (2, 2),
        (1, 2),
        (0, None),
        (-1, None),
    ],
)
def test_reminder_stage(days_left: int, stage: int | None) -> None:
    assert reminder_stage(days_left, [2, 7, 14]) == stage


def test_reminders_go_out_when_14_7_and_2_days_are_left(w: World) -> None:
    sent_on: dict[int, list[tuple[str, int]]] = {}
    for days_left in range(20, -3, -1):  # the scheduler runs every day, before and after the closing date
        sent = reminders_send(today=day(days_left))
        if sent:
            sent_on[days_left] = sorted((r.response.organisation.code, r.days_before) for r in sent)
    assert sent_on == {d: [(code, d) for code in REMINDED] for d in (14, 7, 2)}
    assert len(mail.outbox) == 15


def test_running_twice_sends_nothing_twice(w: World) -> None:
    assert len(reminders_send(today=day(7))) == 5
    assert reminders_send(today=day(7)) == []
    assert reminders_due(today=day(7)) == []
    assert len(mail.outbox) == 5
    assert Reminder.objects.count() == 5


def test_only_organisations_with_a_coordinator_that_have_not_submitted_are_reminded(w: World) -> None:
    due = reminders_due(today=day(14))
    # DE submitted and FR accepted: skipped; MD has no coordinator, nor do the other 50 States: nothing to them.
    # The NGO and the Partner that have a coordinator are reminded like States.
    assert sorted((d.organisation.code, d.status, d.days_before, d.days_left) for d in due) == [
        ("AT", "in_progress", 14, 14),
        ("IL", "in_progress", 14, 14),
        ("NL", "not_started", 14, 14),
        ("RS", "returned", 14, 14),
        ("ngo-at-rem", "not_started", 14, 14),
    ]
    assert not mail.outbox  # reminders_due only looks
    w.status("AT", Response.Status.RESUBMITTED)
    assert sorted(d.organisation.code for d in reminders_due(today=day(14))) == ["IL", "NL", "RS", "ngo-at-rem"]


def test_no_mail_goes_to_organisations_without_a_coordinator(w: World) -> None:
    reminders_send(today=day(14))
    addresses = {a for m in mail.outbox for a in m.to}
    assert addresses == {
        "a.coordinator@bmi.gv.at",
        "b.coordinator@bmi.gv.at",
        "coordinator@IL.test",
        "coordinator@NL.test",
        "coordinator@RS.test",
        "coordinator@ngo.test",
    }
    assert {r.response.organisation.code for r in Reminder.objects.all()} == set(REMINDED)


def test_a_state_without_a_response_gets_one_created(w: World) -> None:
    assert not Response.objects.filter(survey=w.survey, organisation__code="NL").exists()
    reminders_send(today=day(14))
    response = Response.objects.get(survey=w.survey, organisation__code="NL")
    assert response.status == Response.Status.NOT_STARTED
    reminder = Reminder.objects.get(response=response)
    assert reminder.days_before == 14
    assert reminder.recipients == ["coordinator@NL.test"]
    assert reminder.sent_by is None


def test_a_state_without_a_coordinator_is_skipped_and_logged(w: World, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="responses.reminders"):
        reminders_send(today=day(14))
    (record,) = [r for r in caplog.records if "without a coordinator" in r.getMessage()]
    assert record.getMessage().startswith("thb-2016: no reminder for 52 State(s) without a coordinator: ")
    assert "Moldova (MD)" in record.getMessage()
    assert "Austria (AT)" not in record.getMessage()
    assert not Response.objects.filter(survey=w.survey, organisation__code="MD").exists()
    assert not Reminder.objects.filter(response__organisation__code="MD").exists()


def test_the_email_names_the_round_the_deadline_the_days_left_and_links_the_round_home(w: World) -> None:
    reminders_send(today=day(7))
    (message,) = [m for m in mail.outbox if "Austria" in m.subject]
    # Both active coordinators; not the contributor, the viewer or a deactivated coordinator.
    assert message.to == ["a.coordinator@bmi.gv.at", "b.coordinator@bmi.gv.at"]
    assert message.subject == f"Reminder for Austria: 7 days left to answer {TITLE}"
    assert message.reply_to == ["office@osce.test"]
    assert message.content_subtype == "plain"
    body = message.body
    assert f'The response of Austria to the OSCE survey round "{TITLE}" (thb-2016) has not been submitted yet' in body
    assert "(status: In progress)" in body
    assert "The last day for answering is Wednesday, 31 March 2021: 7 days left, today included." in body
    assert "https://oscethb.example.org/rounds/thb-2016/respond/AT/" in body
    assert Reminder.objects.get(response__organisation__code="AT").recipients == message.to
    (not_started,) = [m for m in mail.outbox if "Netherlands" in m.subject]
    assert "(status: Not started)" in not_started.body
    assert not_started.to == ["coordinator@NL.test"]


def test_the_last_reminders_say_two_days_and_today(w: World) -> None:
    reminders_send(today=day(2))
    message = next(m for m in mail.outbox if "Austria" in m.subject)
    assert message.subject == f"Reminder for Austria: 2 days left to answer {TITLE}"
    assert "Wednesday, 31 March 2021: 2 days left, today included." in message.body
    mail.outbox.clear()
    Reminder.objects.all().delete()
    reminders_send(today=CLOSES)  # catching up the 2-day reminder on the last day
    message = next(m for m in mail.outbox if "Austria" in m.subject)
    assert message.subject == f"Reminder for Austria: {TITLE} closes today"
    assert "Today, Wednesday, 31 March 2021, is the last day for answering." in message.body
    assert Reminder.objects.get(response__organisation__code="AT").days_before == 2
    mail.outbox.clear()
    assert reminders_send(today=CLOSES + dt.timedelta(days=1)) == []  # the deadline has passed: no reminder


def test_each_coordinator_is_reminded_in_their_language(w: World) -> None:

    from accounts.people.language import person_language_set

    person_language_set(user=w.at[0], language="de")  # b.coordinator

    reminders_send(today=day(7))
    austria = sorted(
        (m for m in mail.outbox if "Austria" in m.subject or "Österreich" in m.subject), key=lambda m: m.to
    )
    assert [m.to for m in austria] == [["a.coordinator@bmi.gv.at"], ["b.coordinator@bmi.gv.at"]]
    english, german = austria
    assert "Wednesday, 31 March 2021" in english.body
    # Rendered in German: Django's German locale writes the date (the catalogue of our own texts comes later).
    assert "Mittwoch, 31 März 2021" in german.body
    assert "Wednesday" not in german.body
    assert german.reply_to == english.reply_to == ["office@osce.test"]
    assert Reminder.objects.get(response__organisation__code="AT").recipients == [
        "a.coordinator@bmi.gv.at",
        "b.coordinator@bmi.gv.at",
    ]


def test_an_extension_moves_an_organisations_reminders(w: World) -> None:
    from responses.deadlines import deadline_extend

    deadline_extend(
        survey=w.survey,
        organisation=w.orgs["AT"],
        until=CLOSES + dt.timedelta(days=7),
        reason="Elections",
        user=w.staff,
        now=timezone.make_aware(dt.datetime(2021, 3, 1, 12)),
    )
    # When the others have 7 days left, Austria has 14: its 14-day reminder goes out, and its 7-day one a week later.
    sent = {r.response.organisation.code: r.days_before for r in reminders_send(today=day(7))}
    assert (sent["AT"], sent["NL"]) == (14, 7)
    mail.outbox.clear()
    sent = reminders_send(today=day(7) + dt.timedelta(days=7))  # 7 days before Austria's extended deadline
    assert [r.response.organisation.code for r in sent] == ["AT"]
    assert "The Office has extended your deadline to this day." in mail.outbox[0].body
    assert "Wednesday, 7 April 2021: 7 days left, today included." in mail.outbox[0].body


def test_links_use_the_default_site_url_when_the_setting_is_missing(w: World, settings: Any) -> None:
    del settings.SITE_URL
    reminders_send(today=day(14))
    message = next(m for m in mail.outbox if "Austria" in m.subject)
    assert "http://127.0.0.1:8000/rounds/thb-2016/respond/AT/" in message.body


def test_catch_up_after_a_missed_day_sends_the_latest_due_reminder_once(w: World) -> None:
    reminders_send(today=day(14))
    # The scheduler was down on the 7-day date: the next run sends the 7-day reminder, saying 5 days are left.
    assert sorted(r.days_before for r in reminders_send(today=day(5))) == [7] * 5
    message = next(m for m in mail.outbox[5:] if "Austria" in m.subject)
    assert "5 days left" in message.body
    assert reminders_send(today=day(4)) == []
    assert reminders_send(today=day(3)) == []
    assert sorted(r.days_before for r in reminders_send(today=day(2))) == [2] * 5
    assert w.reminders() == [(code, d) for code in REMINDED for d in (2, 7, 14)]


def test_catch_up_never_sends_a_replaced_earlier_reminder(w: World) -> None:
    # Nothing went out before 6 days were left: only the 7-day reminder is sent, and the 14-day one never is.
    assert sorted(r.days_before for r in reminders_send(today=day(6))) == [7] * 5
    for days_left in (5, 4, 3):
        assert reminders_send(today=day(days_left)) == []
    assert {d for _code, d in w.reminders()} == {7}


def test_never_two_reminders_in_one_day_for_the_same_response(w: World) -> None:
    # Staff reminded Austria by hand today; the scheduled reminder waits until tomorrow.
    today = timezone.localdate()
    Survey.objects.filter(pk=w.survey.pk).update(closes_on=today + dt.timedelta(days=6))  # 7 days left
    w.survey.refresh_from_db()
    reminder_send_manual(survey=w.survey, organisation=w.orgs["AT"], user=w.staff, today=today)
    assert sorted(r.response.organisation.code for r in reminders_send(today=today)) == REMINDED[1:]
    assert [r.response.organisation.code for r in reminders_send(today=today + dt.timedelta(days=1))] == ["AT"]
    # The deadline moved a week later on the day the 7-day reminders went out: 14 days are left again, and the
    # 14-day reminder waits for the next day.
    Survey.objects.filter(pk=w.survey.pk).update(closes_on=today + dt.timedelta(days=13))
    assert reminders_send(today=today) == []
    assert sorted(r.response.organisation.code for r in reminders_send(today=today + dt.timedelta(days=1))) == REMINDED


def test_only_open_rounds_with_a_closing_date_send_reminders_to_whom_they_ask(w: World) -> None:
    Survey.objects.filter(pk=w.survey.pk).update(status=Survey.Status.CLOSED)
    assert reminders_send(today=day(7)) == []
    Survey.objects.filter(pk=w.survey.pk).update(status=Survey.Status.DRAFT)
    assert reminders_send(today=day(7)) == []
    Survey.objects.filter(pk=w.survey.pk).update(status=Survey.Status.OPEN, closes_on=None)
    assert reminders_send(today=day(7)) == []
    assert not mail.outbox
    # A round that asks only NGOs reminds only NGOs.
    Survey.objects.filter(pk=w.survey.pk).update(closes_on=CLOSES, for_states=False)
    assert [r.response.organisation.code for r in reminders_send(today=day(7))] == ["ngo-at-rem"]


def test_the_configured_days_are_used(w: World, settings: Any) -> None:
    settings.REMINDER_DAYS = [10, 3]
    assert reminders_due(today=day(14)) == []
    assert {d.days_before for d in reminders_due(today=day(10))} == {10}
    settings.REMINDER_DAYS = []
    assert reminders_due(today=day(2)) == []


def test_the_database_refuses_a_second_scheduled_reminder_but_not_a_second_manual_one(w: World) -> None:
    response = response_get_or_create(survey=w.survey, organisation=w.orgs["AT"])
    Reminder.objects.create(response=response, days_before=14)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(response=response, days_before=14)
    Reminder.objects.create(response=response, days_before=MANUAL)
    Reminder.objects.create(response=response, days_before=MANUAL)
    assert Reminder.objects.filter(response=response).count() == 3


def test_a_failing_email_is_not_recorded_and_goes_out_on_the_next_run(
    w: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from django.core.mail.backends.locmem import EmailBackend

    real_send = EmailBackend.send_messages

    def send(self: EmailBackend, messages: list) -> int:
        if any("Austria" in m.subject for m in messages):
            raise OSError("SMTP server unreachable")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send)
    assert sorted(r.response.organisation.code for r in reminders_send(today=day(14))) == REMINDED[1:]
    assert "the 14-day reminder to Austria could not be sent" in caplog.text
    assert ("AT", 14) not in w.reminders()
    monkeypatch.setattr(EmailBackend, "send_messages", real_send)
    assert [r.response.organisation.code for r in reminders_send(today=day(13))] == ["AT"]


def test_the_daily_task_sends_todays_reminders(w: World) -> None:
    today = timezone.localdate()
    Survey.objects.filter(pk=w.survey.pk).update(closes_on=today + dt.timedelta(days=1))  # 2 days left
    assert send_reminders.delay().get() == 5
    assert send_reminders.delay().get() == 0
    assert sorted(d for _code, d in w.reminders()) == [2] * 5
    assert len(mail.outbox) == 5


def test_the_task_is_scheduled_daily(settings: Any) -> None:
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "reports.send_reminders"]
    assert len(entries) == 1


# --- sending one by hand ----------------------------------------------------------------------------------------


def test_manual_reminder_is_recorded_with_minus_one_and_can_be_repeated(w: World) -> None:
    first = reminder_send_manual(survey=w.survey, organisation=w.orgs["AT"], user=w.staff, today=day(10))
    second = reminder_send_manual(survey=w.survey, organisation=w.orgs["AT"], user=w.staff, today=day(10))
    assert (first.days_before, first.sent_by, first.recipients) == (
        MANUAL,
        w.staff,
        ["a.coordinator@bmi.gv.at", "b.coordinator@bmi.gv.at"],
    )
    assert second.pk != first.pk
    assert len(mail.outbox) == 2
    assert "10 days left" in mail.outbox[0].body
    # A reminder by hand does not replace the scheduled ones (on another day).
    assert ("AT", 7) in [(r.response.organisation.code, r.days_before) for r in reminders_send(today=day(7))]


# --- the view ---------------------------------------------------------------------------------------------------


@pytest.fixture
def current(w: World) -> None:
    """The view tests run today: the round closes in a month."""
    Survey.objects.filter(pk=w.survey.pk).update(closes_on=timezone.localdate() + dt.timedelta(days=30))


def send_url(w: World, code: str = "AT") -> str:
    return reverse("responses:reminder-send", args=[w.survey.slug, code])


def logged_in(user: Any) -> Client:
    client = Client()
    force_login_verified(client, user)
    return client


def flashes(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.urls(__name__)
def test_staff_send_a_reminder_by_hand_and_go_back_where_they_were(w: World, current: None) -> None:
    client = logged_in(w.staff)
    back = "http://testserver" + reverse("responses:staff-responses", args=[w.survey.slug]) + "?status=in_progress"
    response = client.post(send_url(w), HTTP_REFERER=back)
    assert response.status_code == 302
    assert response["Location"] == back
    assert flashes(response) == ["Reminder sent to Austria: a.coordinator@bmi.gv.at, b.coordinator@bmi.gv.at."]
    reminder = Reminder.objects.get()
    assert (reminder.response.organisation.code, reminder.days_before, reminder.sent_by) == ("AT", -1, w.staff)
    (message,) = mail.outbox
    assert message.to == ["a.coordinator@bmi.gv.at", "b.coordinator@bmi.gv.at"]
    assert "https://oscethb.example.org/rounds/thb-2016/respond/AT/" in message.body


@pytest.mark.urls(__name__)
def test_without_a_referer_staff_go_to_the_rounds_responses(w: World, current: None) -> None:
    client = logged_in(w.staff)
    expected = reverse("responses:staff-responses", args=[w.survey.slug])
    assert client.post(send_url(w, "NL"))["Location"] == expected
    assert client.post(send_url(w, "NL"), HTTP_REFERER="https://evil.example.com/phish")["Location"] == expected
    assert Reminder.objects.filter(response__organisation__code="NL", days_before=-1).count() == 2
    # An NGO's coordinators can be reminded by hand too.
    assert client.post(send_url(w, w.ngo.code)).status_code == 302
    assert mail.outbox[-1].to == ["coordinator@ngo.test"]


@pytest.mark.urls(__name__)
def test_a_reminder_that_makes_no_sense_is_refused_with_a_message(w: World, current: None) -> None:
    client = logged_in(w.staff)
    response = client.post(send_url(w, "MD"))
    assert response.status_code == 302
    assert flashes(response) == ["Moldova has no coordinator to remind: no reminder sent."]
    response = logged_in(w.staff).post(send_url(w, "DE"))
    assert flashes(response) == ["Germany has already sent its answers (Submitted): no reminder sent."]
    Survey.objects.filter(pk=w.survey.pk).update(status=Survey.Status.CLOSED)
    response = logged_in(w.staff).post(send_url(w, "AT"))
    assert flashes(response) == ["Round thb-2016 is not open: no reminder sent."]
    Survey.objects.filter(pk=w.survey.pk).update(status=Survey.Status.OPEN, closes_on=CLOSES)
    response = logged_in(w.staff).post(send_url(w, "AT"))  # today is long after 31 March 2021
    assert flashes(response) == [
        "The deadline of Austria passed on 31 March 2021: extend it on the response's page first, then remind them."
    ]
    assert not Reminder.objects.exists()
    assert not mail.outbox


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("who", ["coordinator", "contributor", "ngo", "superuser"])
def test_only_staff_may_send_a_reminder(w: World, current: None, who: str) -> None:
    users = {
        "coordinator": w.at[0],
        "contributor": MembershipFactory(organisation=w.orgs["AT"], role=Role.CONTRIBUTOR).user,
        "ngo": MembershipFactory(organisation=w.ngo, role=Role.COORDINATOR).user,
        "superuser": UserFactory(is_staff=True, is_superuser=True),
    }
    response = logged_in(users[who]).post(send_url(w))
    if who == "superuser":
        assert response.status_code == 302
        assert Reminder.objects.count() == 1
    else:
        assert response.status_code == 404
        assert not Reminder.objects.exists()
        assert not mail.outbox


@pytest.mark.urls(__name__)
def test_anonymous_visitors_are_sent_to_log_in(w: World, current: None) -> None:
    response = Client().post(send_url(w))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Reminder.objects.exists()


@pytest.mark.urls(__name__)
def test_get_is_not_allowed_and_unknown_rounds_or_organisations_are_404(w: World, current: None) -> None:
    client = logged_in(w.staff)
    assert client.get(send_url(w)).status_code == 405
    assert client.post(reverse("responses:reminder-send", args=["no-such-round", "AT"])).status_code == 404
    assert client.post(send_url(w, "XX")).status_code == 404
    assert logged_in(w.at[0]).get(send_url(w)).status_code == 404
    assert not Reminder.objects.exists()


@pytest.mark.urls(__name__)
def test_the_send_button_template(w: World, current: None) -> None:
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    html = render_to_string(
        "responses/reminders/send_button.html", {"survey": w.survey, "organisation": w.orgs["AT"]}, request=request
    )
    assert f'action="{send_url(w)}"' in html
    assert 'data-reminder-send="AT"' in html
    assert "csrfmiddlewaretoken" in html
