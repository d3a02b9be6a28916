"""Deterministic, plausible demo data for `make run`: organisations, users and answers (never used in production).

The same database always gets the same data: every random choice is seeded from the organisation's code, and
running the seed again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Membership, Organisation, Role
from responses.answer_writer import AnswerWriter, NewCell
from responses.models import AnswerChange, Response, ResponseEvent, Source
from responses.selectors import survey_structure
from surveys import answer_types as at
from surveys.models import Question, Survey
from surveys.show_if import NOT_ASKED, is_shown

DEMO_PASSWORD = "demo-oscethb-2026"  # noqa: S105 - printed for the demo; never used outside `make run`  # nosec B105
DEMO_DOMAIN = "demo.oscethb.org"
STATE_COUNT = 40
NGO_COUNT = 60
DECIDED_AFTER = dt.timedelta(days=3)  # between a demo response's submission and the Office's decision

NGO_NAMES = [
    "Safe Passage",
    "Open Door Association",
    "Centre for Victims' Rights",
    "Freedom Path",
    "Home Again Foundation",
    "Women's Legal Aid Network",
    "Children First",
    "Fair Work Watch",
    "Bridge to Safety",
    "New Horizons",
]

# How a participating State tends to answer: yes, no, in process, not applicable, no information.
STATE_WEIGHTS = {"yes": 58, "in_process": 15, "no": 19, "not_applicable": 3, "no_information": 5, "partially": 14}
NGO_AGREEMENT = 0.7  # how often an NGO gives the same answer as its State


@dataclass
class DemoUser:
    email: str
    role: str
    organisation: str


def demo_users() -> list[DemoUser]:
    return [
        DemoUser(f"coordinator.at@{DEMO_DOMAIN}", Role.COORDINATOR, "AT"),
        DemoUser(f"contributor.at@{DEMO_DOMAIN}", Role.CONTRIBUTOR, "AT"),
        DemoUser(f"viewer.at@{DEMO_DOMAIN}", Role.VIEWER, "AT"),
        DemoUser(f"coordinator.de@{DEMO_DOMAIN}", Role.COORDINATOR, "DE"),
        DemoUser(f"coordinator.md@{DEMO_DOMAIN}", Role.COORDINATOR, "MD"),
        DemoUser(f"ngo@{DEMO_DOMAIN}", Role.COORDINATOR, "ngo-at-safe-passage"),
    ]


def _user(email: str, **extra: Any) -> Any:
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=email, defaults={"email": email, **extra})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def seed_people() -> list[DemoUser]:
    """Demo NGOs and users (idempotent)."""
    states = list(Organisation.objects.filter(kind=Organisation.Kind.STATE).order_by("code"))
    for index in range(NGO_COUNT):
        country = states[(index * 7) % len(states)] if index else next(s for s in states if s.code == "AT")
        name = NGO_NAMES[index % len(NGO_NAMES)]
        code = "ngo-" + country.code.lower() + "-" + slugify(name)
        Organisation.objects.get_or_create(
            code=code, defaults={"kind": Organisation.Kind.NGO, "name": f"{name} ({country.name})", "country": country}
        )
    users = demo_users()
    for demo in users:
        user = _user(demo.email)
        organisation = Organisation.objects.get(code=demo.organisation)
        Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": demo.role})
    return users


def _weighted(rng: random.Random, codes: list[str]) -> str:
    weights = [STATE_WEIGHTS.get(code, 8) for code in codes]
    return rng.choices(codes, weights=weights)[0]


def _value(rng: random.Random, question: Question, spec: at.CellSpec, size: int, organisation: Organisation) -> Any:
    codes = spec.choice_codes()
    if spec.kind == at.CHOICE:
        if question.code == "GEN.R.01":
            country = organisation.country or organisation
            return country.code if country.code in codes else codes[0]
        if question.code == "GEN.R.04":
            return rng.choice(["en", "en", "en", "ru", "fr", "de", "es", "it"])
        return _weighted(rng, codes)
    if spec.kind == at.CHOICES:
        plain = [c for c in codes if c not in spec.exclusive]
        return sorted(rng.sample(plain, k=rng.randint(1, max(1, min(4, len(plain))))), key=codes.index)
    if spec.kind == at.YEAR:
        return (
            question.survey.reference_start
            if spec.row in ("start", "start_year")
            else question.survey.reference_end + (2 if spec.row == "end_year" else 0)
        )
    if spec.kind == at.INTEGER:
        own = question.answer_type.demo_number(spec, rng, size)
        if own is not None:
            return own
        high = int(spec.validation.get("max", 10**6))
        return min(high, max(int(spec.validation.get("min", 0)), rng.randint(size // 2, size * 2)))
    if spec.kind == at.DECIMAL:
        return Decimal(rng.randint(10, 5000)) / Decimal(100)
    if spec.kind == at.DATE:
        return dt.date(question.survey.reference_start, rng.randint(1, 12), rng.randint(1, 28))
    if spec.kind == at.TEXT:
        if question.code == "GEN.R.02":
            return f"{organisation.name}: national anti-trafficking office; contact: focal point"
        return f"Demo answer of {organisation.name} to {question.code}: measures are in place and reviewed every year."
    return None


def _answers_for(
    organisation: Organisation, questions: list[Question], state_answers: dict[tuple[str, str, str], Any] | None
) -> dict[tuple[str, str, str], Any]:
    rng = random.Random(f"{organisation.code}:{questions[0].survey.slug}")  # noqa: S311 - demo data, not security  # nosec B311
    size = rng.choice([5, 20, 60, 150, 400])
    answers: dict[tuple[str, str, str], Any] = {}
    asked = {q.code for q in questions}  # a rule on a question this kind is not asked does not apply
    for question in questions:
        if not is_shown(
            question.show_if, lambda code, row: answers.get((code, row, "")) if code in asked else NOT_ASKED
        ):
            continue
        answer_type = question.answer_type
        cells = answer_type.demo_cells(question.cells(), rng)
        mine: dict[tuple[str, str], Any] = {}  # this question's answers so far, by cell
        for spec in cells:
            key = (question.code, spec.row, spec.column)
            if state_answers and key in state_answers and spec.kind == at.CHOICE and rng.random() < NGO_AGREEMENT:
                value = state_answers[key]
            else:
                value = _value(rng, question, spec, size, organisation)
            if not answer_type.demo_keeps(spec, mine):
                continue
            if value is not None:
                answers[key] = mine[spec.key] = at.clean_cell(spec, value)
    return answers


def _write(
    response: Response,
    questions: dict[str, Question],
    kinds: dict[str, dict[tuple[str, str], str]],
    answers: dict[tuple[str, str, str], Any],
    when: dt.datetime,
) -> None:
    cells = []
    for (code, row, column), value in answers.items():
        kind = kinds[code][(row, column)]
        cells.append(NewCell(response.pk, questions[code].pk, row, column, kind, value, at.to_text(kind, value)))
    AnswerWriter(user_id=None, source=Source.IMPORT, now=when).write(cells)
    AnswerChange.objects.filter(response=response).update(changed_at=when)


def _status_for(index: int, finished: bool) -> str:
    if finished:
        return Response.Status.ACCEPTED
    return [
        Response.Status.SUBMITTED,
        Response.Status.ACCEPTED,
        Response.Status.IN_PROGRESS,
        Response.Status.SUBMITTED,
        Response.Status.RETURNED,
        Response.Status.IN_PROGRESS,
        Response.Status.RESUBMITTED,
    ][index % 7]


@transaction.atomic
def seed_answers(survey: Survey, finished: bool = False) -> int:
    """Answers of about 40 States and 60 NGOs to a round; responses that exist already are left alone."""
    state_questions = [
        q for a in survey_structure(survey, "state") for s in a.sections.all() for q in s.questions.all()
    ]
    ngo_questions = [q for a in survey_structure(survey, "ngo") for s in a.sections.all() for q in s.questions.all()]
    all_questions = {q.code: q for q in state_questions + ngo_questions}
    kinds = {code: {spec.key: spec.kind for spec in q.cells()} for code, q in all_questions.items()}
    states = [
        o
        for o in Organisation.objects.filter(kind=Organisation.Kind.STATE).order_by("code")
        if o.code not in ("AT", "DE", "MD")
    ][:STATE_COUNT]
    ngos = list(
        Organisation.objects.filter(kind=Organisation.Kind.NGO, code__startswith="ngo-")
        .exclude(code="ngo-at-safe-passage")
        .select_related("country")
        .order_by("code")
    )[:NGO_COUNT]
    existing = set(Response.objects.filter(survey=survey).values_list("organisation_id", flat=True))
    staff = get_user_model().objects.filter(is_staff=True).order_by("id").first()
    base = timezone.make_aware(
        dt.datetime.combine(survey.closes_on or timezone.localdate(), dt.time(12))
    ) - dt.timedelta(days=40)
    by_state: dict[int, dict[tuple[str, str, str], Any]] = {}
    created = 0
    for index, organisation in enumerate(states + ngos):
        if organisation.pk in existing:
            continue
        is_ngo = organisation.kind == Organisation.Kind.NGO
        questions = ngo_questions if is_ngo else state_questions
        state_answers = by_state.get(organisation.country_id) if is_ngo and organisation.country_id else None
        answers = _answers_for(organisation, questions, state_answers)
        if not is_ngo:
            by_state[organisation.pk] = answers
        status = _status_for(index, finished or survey.status == Survey.Status.CLOSED)
        when = base + dt.timedelta(days=index % 30, hours=index % 7)
        response = Response.objects.create(
            survey=survey, organisation=organisation, status=status, last_activity_at=when
        )
        if status == Response.Status.IN_PROGRESS:
            # Half-done: drop the answers of the last areas.
            answers = {k: v for k, v in answers.items() if k[0].split(".")[0] in ("GEN", "PRO", "PRV")}
        _write(response, all_questions, kinds, answers, when)
        if status != Response.Status.IN_PROGRESS:
            response.submitted_at = when
            ResponseEvent.objects.create(
                response=response, from_status=Response.Status.IN_PROGRESS, to_status=Response.Status.SUBMITTED
            )
        if status == Response.Status.RETURNED:
            response.staff_comment = (
                "Please give the figures for 2019 in PRO.DATA.01 and explain the answer to PRV.SUP.01."
            )
            ResponseEvent.objects.create(
                response=response,
                from_status=Response.Status.SUBMITTED,
                to_status=status,
                by=staff,
                comment=response.staff_comment,
            )
        if status == Response.Status.ACCEPTED:
            response.accepted_at = when + DECIDED_AFTER
            ResponseEvent.objects.create(
                response=response, from_status=Response.Status.SUBMITTED, to_status=status, by=staff
            )
        # The history says what the response says: submitted then, decided a few days later (not "today").
        ResponseEvent.objects.filter(response=response, to_status=Response.Status.SUBMITTED).update(at=when)
        ResponseEvent.objects.filter(response=response).exclude(to_status=Response.Status.SUBMITTED).update(
            at=when + DECIDED_AFTER
        )
        response.save()
        created += 1
    return created


def demo_round_keep_open(*, survey: Survey, days: int) -> dt.date:
    """Keep a demo round answerable: a closing date `days` ahead when fewer than 14 days are left (or none is set).

    Run after the answers are seeded (their dates are spread before the shipped closing date) and after
    `load_survey`, which puts the shipped date back. Running it again within a month changes nothing."""
    today = timezone.localdate()
    if survey.closes_on is None or survey.closes_on < today + dt.timedelta(days=14):
        survey.closes_on = today + dt.timedelta(days=days)
        survey.save(update_fields=["closes_on", "updated_at"])
    return survey.closes_on
