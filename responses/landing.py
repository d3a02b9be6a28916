"""What the front doors show: a respondent's cards (one per organisation and open or recent round) and the Office's
rounds with where their responses stand (`responses.round_status`, shared with the status board). Reads only, in
a fixed number of queries however many cards or responses.

A card's primary action follows the access rule of the response pages (`ResponseAccess.can_edit`): "Start" when the
person may answer and nothing is answered yet, "Continue" when they may answer, "View" otherwise (submitted,
accepted, a viewer, a closed round). Days left come from `responses.deadlines`, the one home of deadlines (extensions read in bulk).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation
from surveys.models import Area, Survey

from .access import AccessPolicy, ResponseAccess
from .deadlines import Deadline, latest_extensions
from .models import Response
from .round_status import RoundStanding, round_standings
from .selectors import Progress, memberships_of, progress_of, responses_progress, survey_structure

# A closed round stays on the respondent's page for this long after its closing date (as a card with "View");
# older rounds are listed under "Earlier rounds".
RECENT_DAYS = 365

START, CONTINUE, VIEW = "start", "continue", "view"
ACTION_LABELS = {START: _("Start"), CONTINUE: _("Continue"), VIEW: _("View")}


@dataclass
class RoundCard:
    membership: Membership
    survey: Survey
    response: Response | None  # None: nobody has opened the questionnaire yet
    progress: Progress
    deadline: Deadline | None  # None: the round is not open
    action: str
    url: str

    @property
    def organisation(self) -> Organisation:
        return self.membership.organisation

    @property
    def days_left(self) -> int | None:
        return self.deadline.days_left() if self.deadline is not None else None

    @property
    def status(self) -> str:
        return self.response.status if self.response is not None else Response.Status.NOT_STARTED

    @property
    def status_label(self) -> str:
        return str(Response.Status(self.status).label)

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS[self.action])

    @property
    def key(self) -> str:
        return f"{self.survey.slug}:{self.organisation.code}"


@dataclass
class OrganisationCards:
    membership: Membership
    cards: list[RoundCard] = field(default_factory=list)
    earlier: list[RoundCard] = field(default_factory=list)


def _recent(survey: Survey, today: dt.date) -> bool:
    if survey.status == Survey.Status.OPEN:
        return True
    return survey.closes_on is None or (today - survey.closes_on).days <= RECENT_DAYS


def _action(access: ResponseAccess, response: Response | None) -> str:
    if not access.can_edit:
        return VIEW
    if response is None or response.status == Response.Status.NOT_STARTED:
        return START
    return CONTINUE


def round_cards(*, user: Any) -> list[OrganisationCards]:
    """Each of the person's organisations with a card per round that asks it (open and recent ones first)."""
    memberships = list(memberships_of(user).order_by("organisation__kind", "organisation__name"))
    if not memberships:
        return []
    policy = AccessPolicy(user, memberships=memberships)
    surveys = list(Survey.objects.exclude(status=Survey.Status.DRAFT))
    responses = {
        (r.survey_id, r.organisation_id): r
        for r in Response.objects.filter(
            organisation__in=[m.organisation for m in memberships], survey__in=surveys
        ).select_related("survey", "organisation")
    }
    asked = {s.pk: s for s in surveys if any(s.asks(m.organisation.kind) for m in memberships)}
    structures: dict[int, list[Area]] = {pk: survey_structure(survey) for pk, survey in asked.items()}
    progress = responses_progress(list(responses.values()), structures)
    # Deadline extensions of all the person's organisations, one query per open round with a closing date.
    organisation_ids = [m.organisation_id for m in memberships]
    extensions = {
        survey.pk: latest_extensions(survey=survey, organisation_ids=organisation_ids)
        for survey in surveys
        if survey.status == Survey.Status.OPEN and survey.closes_on is not None
    }
    today = timezone.localdate()
    result = []
    for membership in memberships:
        organisation = membership.organisation
        group = OrganisationCards(membership)
        for survey in surveys:
            if not survey.asks(organisation.kind):
                continue
            response = responses.get((survey.pk, organisation.pk))
            shown = response if response is not None else Response(survey=survey, organisation=organisation)
            access = ResponseAccess(survey, organisation, shown, policy)
            access.extension = extensions.get(survey.pk, {}).get(organisation.pk)  # read above, for all cards
            card = RoundCard(
                membership=membership,
                survey=survey,
                response=response,
                progress=progress[response.pk]
                if response is not None
                else progress_of(structures[survey.pk], {}, {}, kind=organisation.respondent_kind),
                deadline=access.deadline if survey.status == Survey.Status.OPEN else None,
                action=_action(access, response),
                url=reverse("responses:response-home", args=[survey.slug, organisation.code]),
            )
            (group.cards if _recent(survey, today) else group.earlier).append(card)
        group.cards.sort(key=lambda c: c.survey.status != Survey.Status.OPEN)
        result.append(group)
    return result


def staff_rounds() -> list[RoundStanding]:
    """Every round (drafts included) with the organisations it asks per kind and their response statuses, counted
    as the status board counts them (`responses.round_status`), in three queries."""
    surveys = list(Survey.objects.all())
    standings = round_standings(surveys=surveys)
    return [standings[survey.pk] for survey in surveys]
