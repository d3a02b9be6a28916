"""When a response can still be answered: the round's closing date, and extensions staff give an organisation.

A round's `closes_on` is the last day on which answering is possible: answering ends at the end of that day in the
round's time zone (the site's `TIME_ZONE`). Staff may give one organisation more time (`DeadlineExtension`, created
by `deadline_extend`): the latest extension counts, and it never ends before the round's own closing date.
Everything that shows "days left" or decides whether a response is still editable asks this module: the access
layer (`ResponseAccess.can_edit`), the services that write answers, documents and submissions (under the response's
row lock), the reminders, the landing pages, and the periodic task that closes rounds (`rounds_close_due`).

"Now" is `current_time()` unless a caller passes `now`; tests replace `current_time` to stand at a boundary.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Organisation
from oscethb.access import is_office_staff
from surveys.models import Survey
from surveys.services import survey_set_status

from .models import DeadlineExtension

logger = logging.getLogger(__name__)
LATEST_EXTENSION_YEARS = 2  # an extension further than this after the round's closing date is surely a typing error


class DeadlineError(ValueError):
    """An extension that cannot be given; the message says why, and `field` which value of the form it is about
    ("until", "reason"; None: neither, e.g. the round is closed)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def current_time() -> dt.datetime:
    """Now; the one clock of this module (tests replace it to stand at 23:59:59 or at midnight)."""
    return timezone.now()


@dataclass(frozen=True)
class Deadline:
    """The last day an organisation may answer a round, and whether that day comes from an extension."""

    closes_on: dt.date | None
    closes_at: dt.datetime | None  # the end of `closes_on` in the round's time zone (exclusive)
    extended: bool = False

    def days_left(self, now: dt.datetime | None = None) -> int | None:
        """Whole days left including today (the last day itself counts 1); 0 once it has passed; None: no date."""
        if self.closes_on is None or self.closes_at is None:
            return None
        now = now or current_time()
        if now >= self.closes_at:
            return 0
        today = timezone.localtime(now, round_time_zone()).date()
        return (self.closes_on - today).days + 1

    def days_left_on(self, day: dt.date) -> int | None:
        """`days_left` as seen during `day` (a date in the round's time zone), for the daily reminders."""
        if self.closes_on is None:
            return None
        return max(0, (self.closes_on - day).days + 1)

    def passed(self, now: dt.datetime | None = None) -> bool:
        return self.closes_at is not None and (now or current_time()) >= self.closes_at

    def text(self, now: dt.datetime | None = None) -> str:
        """What respondents read: "3 days left", "Closes today", "Closed on 31 March 2021" ("" without a date).

        In the active language: pages render it for the reader, e-mails inside the recipient's language."""
        days = self.days_left(now)
        if days is None or self.closes_on is None:
            return ""
        if days == 0:
            return _("Closed on %(date)s") % {"date": long_date(self.closes_on)}
        if days == 1:
            return _("Closes today")
        return ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days}


def long_date(day: dt.date) -> str:
    """A date as people write it, in the active language ("15 March 2027")."""
    return formats.date_format(day, "DATE_FORMAT")


def round_time_zone() -> dt.tzinfo:
    return ZoneInfo(settings.TIME_ZONE)


def end_of_day(day: dt.date) -> dt.datetime:
    """The first instant after `day` in the round's time zone."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=round_time_zone())


def deadline_with(*, survey: Survey, extension: DeadlineExtension | None) -> Deadline:
    """The deadline given the organisation's latest extension (None: none), when the caller has read it already."""
    return _deadline(survey, extension.until if extension is not None else None)


def _deadline(survey: Survey, extension_until: dt.date | None) -> Deadline:
    if survey.closes_on is None:
        return Deadline(None, None)
    if extension_until is not None and extension_until > survey.closes_on:
        return Deadline(extension_until, end_of_day(extension_until), extended=True)
    return Deadline(survey.closes_on, end_of_day(survey.closes_on))


def latest_extensions(*, survey: Survey, organisation_ids: Iterable[int] | None = None) -> dict[int, DeadlineExtension]:
    """organisation id -> its latest extension in this round (the one that counts). One query."""
    extensions = DeadlineExtension.objects.filter(survey=survey).select_related("granted_by").order_by("-id")
    if organisation_ids is not None:
        extensions = extensions.filter(organisation_id__in=list(organisation_ids))
    latest: dict[int, DeadlineExtension] = {}
    for extension in extensions:
        latest.setdefault(extension.organisation_id, extension)
    return latest


def response_deadline(*, survey: Survey, organisation: Organisation) -> Deadline:
    """The deadline that applies to this organisation in this round."""
    if survey.closes_on is None:
        return Deadline(None, None)
    extension = latest_extensions(survey=survey, organisation_ids=[organisation.pk]).get(organisation.pk)
    return _deadline(survey, extension.until if extension else None)


def response_deadlines(*, survey: Survey, organisation_ids: Iterable[int]) -> dict[int, Deadline]:
    """organisation id -> its deadline in this round, for many organisations in one query (lists, reminders)."""
    ids = list(organisation_ids)
    if survey.closes_on is None:
        return {pk: Deadline(None, None) for pk in ids}
    extensions = latest_extensions(survey=survey, organisation_ids=ids)
    return {pk: _deadline(survey, extensions[pk].until if pk in extensions else None) for pk in ids}


def round_last_deadline(*, survey: Survey) -> Deadline:
    """The round's closing date or, later, the end of the latest extension that counts: when nobody may answer."""
    if survey.closes_on is None:
        return Deadline(None, None)
    untils = [e.until for e in latest_extensions(survey=survey).values()]
    return _deadline(survey, max(untils, default=None))


def deadline_extend(
    *,
    survey: Survey,
    organisation: Organisation,
    until: dt.date,
    reason: str,
    user: Any,
    now: dt.datetime | None = None,
) -> DeadlineExtension:
    """Staff give one organisation until the end of `until` to answer (the latest extension counts)."""
    if not is_office_staff(user):  # the access policy's staff (responses/access.py reads this module)
        raise DeadlineError(_("Only Office staff extend deadlines."))
    reason = reason.strip()
    if not reason:
        raise DeadlineError(_("Say why the deadline is extended: it is kept with the extension."), field="reason")
    if survey.status != Survey.Status.OPEN:
        raise DeadlineError(_("The round is not open: reopen it before extending a deadline."))
    if survey.closes_on is None:
        raise DeadlineError(_("The round has no closing date: there is no deadline to extend."))
    today = timezone.localtime(now or current_time(), round_time_zone()).date()
    if until < survey.closes_on or until < today:
        raise DeadlineError(
            _("Choose a day from %(date)s on: an extension cannot end before the round closes or in the past.")
            % {"date": long_date(max(survey.closes_on, today))},
            field="until",
        )
    if until.year > survey.closes_on.year + LATEST_EXTENSION_YEARS:
        raise DeadlineError(
            _("%(date)s is more than %(years)d years after the round's closing date: check the year.")
            % {"date": long_date(until), "years": LATEST_EXTENSION_YEARS},
            field="until",
        )
    extension = DeadlineExtension.objects.create(
        survey=survey, organisation=organisation, until=until, granted_by=user, reason=reason
    )
    logger.info("%s: deadline of %s extended to %s by %s", survey.slug, organisation.code, until, user)
    return extension


def rounds_close_due(*, now: dt.datetime | None = None) -> list[Survey]:
    """Close every open round whose closing date and every extension have passed; returns the rounds closed.

    Idempotent: a round is re-read under its row lock and closed only while it is still open, so two runs (or two
    schedulers) close it once and the "round closed" signal (which rebuilds its report) is sent once.
    """
    now = now or current_time()
    closed = []
    for survey in Survey.objects.filter(status=Survey.Status.OPEN, closes_on__isnull=False).order_by("slug"):
        if not round_last_deadline(survey=survey).passed(now):
            continue
        with transaction.atomic():
            locked = Survey.objects.select_for_update().get(pk=survey.pk)
            if locked.status != Survey.Status.OPEN or not round_last_deadline(survey=locked).passed(now):
                continue
            survey_set_status(survey=locked, status=Survey.Status.CLOSED)
        logger.info("%s: closed, its deadline passed", locked.slug)
        closed.append(locked)
    return closed
