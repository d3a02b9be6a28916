"""Who may do what with a response. Anything a user may not see answers 404, never the data."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from accounts.models import Membership, Organisation
from surveys.models import Survey

from .deadlines import Deadline, deadline_with, latest_extensions
from .models import DeadlineExtension, Response
from .selectors import membership_for
from .services import response_get_or_create


@dataclass
class ResponseAccess:
    survey: Survey
    organisation: Organisation
    response: Response
    membership: Membership | None
    is_staff: bool

    @property
    def kind(self) -> str:
        return self.organisation.respondent_kind

    @property
    def round_open(self) -> bool:
        return self.survey.status == Survey.Status.OPEN

    @cached_property
    def extension(self) -> DeadlineExtension | None:
        """The organisation's latest deadline extension in this round (the one that counts), if any."""
        if self.survey.closes_on is None:
            return None
        return latest_extensions(survey=self.survey, organisation_ids=[self.organisation.pk]).get(self.organisation.pk)

    @cached_property
    def deadline(self) -> Deadline:
        """This organisation's deadline in the round (responses/deadlines.py; its latest extension counts)."""
        return deadline_with(survey=self.survey, extension=self.extension)

    @property
    def deadline_passed(self) -> bool:
        return self.deadline.passed()

    @property
    def can_edit(self) -> bool:
        """Respondents who edit (coordinators, contributors) while the round is open, the organisation's deadline has
        not passed and the response is not locked."""
        return (
            self.membership is not None
            and self.membership.can_edit
            and self.round_open
            and not self.response.is_locked_for_respondents
            and not self.deadline_passed
        )

    @property
    def can_submit(self) -> bool:
        return self.can_edit and self.membership is not None and self.membership.can_submit

    @cached_property
    def submitted_by_label(self) -> str:
        """Who submitted the response, as people know them ("" when nobody is recorded)."""
        user = self.response.submitted_by if self.response.submitted_by_id else None
        return str(user.get_full_name() or user.email or user.username) if user is not None else ""

    @property
    def role_label(self) -> str:
        if self.membership is not None:
            return str(self.membership.get_role_display())
        return str(_("Office staff")) if self.is_staff else ""


def targets(survey: Survey, organisation: Organisation) -> bool:
    """Whether the round asks this kind of organisation."""
    return survey.for_ngos if organisation.respondent_kind == "ngo" else survey.for_states


def response_access(request: HttpRequest, slug: str, org_code: str) -> ResponseAccess:
    """The response of an organisation in a round, if the user may read it; otherwise 404.

    Members read their own organisation's response; staff read all. The response is created when first opened.
    """
    user: Any = request.user
    is_staff = bool(getattr(user, "is_staff", False))
    survey = Survey.objects.filter(slug=slug).first()
    organisation = Organisation.objects.filter(code=org_code).select_related("country").first()
    if survey is None or organisation is None:
        raise Http404("No such response")
    membership = membership_for(user, organisation)
    if not is_staff and membership is None:
        raise Http404("No such response")
    if survey.status == Survey.Status.DRAFT and not is_staff:
        raise Http404("No such response")
    if not targets(survey, organisation):
        raise Http404("This round does not ask this kind of organisation")
    response = response_get_or_create(survey=survey, organisation=organisation)
    response.survey, response.organisation = survey, organisation
    return ResponseAccess(survey, organisation, response, membership, is_staff)
