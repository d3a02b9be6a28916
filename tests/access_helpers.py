"""Helpers of the access-control test (tests/test_access.py): the shared world of organisations, people, answers,
evidence and invitations; how a response is classified; a snapshot of everything a denied request must not change.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponseBase
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.api_tokens import api_token_create
from accounts.models import ApiToken, Invitation, Membership, Organisation, Role
from reports.data_exports import data_export_create, data_export_execute
from reports.drafts import draft_report_create, draft_report_execute
from reports.exports import excel_export_create, excel_export_execute
from reports.models import DataExport, DraftReport, ExcelExport, ReportRun
from reports.publication.services import publication_publish
from reports.services import report_run_execute
from responses.models import Answer, AnswerChange, Evidence, Response, ResponseEvent
from surveys.models import Survey
from tests.factories import SurveyFactory
from tests.otp_helpers import confirmed_device, force_login_verified
from tests.scenario import Scenario

# The roles of the matrix, in the column order of the EXPECTATIONS table.
ROLES = (
    "anonymous",
    "coordinator_a",
    "contributor_a",
    "viewer_a",
    "coordinator_b",
    "ngo_coordinator",
    "staff",
    "superuser",
    "staff_no_otp",  # staff with an authenticator app who logged in with the password but not (yet) the code
)

# Outcome classes.
OK = "ok"  # 2xx, or a 3xx redirect that is not to a login page
LOGIN = "login"  # a redirect to the login page (the site's, or the admin's for /admin/)
DENIED = "denied"  # 403 or 404 (or 401: the API's answer to a request without a token or login)
OK_OR_DENIED_BY_STATE = "ok_or_denied_by_state"  # only with a comment in the table saying why
OTP = "otp"  # a redirect to the two-factor code page (or its setup page): the login is not finished

# The text answer to GEN.R.02 that each organisation stored: a denied page must never show any of them.
SECRETS = {
    "AT": "SECRET-ANSWER-AT",
    "DE": "SECRET-ANSWER-DE",
    "ngo-at": "SECRET-ANSWER-NGO-AT",
    "ngo-other": "SECRET-ANSWER-NGO-OTHER",
}
PDF_AT = b"%PDF-1.4\n% evidence of Austria: EVIDENCE-BYTES-AT\n%%EOF\n"
PDF_DE = b"%PDF-1.4\n% evidence of Germany: EVIDENCE-BYTES-DE\n%%EOF\n"
SECTION = "GEN.R"  # a section every respondent kind answers
TEXT_QUESTION = "GEN.R.02"  # short text, asked of States and NGOs
FILE_QUESTION = "PAR.NAT.06"  # file, asked of States


@dataclass
class World:
    survey: Survey
    draft: Survey
    orgs: dict[str, Organisation]
    users: dict[str, Any]  # role -> user (no entry for anonymous)
    responses: dict[str, Response]  # org code -> response in the open round
    evidence: dict[str, Evidence]  # org code -> evidence document
    evidence_bytes: dict[str, bytes] = field(default_factory=dict)
    invitation: Invitation | None = None
    invitation_token: str = ""
    report_run: ReportRun | None = None
    excel_export: ExcelExport | None = None
    data_export: DataExport | None = None
    draft_report: DraftReport | None = None
    closed: Survey | None = None  # a closed round with a final report: its results may be published
    api_tokens: dict[str, ApiToken] = field(default_factory=dict)  # role -> a token of theirs

    @property
    def slug(self) -> str:
        return self.survey.slug

    def answer(self, org_code: str) -> Answer:
        return Answer.objects.get(response=self.responses[org_code], question__code=TEXT_QUESTION)


# The people of the matrix's roles: role -> (address, extra fields), in the order they are made.
PEOPLE = {
    "coordinator_a": ("coordinator.a@example.org", {}),
    "contributor_a": ("contributor.a@example.org", {}),
    "viewer_a": ("viewer.a@example.org", {}),
    "coordinator_b": ("coordinator.b@example.org", {}),
    "ngo_coordinator": ("ngo.coordinator@example.org", {}),
    "staff": ("staff@example.org", {"is_staff": True}),
    "superuser": ("superuser@example.org", {"is_staff": True, "is_superuser": True}),
    "staff_no_otp": ("staff.no.otp@example.org", {"is_staff": True}),
}
OTHER_MEMBER = "ngo.other@example.org"


def build_world() -> World:
    """The open round thb-2016 with Austria (State A), Germany (State B), an NGO working in Austria and another
    NGO; people in each role; a stored text answer per organisation, a PDF for AT and DE, an open invitation to AT;
    and a draft round."""
    s = Scenario(password=None).round("thb-2016")  # no deadline: tests of the deadline set their own
    survey = s.survey
    draft: Survey = SurveyFactory.create(
        slug="access-draft", title={"en": "A draft round"}, reference_start=2024, reference_end=2025
    )
    s.state("AT").state("DE")
    s.ngo("ngo-at", name="Stop Trafficking Vienna", country="AT")
    s.ngo("ngo-other", name="Free Passage Network", country="AT")
    orgs = dict(s.orgs)

    users = {role: s.person(email, **extra) for role, (email, extra) in PEOPLE.items()}
    for role in ("staff", "superuser", "staff_no_otp"):
        confirmed_device(users[role])
    for role, org, membership_role in (
        ("coordinator_a", "AT", Role.COORDINATOR),
        ("contributor_a", "AT", Role.CONTRIBUTOR),
        ("viewer_a", "AT", Role.VIEWER),
        ("coordinator_b", "DE", Role.COORDINATOR),
        ("ngo_coordinator", "ngo-at", Role.COORDINATOR),
    ):
        s.member(org, membership_role, PEOPLE[role][0])
    s.member("ngo-other", Role.COORDINATOR, OTHER_MEMBER)
    authors = {"AT": "coordinator_a", "DE": "coordinator_b", "ngo-at": "ngo_coordinator"}

    responses = {}
    for code in orgs:
        author = PEOPLE[authors[code]][0] if code in authors else OTHER_MEMBER
        s.answers(code, {TEXT_QUESTION: {("", ""): SECRETS[code]}}, by=author, base_versions={("", ""): 0})
        responses[code] = s.response(code)

    evidence = {
        "AT": s.evidence("AT", FILE_QUESTION, PDF_AT, "nap-austria.pdf", by=PEOPLE["coordinator_a"][0]),
        "DE": s.evidence("DE", FILE_QUESTION, PDF_DE, "nap-germany.pdf", by=PEOPLE["coordinator_b"][0]),
    }
    s.invite("AT", "invitee.at@example.org", role=Role.CONTRIBUTOR, by=PEOPLE["staff"][0])
    invitation, token = s.invitations["invitee.at@example.org"]
    # A provisional report (in-progress answers counted), so that the dashboards have data to show or withhold.
    run = ReportRun.objects.create(survey=survey, include_in_progress=True, requested_by=users["staff"])
    assert report_run_execute(run_id=run.pk) == "done"
    run.refresh_from_db()
    # A finished Excel summary of the provisional report: every organisation's answers are in it.
    export = excel_export_create(survey=survey, user=users["staff"], language="en", include_in_progress=True)
    assert excel_export_execute(export_id=export.pk) == "done"
    export.refresh_from_db()
    # A finished raw-data file of the provisional answers, of States and NGOs alike.
    data_export = data_export_create(survey=survey, user=users["staff"], language="en", include_in_progress=True)
    assert data_export_execute(export_id=data_export.pk) == "done"
    data_export.refresh_from_db()
    # A finished draft of the provisional report.
    draft_report = draft_report_create(survey=survey, user=users["staff"], language="en", include_in_progress=True)
    assert draft_report_execute(draft_id=draft_report.pk) == "done"
    draft_report.refresh_from_db()
    closed = published_results(survey, users["staff"])
    admin_objects(users, responses["ngo-other"])
    api_tokens = {
        role: api_token_create(user=users[role], name=f"{role}'s tool")[0] for role in ("staff", "coordinator_a")
    }
    return World(
        excel_export=export,
        data_export=data_export,
        draft_report=draft_report,
        report_run=run,
        closed=closed,
        survey=survey,
        draft=draft,
        orgs=orgs,
        users=users,
        responses=responses,
        evidence=evidence,
        evidence_bytes={"AT": PDF_AT, "DE": PDF_DE},
        invitation=invitation,
        invitation_token=token,
        api_tokens=api_tokens,
    )


def published_results(survey: Survey, staff: Any) -> Survey:
    """The open round's results published (from a final report, the round closed for the moment publishing takes,
    as it requires), so that the public page has a world to render; and a closed round with a final report, whose
    results staff may publish. Returns the closed round."""
    final = ReportRun.objects.create(survey=survey, requested_by=staff)
    assert report_run_execute(run_id=final.pk) == "done"
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED)
    survey.refresh_from_db()
    publication_publish(survey=survey, user=staff, public_questions=["PRV.SUP.01"])
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.OPEN)
    survey.refresh_from_db()
    closed: Survey = SurveyFactory.create(
        slug="access-closed",
        title={  # in every language, as a shipped round's: members' pages name it next to their organisation
            "en": "A closed round",
            "fr": "Un cycle clos",
            "de": "Eine abgeschlossene Runde",
            "it": "Un ciclo chiuso",
            "ru": "Закрытый раунд",
            "es": "Una ronda cerrada",
        },
        status=Survey.Status.CLOSED,
        reference_start=2020,
        reference_end=2021,
    )
    run = ReportRun.objects.create(survey=closed, requested_by=staff)
    assert report_run_execute(run_id=run.pk) == "done"
    return closed


def admin_objects(users: dict[str, Any], response: Response) -> None:
    """At least one row of every model the admin shows, so that its change, history and delete pages can be tried."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    Group.objects.create(name="Office readers")
    backup = StaticDevice.objects.create(user=users["staff"], name="Backup codes", confirmed=True)
    StaticToken.objects.create(device=backup, token="abcd2345")
    where = {"username": "someone@example.org", "ip_address": "192.0.2.1", "user_agent": "test", "path_info": "/"}
    AccessAttempt.objects.create(**where, get_data="", post_data="", failures_since_start=1, http_accept="*/*")
    AccessLog.objects.create(**where, http_accept="*/*")
    AccessFailureLog.objects.create(**where, http_accept="*/*")
    ResponseEvent.objects.create(response=response, from_status="in_progress", to_status="in_progress", by=None)


def restore_evidence_files(world: World) -> None:
    """A test that deletes a document removes its file at once; the rolled-back row needs it back on disk."""
    for code, item in world.evidence.items():
        if not default_storage.exists(item.file.name):
            saved = default_storage.save(item.file.name, ContentFile(world.evidence_bytes[code]))
            assert saved == item.file.name


# --- requests and outcomes ------------------------------------------------------------------------------------


def client_for(world: World, role: str) -> Client:
    """A client logged in as the role; staff with their second factor verified, except staff_no_otp."""
    client = Client()
    if role == "staff_no_otp":
        client.force_login(world.users[role])
    elif role != "anonymous":
        force_login_verified(client, world.users[role])
    return client


def body_of(response: HttpResponseBase) -> bytes:
    """The whole body, streamed or not. The test client closes a response itself (a streamed one once read to the
    end, which this does: an open file would warn, and warnings are errors); closing it again here would fire
    request_finished and close the database connection in the middle of the test's transaction."""
    if response.streaming:
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return response.content  # type: ignore[attr-defined]


def login_paths() -> set[str]:
    return {resolve_url(settings.LOGIN_URL), reverse("admin:login")}


def otp_paths() -> set[str]:
    return {reverse("accounts:twofactor-verify"), reverse("accounts:twofactor-setup")}


def classify(response: HttpResponseBase) -> str:
    status = response.status_code
    if status in (401, 403, 404):
        return DENIED
    if 300 <= status < 400:
        location = urlsplit(response["Location"]).path
        if location in otp_paths():
            return OTP
        return LOGIN if location in login_paths() else OK
    if 200 <= status < 300:
        return OK
    return f"unexpected status {status}"


def describe(response: HttpResponseBase) -> str:
    where = f" -> {response['Location']}" if response.has_header("Location") else ""
    return f"{response.status_code}{where}"


def leaked(body: bytes, world: World, target: str) -> list[str]:
    """What of the organisations' data a refused request shows: the target's name, any stored answer, a document."""
    text = body.decode("utf-8", errors="replace")
    found = [secret for secret in SECRETS.values() if secret in text]
    found += [f"document of {code}" for code, content in world.evidence_bytes.items() if content in body]
    name = world.orgs[target].name
    if name in text:
        found.append(f"organisation name {name!r}")
    return found


def foreign_data(body: bytes, world: World, own: str | None) -> list[str]:
    """Stored answers and documents of organisations other than `own` that a page shows."""
    text = body.decode("utf-8", errors="replace")
    found = [secret for code, secret in SECRETS.items() if code != own and secret in text]
    found += [
        f"document of {code}" for code, content in world.evidence_bytes.items() if code != own and content in body
    ]
    return found


def snapshot() -> dict[str, Any]:
    """Everything a refused request must leave as it was."""
    return {
        "answers": list(
            Answer.objects.order_by("pk").values_list(
                "pk", "response_id", "question_id", "row", "column", "value_text", "version"
            )
        ),
        "answer_changes": AnswerChange.objects.count(),
        "responses": list(Response.objects.order_by("pk").values_list("pk", "status", "staff_comment")),
        "events": ResponseEvent.objects.count(),
        "evidence": list(Evidence.objects.order_by("pk").values_list("pk", "file")),
        "invitations": list(
            Invitation.objects.order_by("pk").values_list("pk", "token_hash", "revoked_at", "accepted_at", "sent_count")
        ),
        "memberships": list(Membership.objects.order_by("pk").values_list("pk", "user_id", "organisation_id", "role")),
        "users": get_user_model().objects.count(),
        "report_runs": ReportRun.objects.count(),
        "api_tokens": list(ApiToken.objects.order_by("pk").values_list("pk", "key_hash", "revoked_at")),
    }


# --- the URL resolver -----------------------------------------------------------------------------------------


def walk_patterns(
    resolver: URLResolver | None = None, namespace: tuple[str, ...] = (), prefix: str = ""
) -> Iterator[tuple[str | None, str]]:
    """(namespaced name or None, route) of every pattern of the project, through every include()."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = (*namespace, pattern.namespace) if pattern.namespace else namespace
            yield from walk_patterns(pattern, inner, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            name = ":".join((*namespace, pattern.name)) if pattern.name else None
            yield name, prefix + str(pattern.pattern)
