"""factory_boy factories for every model of the project: the one home of "make me a valid row".

Contract: each factory builds a valid row with no other argument, creating what it points to (a fresh round, an
NGO working in Austria, a user) unless given; no fixed primary keys. Scenarios that need several rows that fit
together (a round answered by some organisations with their people) use `tests.scenario.Scenario` instead, which
is built from these factories and the real services.

`surveys/tests/factories.py` and `responses/tests/factories.py` re-export the names their tests import.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import Invitation, Membership, Organisation, PasswordResetRequest, PersonSettings, Role
from reports.models import DataExport, DraftReport, ExcelExport, Publication, PublicationEvent, Report, ReportRun
from responses.models import (
    Answer,
    AnswerChange,
    DeadlineExtension,
    Evidence,
    Notification,
    PendingCell,
    Reminder,
    Response,
    ResponseEvent,
    WorkbookUpload,
)
from surveys.models import Area, Option, OptionSet, Question, Section, Survey

PASSWORD = "a-long-test-password-2026"  # every UserFactory user's password
PDF = b"%PDF-1.4\n% a test document\n%%EOF\n"


def _letters(n: int, width: int) -> str:
    """n written with the letters A-Z, left-padded with A to `width` letters (codes must be capital letters)."""
    out = ""
    while True:
        n, digit = divmod(n, 26)
        out = chr(ord("A") + digit) + out
        if n == 0:
            break
    return out.rjust(width, "A")


# --- surveys: what is asked ---------------------------------------------------------------------------------------


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    slug = factory.Sequence(lambda n: f"thb-{9001 + n}")
    title = factory.LazyAttribute(lambda o: {"en": f"Test round {o.slug}"})
    reference_start = 2012
    reference_end = 2014


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    survey = factory.SubFactory(SurveyFactory)
    code = factory.Sequence(lambda n: f"A{_letters(n, 3)}")
    title = factory.LazyAttribute(lambda o: {"en": f"Area {o.code}"})
    position = factory.Sequence(lambda n: n)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    area = factory.SubFactory(AreaFactory)
    survey = factory.SelfAttribute("area.survey")
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.area.code}.{_letters(n, 2)}")
    title = factory.LazyAttribute(lambda o: {"en": f"Section {o.code}"})
    position = factory.Sequence(lambda n: n)


class OptionSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OptionSet

    survey = factory.SubFactory(SurveyFactory)
    code = factory.Sequence(lambda n: f"SET{n}")
    position = factory.Sequence(lambda n: n)


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Option

    option_set = factory.SubFactory(OptionSetFactory)
    code = factory.Sequence(lambda n: f"option_{n}")
    label = factory.LazyAttribute(lambda o: {"en": f"Option {o.code}"})
    position = factory.Sequence(lambda n: n)


class YesNoOptionSetFactory(OptionSetFactory):
    """An option set with the options yes and no, in that order."""

    class Meta:
        skip_postgeneration_save = True

    yes = factory.RelatedFactory(OptionFactory, factory_related_name="option_set", code="yes", position=0)
    no = factory.RelatedFactory(OptionFactory, factory_related_name="option_set", code="no", position=1)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    section = factory.SubFactory(SectionFactory)
    survey = factory.SelfAttribute("section.survey")
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.section.code}.{n % 1000:03d}")
    type = "short_text"
    audience = "both"
    text = factory.LazyAttribute(lambda o: {"en": f"Question {o.code}?"})
    position = factory.Sequence(lambda n: n)

    class Params:
        # A single-choice question on a fresh option set of the same round with the options yes and no.
        with_options = factory.Trait(
            type="single_select",
            option_set=factory.SubFactory(YesNoOptionSetFactory, survey=factory.SelfAttribute("..survey")),
        )


# --- accounts: people and organisations ---------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    """A person who logs in with their e-mail address (the username is the address in lower case)."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    username = factory.LazyAttribute(lambda o: o.email.strip().lower())
    password = factory.django.Password(PASSWORD)


class OrganisationFactory(factory.django.DjangoModelFactory):
    """An NGO working in Austria (the migration loads the participating States)."""

    class Meta:
        model = Organisation

    kind = Organisation.Kind.NGO
    code = factory.Sequence(lambda n: f"ngo-{n}")
    name = factory.Sequence(lambda n: f"Test NGO {n}")
    country = factory.LazyFunction(lambda: Organisation.objects.get(code="AT"))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.CONTRIBUTOR


class InvitationFactory(factory.django.DjangoModelFactory):
    """An open invitation; its token is `token` (only its hash is stored, as `invitation_create` does)."""

    class Meta:
        model = Invitation
        exclude = ("token",)

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Role.CONTRIBUTOR
    token = factory.Sequence(lambda n: f"test-invitation-token-{n}")
    token_hash = factory.LazyAttribute(lambda o: hashlib.sha256(o.token.encode()).hexdigest())
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))
    invited_by = factory.SubFactory(UserFactory)


class PersonSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonSettings

    user = factory.SubFactory(UserFactory)
    language = "en"


class PasswordResetRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PasswordResetRequest

    address = factory.Sequence(lambda n: hashlib.sha256(f"address-{n}".encode()).hexdigest())
    ip = "192.0.2.1"


# --- responses: what was answered ---------------------------------------------------------------------------------


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    survey = factory.SubFactory(SurveyFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class AnswerFactory(factory.django.DjangoModelFactory):
    """A stored text cell written directly (no history): for selectors and pages. Answers that must go through
    validation and history are saved with `answers_save` (see `Scenario.answers`)."""

    class Meta:
        model = Answer

    response = factory.SubFactory(ResponseFactory)
    question = factory.SubFactory(QuestionFactory, section__area__survey=factory.SelfAttribute("....response.survey"))
    value_text = "An answer"


class AnswerChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnswerChange

    response = factory.SubFactory(ResponseFactory)
    question = factory.SubFactory(QuestionFactory, section__area__survey=factory.SelfAttribute("....response.survey"))
    old_value = ""  # the text of "no value" in the history
    new_value = "An answer"
    version = 1


class PendingCellFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PendingCell

    response = factory.SubFactory(ResponseFactory)
    question = factory.SubFactory(QuestionFactory, section__area__survey=factory.SelfAttribute("....response.survey"))
    text = "not yet a number"


class WorkbookUploadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkbookUpload

    owner = factory.SubFactory(UserFactory)
    response = factory.SubFactory(ResponseFactory)
    filename = "filled.xlsx"
    plan = factory.LazyFunction(lambda: {"entries": [], "problems": []})


class ResponseEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResponseEvent

    response = factory.SubFactory(ResponseFactory)
    from_status = Response.Status.IN_PROGRESS
    to_status = Response.Status.SUBMITTED


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    event = factory.SubFactory(ResponseEventFactory)
    kind = factory.Iterator([choice for choice, _ in Notification.Kind.choices])
    recipients = factory.LazyFunction(lambda: ["someone@example.org"])


class EvidenceFactory(factory.django.DjangoModelFactory):
    """A stored PDF (written to MEDIA_ROOT: tests point it at a temporary folder)."""

    class Meta:
        model = Evidence
        exclude = ("content",)

    response = factory.SubFactory(ResponseFactory)
    question = factory.SubFactory(
        QuestionFactory, type="file", section__area__survey=factory.SelfAttribute("....response.survey")
    )
    content = PDF
    original_name = "evidence.pdf"
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name=o.original_name))
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    uploaded_by = factory.SubFactory(UserFactory)


class DeadlineExtensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeadlineExtension

    survey = factory.SubFactory(SurveyFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    until = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=7))
    reason = "More time to collect the figures"


# --- reports: what it adds up to ----------------------------------------------------------------------------------


class ReportRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportRun

    survey = factory.SubFactory(SurveyFactory)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    survey = factory.SubFactory(SurveyFactory)
    run = factory.SubFactory(ReportRunFactory, survey=factory.SelfAttribute("..survey"))
    built_at = factory.LazyFunction(timezone.now)
    data = factory.LazyFunction(lambda: {"questions": {}})  # a stored report of a round nobody answered


class ExcelExportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExcelExport

    survey = factory.SubFactory(SurveyFactory)


class DataExportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataExport

    survey = factory.SubFactory(SurveyFactory)


class DraftReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DraftReport

    survey = factory.SubFactory(SurveyFactory)


class PublicationFactory(factory.django.DjangoModelFactory):
    """A published round: a snapshot as `reports.publication.snapshot.public_snapshot` makes it (docs/report-data.md)."""

    class Meta:
        model = Publication

    survey = factory.SubFactory(SurveyFactory)
    data = factory.LazyAttribute(
        lambda o: {
            "survey": {"slug": o.survey.slug, "title": {"en": o.survey.slug}, "previous": None},
            "basis": {"statuses": ["submitted", "resubmitted", "accepted"], "provisional": False},
            "areas": [],
            "questions": [],
            "response_rates": {"states": {"eligible": 0, "counted": 0}, "ngos": {"eligible": 0, "counted": 0}},
            "choice_counts": [],
            "ngo_withheld": [],
            "headlines": [],
            "public_questions": [],
            "state_answers": [],
        }
    )
    report_built_at = factory.LazyFunction(timezone.now)
    published_at = factory.LazyFunction(timezone.now)


class PublicationEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PublicationEvent

    publication = factory.SubFactory(PublicationFactory)
    action = PublicationEvent.Action.PUBLISHED


class ReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reminder

    response = factory.SubFactory(ResponseFactory)
    days_before = 7
    recipients = factory.LazyFunction(lambda: ["coordinator@example.org"])
