"""Who may do what: the one access policy, read by every view, service and template.

`AccessPolicy.for_user(user)` (or `for_request(request)`, kept on the request) answers "may this person see / edit
/ submit / manage this": `may_see_response`, `may_edit`, `may_submit`, `may_prefill`, `may_manage_people`,
`may_review` (the Office's decisions: accept, return, reopen, history, deadlines, reminders, imports), `is_staff`,
and the querysets scoped to what the person may see (`responses()`, `organisations()`). Templates get it as
`policy` (oscethb/context_processors.py).

Contract:
- **A check never writes.** Opening a response page for an organisation that has no Response row yet shows an
  unsaved Response (no answers, not started); the row is created by the service that first writes to it
  (`responses.services.response_for_writing`), on a POST.
- The person's memberships are read once per policy object (one query), whatever the number of checks; staff-ness
  is `oscethb.access.is_office_staff`, which `staff_required` uses too.
- Anything a person may not see answers 404, never the data (`response_access`); a page they may see but not use
  answers 403 where the view says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import Exists, FilteredRelation, OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest
from django.utils.translation import pgettext

from accounts.access import PeoplePolicy
from accounts.models import Membership, Organisation, Role
from oscethb.prepared import PreparedQuery
from surveys.models import Survey
from surveys.selectors import SURVEY_BY_SLUG, SURVEY_BY_SLUG_WITHOUT_TEXTS

from .deadlines import Deadline, deadline_with, latest_extensions, response_deadline
from .models import DeadlineExtension, Evidence, PendingCell, Response

# The roles whose members change answers, and the one that sends them.
EDITING_ROLES = frozenset({Role.COORDINATOR, Role.CONTRIBUTOR})
SUBMITTING_ROLES = frozenset({Role.COORDINATOR})


class AccessPolicy(PeoplePolicy):
    """What one person may do: the people rules of `accounts.access.PeoplePolicy` and the answering rules. Read-only:
    nothing here writes, and every answer comes from the same few facts (staff or not, the person's memberships and
    their roles, the round's status, the response's lock, the organisation's deadline)."""

    # --- seeing -----------------------------------------------------------------------------------------------

    def may_see_round(self, survey: Survey) -> bool:
        """A round in preparation (draft) is the Office's alone."""
        return survey.status != Survey.Status.DRAFT or self.is_staff

    def rounds(self) -> QuerySet[Survey]:
        """Rounds the person may see (`may_see_round` in bulk): staff all of them, everyone else all but drafts."""
        if self.is_staff:
            return Survey.objects.all()
        return Survey.objects.exclude(status=Survey.Status.DRAFT)

    def may_see_response(self, survey: Survey, organisation: Organisation) -> bool:
        """Members read their own organisation's response, staff all of them; a round in preparation only staff;
        and only where the round asks this kind of organisation."""
        return self.may_see_organisation(organisation) and self.may_see_round(survey) and survey.asks(organisation.kind)

    def responses(self) -> QuerySet[Response]:
        """Responses the person may read: staff all of them, members their organisations' only."""
        responses = Response.objects.select_related("survey", "organisation")
        if self.is_staff:
            return responses
        return responses.filter(organisation_id__in=self.organisation_ids)

    # --- changing answers -------------------------------------------------------------------------------------

    def may_edit(
        self,
        survey: Survey,
        organisation: Organisation,
        response: Response | None = None,
        *,
        deadline: Callable[[], Deadline] | None = None,
    ) -> bool:
        """Members who edit (coordinators, contributors) while the round is open, the response is not locked and
        the organisation's deadline has not passed. Staff read; they do not answer for an organisation.

        `deadline` gives the organisation's deadline when the caller already has it; it is asked last (it may cost
        a query)."""
        if self.role(organisation) not in EDITING_ROLES:
            return False
        if survey.status != Survey.Status.OPEN:
            return False
        if response is not None and response.is_locked_for_respondents:
            return False
        found = deadline() if deadline is not None else response_deadline(survey=survey, organisation=organisation)
        return not found.passed()

    def may_submit(
        self,
        survey: Survey,
        organisation: Organisation,
        response: Response | None = None,
        *,
        deadline: Callable[[], Deadline] | None = None,
    ) -> bool:
        """Coordinators, while they may edit."""
        return self.may_submit_for(organisation) and self.may_edit(survey, organisation, response, deadline=deadline)

    def may_submit_for(self, organisation: Organisation) -> bool:
        """The role that sends the organisation's responses (whether the round still takes them aside)."""
        return self.role(organisation) in SUBMITTING_ROLES

    def may_upload_workbook(self, organisation: Organisation) -> bool:
        """Uploading a filled offline workbook: those whose role edits the organisation's answers, and the Office
        for any organisation (whether the response can change now is the upload's own check: submitted, deadline)."""
        return self.is_staff or self.role(organisation) in EDITING_ROLES

    def may_prefill(self, survey: Survey, organisation: Organisation, response: Response | None = None) -> bool:
        """Starting from the previous round's answers: those who may edit, where the round asks the organisation."""
        return survey.asks(organisation.kind) and self.may_edit(survey, organisation, response)


@dataclass
class ResponseAccess:
    """One response as one person may use it: the policy's answers for this response, and what its pages show.

    `response` is unsaved (no pk) while the organisation has not written anything to it yet."""

    survey: Survey
    organisation: Organisation
    response: Response
    policy: AccessPolicy
    # What the access read found of the response at the start of the request (None: not read): whether it has
    # mistyped texts kept (PendingCell) and documents (Evidence). A page that writes nothing may skip reading
    # either when it found none; a page that has just saved must read them (the save may have added some).
    had_kept_texts: bool | None = None
    had_evidence: bool | None = None

    @property
    def membership(self) -> Membership | None:
        return self.policy.membership(self.organisation)

    @property
    def is_staff(self) -> bool:
        return self.policy.is_staff

    @property
    def may_review(self) -> bool:
        return self.policy.may_review

    @property
    def may_manage_people(self) -> bool:
        return self.policy.may_manage_people(self.organisation)

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
        """This organisation's deadline in the round (responses/deadlines.py; its latest extension counts).

        `response_access` reads the latest extension's day with the organisation (no query of its own here)."""
        if "extension" not in self.__dict__ and hasattr(self.organisation, "extended_until"):
            until = self.organisation.extended_until
            return deadline_with(survey=self.survey, extension=DeadlineExtension(until=until) if until else None)
        return deadline_with(survey=self.survey, extension=self.extension)

    @property
    def deadline_passed(self) -> bool:
        return self.deadline.passed()

    @property
    def can_edit(self) -> bool:
        """The policy's `may_edit` for this response (its deadline read once, with the page's)."""
        return self.policy.may_edit(self.survey, self.organisation, self.response, deadline=lambda: self.deadline)

    @property
    def may_upload_workbook(self) -> bool:
        return self.policy.may_upload_workbook(self.organisation)

    @property
    def can_upload_workbook(self) -> bool:
        """An uploaded workbook could change the response now: the role uploads and none of the upload's refusals
        applies (`responses.offline.services.workbook_upload_refusal`: locked, round not open, the deadline passed
        for respondents). The pages offer the upload only then."""
        if not self.may_upload_workbook:
            return False
        if self.is_staff:  # the Office records late returns: the deadline does not bind it
            return self.round_open and not self.response.is_locked_for_respondents
        return self.can_edit

    @property
    def can_submit(self) -> bool:
        return self.policy.may_submit(self.survey, self.organisation, self.response, deadline=lambda: self.deadline)

    @property
    def may_submit_for(self) -> bool:
        """The person's role sends this organisation's response (whether or not it can be sent now)."""
        return self.policy.may_submit_for(self.organisation)

    @cached_property
    def submitted_by_label(self) -> str:
        """Who submitted the response, as people know them ("" when nobody is recorded)."""
        user = self.response.submitted_by if self.response.submitted_by_id else None
        return str(user.get_full_name() or user.email or user.username) if user is not None else ""

    @property
    def role_label(self) -> str:
        if self.membership is not None:
            return str(self.membership.get_role_display())
        return str(pgettext("a person's role", "Office staff")) if self.is_staff else ""


def response_access(request: HttpRequest, slug: str, org_code: str, *, texts: bool = True) -> ResponseAccess:
    """The response of an organisation in a round, if the user may read it; otherwise 404. `texts=False`: for a
    request that shows none of the round's texts (an autosave), the round is read without them (SURVEY_TEXTS).

    Two queries: the round, then the organisation with its country, the day of its latest deadline extension in
    the round, its response to the round and the person's membership of it, joined in one read.
    Never writes: an organisation that has not written anything to the round yet gets an unsaved Response."""
    policy = AccessPolicy.for_request(request)
    survey = (SURVEY_BY_SLUG if texts else SURVEY_BY_SLUG_WITHOUT_TEXTS).first(slug=slug)
    if survey is None:
        raise Http404("No such response")
    organisation = organisation_for_response(survey=survey, org_code=org_code, user=policy.user)
    if organisation is None:
        raise Http404("No such response")
    if policy.is_authenticated:
        policy.membership_known(organisation, getattr(organisation, "membership_here", None))
    if not policy.may_see_response(survey, organisation):
        if policy.may_see_organisation(organisation) and policy.may_see_round(survey):
            raise Http404("This round does not ask this kind of organisation")
        raise Http404("No such response")
    response = getattr(organisation, "response_here", None)
    if response is None:
        response = Response(survey=survey, organisation=organisation)
    response.survey, response.organisation = survey, organisation
    return ResponseAccess(
        survey,
        organisation,
        response,
        policy,
        had_kept_texts=getattr(organisation, "kept_texts_here", None),
        had_evidence=getattr(organisation, "evidence_here", None),
    )


def _organisations_for_response(code: str, survey_id: int, user_id: int | None = None) -> QuerySet[Organisation]:
    latest_until = DeadlineExtension.objects.filter(organisation=OuterRef("pk"), survey_id=survey_id).order_by("-id")
    of_response = {"response__survey_id": survey_id, "response__organisation": OuterRef("pk")}
    organisations = (
        Organisation.objects.filter(code=code)
        .annotate(
            extended_until=Subquery(latest_until.values("until")[:1]),
            # Whether the section and review pages need to read the kept texts and the documents at all.
            kept_texts_here=Exists(PendingCell.objects.filter(**of_response)),
            evidence_here=Exists(Evidence.objects.filter(**of_response)),
            response_here=FilteredRelation("responses", condition=Q(responses__survey_id=survey_id)),
        )
        # django-stubs do not know filtered relations (a documented Django feature) as select_related names.
        .select_related("country", "response_here")  # type: ignore[misc]
    )
    if user_id is not None:
        organisations = organisations.annotate(
            membership_here=FilteredRelation("memberships", condition=Q(memberships__user_id=user_id))
        ).select_related("membership_here")  # type: ignore[misc]
    return organisations.order_by("pk")[:1]


# Every answering page and autosave reads these: compiled once per process (oscethb/prepared.py).
ORGANISATION_FOR_MEMBER = PreparedQuery(_organisations_for_response, code=str, survey_id=int, user_id=int)
ORGANISATION_FOR_VISITOR = PreparedQuery(_organisations_for_response, code=str, survey_id=int)


def organisation_for_response(*, survey: Survey, org_code: str, user: Any) -> Organisation | None:
    """The organisation with this code, in one query, carrying what the response's pages check: its country,
    `kept_texts_here` and `evidence_here` (whether its response has mistyped texts kept, and documents),
    `extended_until` (the day of its latest deadline extension in the round, or None), `response_here` (its
    response to the round) and `membership_here` (the person's membership); the last two are absent when there is
    none (LEFT JOINs on the unique (survey, organisation) and (user, organisation) pairs: at most one row)."""
    user_id = getattr(user, "pk", None)
    if user_id is not None:
        return ORGANISATION_FOR_MEMBER.first(code=org_code, survey_id=survey.pk, user_id=user_id)
    return ORGANISATION_FOR_VISITOR.first(code=org_code, survey_id=survey.pk)
