"""One scenario builder for the tests: a round, the organisations that answer it, their people and their answers.

    s = (
        Scenario()
        .round("thb-2016")                                   # the shipped round, open, with no deadline
        .state("AT", coordinator="a@at.example.org", viewer=["v@at.example.org"])
        .ngo("ngo-at", name="Stop Trafficking Vienna", country="AT", coordinator="n@ngo.example.org")
        .answers("AT", {"GEN.R.02": {("", ""): "Ministry"}}, by="a@at.example.org")
        .status("AT", Response.Status.SUBMITTED)
    )
    s.survey, s.orgs["AT"], s.people["a@at.example.org"], s.response("AT"), s.question("GEN.R.02")

Contract: every step runs at once, through the real command (`load_survey`) and services (`answers_save`,
`invitation_create`), and returns the builder, so that steps chain and a test may interleave its own code. What a
step made is kept under a name: rounds by slug, organisations by code, people by e-mail address, invitations by
address. The first round loaded is `survey`, the round that later steps use unless given `round=`.

A round is a shipped definition (surveys/definitions/<slug>.yaml: the contract tests) or a file of tests/data
(`small`: one question of every answer type, for unit tests that need a question and not the whole round).
Single rows that need no scenario come from `tests.factories`.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command

from accounts.models import Invitation, Membership, Organisation, Role
from accounts.people import invitation_create
from responses.models import Evidence, Response
from responses.services import answers_save, response_get_or_create
from surveys.models import Question, Survey
from tests.factories import PASSWORD, OrganisationFactory, UserFactory

Key = tuple[str, str]
DATA = Path(__file__).resolve().parent / "data"
SMALL = "small"  # tests/data/small.yaml: the round of the unit tests (slug "small")
_SHIPPED_DEADLINE = object()  # round(closes_on=...) default: keep the closing date the definition gives


def definition_path(slug: str) -> Path:
    """The definition file of a round: tests/data/<slug>.yaml if there is one, else the shipped definition."""
    local = DATA / f"{slug}.yaml"
    return local if local.is_file() else Path(settings.BASE_DIR) / "surveys" / "definitions" / f"{slug}.yaml"


def load_round(slug: str) -> Survey:
    """Load a round with the real command (a round already loaded is updated in place) and return it."""
    call_command("load_survey", str(definition_path(slug)), stdout=io.StringIO())
    return Survey.objects.get(slug=slug)


def question_of(survey: Survey, code: str) -> Question:
    """A question of a round with its option set and options loaded and its round attached."""
    return (
        Question.objects.of_round(survey)
        .select_related("option_set")
        .prefetch_related("option_set__options")
        .get(code=code)
    )


class Scenario:
    """Builds a scenario step by step; see the module docstring."""

    def __init__(self, *, password: str | None = PASSWORD) -> None:
        self.password = password  # of every person made here; None: an unusable password
        self.rounds: dict[str, Survey] = {}
        self.orgs: dict[str, Organisation] = {}
        self.people: dict[str, Any] = {}
        self.invitations: dict[str, tuple[Invitation, str]] = {}  # e-mail -> (invitation, token)
        self._questions: dict[tuple[str, str], Question] = {}

    # --- the round ------------------------------------------------------------------------------------------------

    @property
    def survey(self) -> Survey:
        """The first round loaded: the one every step uses unless told otherwise."""
        return next(iter(self.rounds.values()))

    def round(
        self, slug: str = "thb-2016", *, status: str = Survey.Status.OPEN, closes_on: Any = None, **fields: Any
    ) -> Scenario:
        """Load a round and set its status (open by default) and closing date (none by default: the shipped dates
        have passed, so answering stays open; `closes_on=Scenario.SHIPPED_DEADLINE` keeps the definition's)."""
        survey = load_round(slug)
        changes: dict[str, Any] = {"status": status, **fields}
        if closes_on is not _SHIPPED_DEADLINE:
            changes["closes_on"] = closes_on
        Survey.objects.filter(pk=survey.pk).update(**changes)
        survey.refresh_from_db()
        self.rounds[slug] = survey
        return self

    SHIPPED_DEADLINE = _SHIPPED_DEADLINE

    def _round(self, slug: str | None) -> Survey:
        return self.rounds[slug] if slug else self.survey

    def question(self, code: str, *, round: str | None = None) -> Question:
        """A question of the round (see `question_of`), read once per scenario."""
        survey = self._round(round)
        key = (survey.slug, code)
        if key not in self._questions:
            self._questions[key] = question_of(survey, code)
        return self._questions[key]

    # --- people and organisations ---------------------------------------------------------------------------------

    def person(self, email: str, **fields: Any) -> Any:
        """The person with this address, made on first mention (extra fields: is_staff, is_active, ...)."""
        if email not in self.people:
            self.people[email] = UserFactory.create(email=email, password=self.password, **fields)
        return self.people[email]

    def member(self, org: str, role: str, *emails: str) -> Scenario:
        for email in emails:
            Membership.objects.create(user=self.person(email), organisation=self.orgs[org], role=role)
        return self

    def _team(self, org: str, people: dict[str, str | list[str]]) -> None:
        for role, emails in people.items():
            self.member(org, Role(role), *([emails] if isinstance(emails, str) else emails))

    def state(self, code: str, **people: str | list[str]) -> Scenario:
        """A participating State or Partner of the directory, with members by role: coordinator=, contributor=,
        viewer= (an address, or a list of addresses in the order their memberships are made)."""
        self.orgs[code] = Organisation.objects.get(code=code)
        self._team(code, people)
        return self

    def ngo(self, code: str, *, name: str | None = None, country: str = "AT", **people: str | list[str]) -> Scenario:
        """An NGO working in a State, with members by role as for `state`."""
        fields = {"name": name} if name else {}
        ngo: Organisation = OrganisationFactory.create(
            code=code, country=Organisation.objects.get(code=country), **fields
        )
        self.orgs[code] = ngo
        self._team(code, people)
        return self

    def invite(self, org: str, email: str, *, role: str = Role.CONTRIBUTOR, by: str) -> Scenario:
        """An open invitation, made and mailed by `invitation_create`; its token is in `invitations[email]`."""
        self.invitations[email] = invitation_create(
            organisation=self.orgs[org],
            email=email,
            role=role,
            invited_by=self.person(by),
            base_url="http://testserver/",
        )
        return self

    # --- responses ------------------------------------------------------------------------------------------------

    def response(self, org: str, *, round: str | None = None) -> Response:
        """The organisation's response to the round (made, not started, on first mention)."""
        return response_get_or_create(survey=self._round(round), organisation=self.orgs[org])

    def answers(
        self,
        org: str,
        answers: dict[str, dict[Key, Any]],
        *,
        by: str | None = None,
        round: str | None = None,
        base_versions: dict[Key, int] | None = None,
    ) -> Scenario:
        """Save answers {question code: {(row, column): raw value}} as `by` would (None: as the system), through
        the service that validates and records history; a refused value fails the test at once."""
        response = self.response(org, round=round)
        user = self.person(by) if by else None
        for code, raw in answers.items():
            outcome = answers_save(
                response=response,
                question=self.question(code, round=round),
                raw=raw,
                base_versions=base_versions,
                user=user,
            )
            assert outcome.ok, (org, code, outcome.error)
        return self

    def status(self, org: str, status: str, *, round: str | None = None) -> Scenario:
        """Put a response in a status directly (no workflow, no mail): the state a test starts from."""
        response = self.response(org, round=round)
        response.status = status
        response.save()
        return self

    def evidence(
        self,
        org: str,
        code: str,
        content: bytes,
        name: str,
        *,
        by: str,
        round: str | None = None,
    ) -> Evidence:
        """A stored PDF uploaded by `by` to a file question (written to MEDIA_ROOT)."""
        item = Evidence(
            response=self.response(org, round=round),
            question=self.question(code, round=round),
            original_name=name,
            content_type="application/pdf",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=self.person(by),
        )
        item.file.save(name, ContentFile(content), save=False)
        item.save()
        return item
