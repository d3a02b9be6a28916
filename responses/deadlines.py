"""When a response can still be answered: the round's closing date, and extensions staff give an organisation.

A round's `closes_on` is the last day on which answering is possible: answering ends at the end of that day in the
round's time zone (the site's `TIME_ZONE`). Everything that shows "days left" or decides whether a response is still
editable asks this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from surveys.models import Survey

from .models import Organisation


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
        now = now or timezone.now()
        if now >= self.closes_at:
            return 0
        today = timezone.localtime(now, round_time_zone()).date()
        return (self.closes_on - today).days + 1

    def passed(self, now: dt.datetime | None = None) -> bool:
        return self.closes_at is not None and (now or timezone.now()) >= self.closes_at


def round_time_zone() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(settings.TIME_ZONE)


def end_of_day(day: dt.date) -> dt.datetime:
    """The first instant after `day` in the round's time zone."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=round_time_zone())


def response_deadline(*, survey: Survey, organisation: Organisation) -> Deadline:
    """The deadline that applies to this organisation in this round."""
    del organisation  # extensions per organisation come with the deadline work of issue 9
    if survey.closes_on is None:
        return Deadline(None, None)
    return Deadline(survey.closes_on, end_of_day(survey.closes_on))
