"""Access control over every URL of the project: who may open what, and that a refusal never shows the data.

The contract: an organisation's members see only their own responses, files and history; NGOs never see a State's or
another NGO's answers; anything else answers 404 (or 403, or a redirect to the login page for anonymous users),
never the data. Office staff see everything.

How it works:
- `EXPECTATIONS` maps every URL name of the project, the Django admin's included, to one or more `Case`s: a method,
  the URL's arguments, POST data that would succeed for someone allowed, and the expected outcome class for each
  role, written as a row in the column order of `ROLES`. The admin's model pages (list, add, change, history,
  delete of every registered model) follow one pattern and are generated (`ADMIN_MODEL_PAGES`).
- The last role, `staff_no_otp`, is a staff member who has an authenticator app and logged in with the password but
  not the code: every page but the code page (and logging out, and the language switch) sends them there (`otp`).
- `test_every_url_has_expectations` walks the resolver and fails, naming them, for URL names missing from the table:
  whoever adds a URL adds its row here.
- `test_access` runs every (case x role): the outcome class must match; a refused request (denied, or a login
  redirect) must not show any organisation's stored answer, document or the target organisation's name, and must
  change nothing in the database; an allowed request by a member must not show another organisation's answers or
  documents.
- The specific tests at the end check what status codes cannot: lists show only one's own organisations, denied
  writes change nothing, and the same writes succeed for the people allowed (so the refusals are about permission,
  not about invalid data).

The world (the 2015/16 round, organisations, people, answers, documents, an invitation) is built once per module
inside a transaction that is rolled back at the end; each test runs in a savepoint inside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from accounts.models import Invitation
from responses.models import Answer, AnswerChange, Evidence, Response, ResponseEvent
from surveys.models import Survey

from .access_helpers import (
    DENIED,
    LOGIN,
    OK,
    OK_OR_DENIED_BY_STATE,
    OTP,
    ROLES,
    SECRETS,
    SECTION,
    TEXT_QUESTION,
    World,
    body_of,
    build_world,
    classify,
    client_for,
    describe,
    foreign_data,
    leaked,
    restore_evidence_files,
    snapshot,
    walk_patterns,
)

Kwargs = Callable[[World], dict[str, Any]]
Data = Callable[[World], dict[str, Any]]


def row(text: str) -> dict[str, str]:
    """One row of the table: an outcome class per role, in the order of ROLES."""
    outcomes = text.split()
    assert len(outcomes) == len(ROLES), f"{text!r}: one outcome per role {ROLES}"
    assert set(outcomes) <= {OK, LOGIN, DENIED, OK_OR_DENIED_BY_STATE, OTP}, text
    return dict(zip(ROLES, outcomes, strict=True))


def anonymous_only(outcome: str) -> dict[str, str]:
    """Django's own auth views: tried once, by an anonymous visitor."""
    assert outcome in (OK, LOGIN, DENIED), outcome
    return {"anonymous": outcome}


@dataclass(frozen=True)
class Case:
    method: str
    kwargs: Kwargs
    expect: dict[str, str]
    target: str = "AT"  # whose data the URL is about: a refusal must not show this organisation's name
    data: Data | None = None
    label: str = ""
    query: str = ""  # appended to the URL, e.g. "?basis=provisional"


def case(
    expect: str | dict[str, str],
    method: str,
    kwargs: Kwargs,
    *,
    data: Data | None = None,
    target: str = "AT",
    label: str = "",
    query: str = "",
) -> Case:
    """A row of the table: the outcomes first (one per role, in the order of ROLES), then how to make the request."""
    return Case(method, kwargs, row(expect) if isinstance(expect, str) else expect, target, data, label, query)


# --- URL arguments ---------------------------------------------------------------------------------------------


def no_kwargs(w: World) -> dict[str, Any]:
    return {}


def round_open(w: World) -> dict[str, Any]:
    return {"slug": w.slug}


def round_closed(w: World) -> dict[str, Any]:
    assert w.closed is not None
    return {"slug": w.closed.slug}


def round_draft(w: World) -> dict[str, Any]:
    return {"slug": w.draft.slug}


def respond(org: str, *, draft: bool = False, **extra: str) -> Kwargs:
    return lambda w: {"slug": w.draft.slug if draft else w.slug, "org_code": org, **extra}


def evidence_of(org: str) -> Kwargs:
    return lambda w: {"pk": w.evidence[org].pk}


def organisation(code: str) -> Kwargs:
    return lambda w: {"code": code}


def invitation(w: World) -> dict[str, Any]:
    assert w.invitation is not None
    return {"pk": w.invitation.pk}


def invitation_token(w: World) -> dict[str, Any]:
    return {"token": w.invitation_token}


def area(code: str) -> Kwargs:
    return lambda w: {"slug": w.slug, "area_code": code}


def question(code: str) -> Kwargs:
    return lambda w: {"slug": w.slug, "code": code}


def country(iso: str) -> Kwargs:
    return lambda w: {"slug": w.slug, "iso": iso}


def report_run(w: World) -> dict[str, Any]:
    assert w.report_run is not None
    return {"pk": w.report_run.pk}


PROVISIONAL = "?basis=provisional"
AUTOCOMPLETE = "?app_label=accounts&model_name=membership&field_name=user&term=a"


def object_of(model: Any) -> Kwargs:
    """The first row of a model (the world holds at least one of each model the admin shows)."""
    return lambda w: {"object_id": model._default_manager.order_by("pk").values_list("pk", flat=True)[0]}


def staff_device(w: World) -> dict[str, Any]:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return {"pk": TOTPDevice.objects.get(user=w.users["staff"]).pk}


def view_on_site(w: World) -> dict[str, Any]:
    from django.contrib.contenttypes.models import ContentType

    return {"content_type_id": ContentType.objects.get_for_model(Survey).pk, "object_id": w.survey.pk}


def bad_reset_link(w: World) -> dict[str, Any]:
    return {"uidb64": "MQ", "token": "not-a-token"}


# --- POST data that succeeds for someone allowed ---------------------------------------------------------------


def changed_text_answer(w: World, org: str = "AT") -> dict[str, Any]:
    """GEN.R.02 changed from the stored value, with the version and value the page showed."""
    answer = w.answer(org)
    name = f"{TEXT_QUESTION}||"
    return {name: f"CHANGED-{org}", f"v|{name}": str(answer.version), f"o|{name}": SECRETS[org]}


def confirmed(w: World) -> dict[str, Any]:
    return {"confirm": "on"}


def return_comment(w: World) -> dict[str, Any]:
    return {"comment": "Please add the figures for 2014."}


def confirm(w: World) -> dict[str, Any]:
    return {"confirm": "yes"}


def reopen_reason(w: World) -> dict[str, Any]:
    return {"reason": "The figures for 2014 were revised."}


def new_invitation(w: World) -> dict[str, Any]:
    return {"email": "new.colleague@example.org", "role": "contributor"}


def invitations_file(w: World) -> dict[str, Any]:
    content = b"email,organisation,role\nbulk.person@example.org,AT,viewer\n"
    return {"file": SimpleUploadedFile("people.csv", content, content_type="text/csv")}


def answers_file(w: World) -> dict[str, Any]:
    content = f"organisation,question,row,column,value\nAT,{TEXT_QUESTION},,,IMPORTED-AT\n".encode()
    return {"file": SimpleUploadedFile("answers.csv", content, content_type="text/csv")}


def offline_workbook(w: World) -> dict[str, Any]:
    """State A's offline workbook as downloaded, uploaded back unchanged (the preview then has nothing to save)."""
    from responses.offline.writing import questionnaire_workbook

    content = questionnaire_workbook(survey=w.survey, organisation=w.orgs["AT"], language="en")
    return {"file": SimpleUploadedFile("at.xlsx", content)}


def workbook_upload_of_a(w: World) -> dict[str, Any]:
    """A checked workbook upload of State A's coordinator, waiting for the confirm (only its owner may see it)."""
    from responses.models import WorkbookUpload

    upload, _created = WorkbookUpload.objects.get_or_create(
        owner=w.users["coordinator_a"], response=w.responses["AT"], defaults={"plan": {"entries": [], "problems": []}}
    )
    return {"slug": w.slug, "org_code": "AT", "pk": upload.pk}


def workbook_token(w: World) -> dict[str, Any]:
    from responses.offline.review import plan_review

    return {"token": plan_review(response=w.responses["AT"], plan={"entries": []}).token}


def provisional_build(w: World) -> dict[str, Any]:
    return {"basis": "provisional"}


def language(w: World) -> dict[str, Any]:
    return {"language": "fr", "next": "/"}


def extension(w: World) -> dict[str, Any]:
    return {"until": "2099-12-31", "reason": "Elections delayed the ministry's reply."}


def nothing(w: World) -> dict[str, Any]:
    return {}


# --- the table -------------------------------------------------------------------------------------------------
#
# "staff" is is_staff without is_superuser; the superuser is also is_staff (as createsuperuser makes it).
# Staff read every response but do not answer through the forms (they import answer files): their POSTs to the
# answering forms are refused with 403, like a viewer's.
# The target (default AT) is the organisation whose data the URL is about.

# fmt: off
EXPECTATIONS: dict[str, list[Case]] = {
    #         anon   coordA contrA viewA  coordB ngo    staff  super  no2fa     method URL arguments, POST data, ...
    # Public pages. A draft round is the Office's until it opens.
    "surveys:home": [
        case("ok     ok     ok     ok     ok     ok     ok     ok     otp",     "GET",  no_kwargs),
    ],
    "surveys:survey-questionnaire": [
        case("ok     ok     ok     ok     ok     ok     ok     ok     otp",     "GET",  round_open, label="open"),
        case("denied denied denied denied denied denied ok     ok     otp",     "GET",  round_draft, label="draft"),
    ],
    "set_language": [
        case("ok     ok     ok     ok     ok     ok     ok     ok     ok",     "POST", no_kwargs, data=language),
    ],
    # The JavaScript catalogue (texts of static/js): every page loads it, the login page included.
    "javascript-catalog": [
        case("ok     ok     ok     ok     ok     ok     ok     ok     ok",     "GET",  no_kwargs),
    ],
    # The user's own rounds (test_my_rounds_* checks that only the user's organisations are listed).
    "responses:my-rounds": [
        case("login  ok     ok     ok     ok     ok     ok     ok     otp",     "GET",  no_kwargs),
    ],
    # Where a login lands: a redirect for everyone (staff home, one's questionnaires, or the home page).
    "responses:after-login": [
        case("ok     ok     ok     ok     ok     ok     ok     ok     otp",     "GET",  no_kwargs),
    ],
    # The Office's start page: every round's counts and links.
    "responses:staff-home": [
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  no_kwargs),
    ],
    # A response: its members and the Office read it; nobody else, NGOs included, and no State reads an NGO's.
    "responses:response-home": [
        case("login  ok     ok     ok     denied denied ok     ok     otp",     "GET",  respond("AT"), label="State A"),
        case("login  denied denied denied denied ok     ok     ok     otp",     "GET",  respond("ngo-at"), target="ngo-at", label="NGO in A"),
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  respond("ngo-other"), target="ngo-other", label="other NGO"),
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  respond("AT", draft=True), label="draft round"),
    ],
    "responses:response-section": [
        case("login  ok     ok     ok     denied denied ok     ok     otp",     "GET",  respond("AT", section_code=SECTION), label="State A"),
        case("login  denied denied denied denied ok     ok     ok     otp",     "GET",  respond("ngo-at", section_code=SECTION), target="ngo-at", label="NGO in A"),
        case("login  ok     ok     denied denied denied denied denied otp", "POST", respond("AT", section_code=SECTION), data=changed_text_answer, label="save"),
    ],
    "responses:response-autosave": [
        case("login  ok     ok     denied denied denied denied denied otp", "POST", respond("AT", question_code=TEXT_QUESTION), data=changed_text_answer),
    ],
    "responses:response-review": [
        case("login  ok     ok     ok     denied denied ok     ok     otp",     "GET",  respond("AT")),
    ],
    # Submitting is the coordinator's: GET shows what is sent and asks to confirm; the POST needs the confirm button.
    # The response is incomplete, so the allowed POST redirects back with the missing answers (test_confirmations).
    "responses:response-submit": [
        case("login  ok     denied denied denied denied denied denied otp", "GET",  respond("AT"), label="ask"),
        case("login  ok     denied denied denied denied denied denied otp", "POST", respond("AT"), data=confirm, label="confirm"),
    ],
    # Returning, accepting and reopening are the Office's (GET asks, POST does). The response is not submitted here,
    # so staff are redirected with a message (test_confirmations uses a submitted one).
    "responses:response-return": [
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  respond("AT"), label="ask"),
        case("login  denied denied denied denied denied ok     ok     otp",     "POST", respond("AT"), data=return_comment, label="return"),
    ],
    "responses:response-accept": [
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  respond("AT"), label="ask"),
        case("login  denied denied denied denied denied ok     ok     otp",     "POST", respond("AT"), data=confirm, label="accept"),
    ],
    "responses:response-reopen": [
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  respond("AT"), label="ask"),
        case("login  denied denied denied denied denied ok     ok     otp",     "POST", respond("AT"), data=reopen_reason, label="reopen"),
    ],
    # All of a response's answers on one page, and as a PDF: read like the response (viewers too).
    "responses:response-answers": [
        case("login  ok     ok     ok     denied denied ok     ok     otp",     "GET",  respond("AT"), label="State A"),
        case("login  denied denied denied denied ok     ok     ok     otp",     "GET",  respond("ngo-at"), target="ngo-at", label="NGO in A"),
    ],
    "responses:response-answers-pdf": [
        case("login  ok     ok     ok     denied denied ok     ok     otp",     "GET",  respond("AT"), label="State A"),
        case("login  denied denied denied denied ok     ok     ok     otp",     "GET",  respond("ngo-at"), target="ngo-at", label="NGO in A"),
    ],
    # A deadline extension for one organisation: the Office only.
    "responses:response-extend": [
        case("login  denied denied denied denied denied ok     ok     otp",     "POST", respond("AT"), data=extension),
    ],
    # The history of changes: the Office only, not even the organisation's own members.
    "responses:response-history": [
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  respond("AT"), label="State A"),
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  respond("ngo-at"), target="ngo-at", label="NGO in A"),
    ],
    # Evidence documents: read like the response they belong to, removed by its editors.
    "responses:evidence-download": [
        case("login  ok     ok     ok     denied denied ok     ok     otp",     "GET",  evidence_of("AT"), label="of A"),
        case("login  denied denied denied ok     denied ok     ok     otp",     "GET",  evidence_of("DE"), target="DE", label="of B"),
    ],
    "responses:evidence-delete": [
        case("login  ok     ok     denied denied denied denied denied otp", "POST", evidence_of("AT"), data=nothing),
    ],
    # The offline workbook: read like the response; uploaded by its editors and the Office; an upload's preview and
    # confirm are its uploader's alone.
    "responses:workbook-download": [
        case("login  ok     ok     ok     denied denied ok     ok     otp",     "GET",  respond("AT"), label="State A"),
        case("login  denied denied denied denied ok     ok     ok     otp",     "GET",  respond("ngo-at"), target="ngo-at", label="NGO in A"),
    ],
    "responses:workbook-upload": [
        case("login  ok     ok     denied denied denied ok     ok     otp",     "GET",  respond("AT")),
        case("login  ok     ok     denied denied denied ok     ok     otp",     "POST", respond("AT"), data=offline_workbook),
    ],
    "responses:workbook-preview": [
        case("login  ok     denied denied denied denied denied denied otp", "GET",  workbook_upload_of_a),
        case("login  ok     denied denied denied denied denied denied otp", "POST", workbook_upload_of_a, data=workbook_token),
    ],
    # Copying the previous round's answers: the organisation's editors.
    "responses:response-prefill": [
        case("login  ok     ok     denied denied denied denied denied otp",     "POST", respond("AT"), data=nothing),
    ],
    # People and invitations: the organisation's coordinators and the Office.
    "accounts:people-invitations": [
        case("login  ok     denied denied denied denied ok     ok     otp",     "GET",  organisation("AT"), label="State A"),
        case("login  ok     denied denied denied denied ok     ok     otp",     "POST", organisation("AT"), data=new_invitation, label="invite"),
        case("login  denied denied denied denied ok     ok     ok     otp",     "GET",  organisation("ngo-at"), target="ngo-at", label="NGO in A"),
    ],
    "accounts:invitation-resend": [
        case("login  ok     denied denied denied denied ok     ok     otp",     "POST", invitation, data=nothing),
    ],
    "accounts:invitation-revoke": [
        case("login  ok     denied denied denied denied ok     ok     otp",     "POST", invitation, data=nothing),
    ],
    # The token is the credential: whoever holds the link sees whom it invites to which organisation.
    "accounts:invitation-accept": [
        case("ok     ok     ok     ok     ok     ok     ok     ok     otp",     "GET",  invitation_token),
    ],
    # Office pages.
    "responses:staff-responses": [
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  round_open),
    ],
    "accounts:invitations-bulk": [
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  no_kwargs),
        case("login  denied denied denied denied denied ok     ok     otp",     "POST", no_kwargs, data=invitations_file),
    ],
    "responses:staff-import-responses": [
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  round_open),
        case("login  denied denied denied denied denied ok     ok     otp",     "POST", round_open, data=answers_file),
    ],
    # Report dashboards (reports app): the Office only. The provisional report counts in-progress answers, so it
    # holds every organisation's data.
    "reports:dashboard-round": [
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  round_open, query=PROVISIONAL),
    ],
    "reports:dashboard-area": [
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  area("GEN"), query=PROVISIONAL),
    ],
    "reports:dashboard-question": [
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  question(TEXT_QUESTION), query=PROVISIONAL),
    ],
    "reports:dashboard-commitments": [
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  round_open, query=PROVISIONAL),
    ],
    "reports:dashboard-country": [
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  country("AT"), query=PROVISIONAL),
    ],
    "reports:report-build": [
        case("login  denied denied denied denied denied ok     ok     otp",     "POST", round_open, data=provisional_build),
    ],
    "reports:report-run": [
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  report_run),
    ],
    "reports:excel-export-start": [
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  round_open),
        case("login  denied denied denied denied denied ok     ok     otp",     "POST", round_open, data=lambda w: {"language": "en"}),
    ],
    "reports:excel-export-status": [
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  lambda w: {"pk": w.excel_export.pk}),
    ],
    "reports:excel-export-download": [
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  lambda w: {"pk": w.excel_export.pk}),
    ],
    "reports:data-export-start": [
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  round_open),
        case("login  denied denied denied denied denied ok     ok     otp",     "POST", round_open, data=lambda w: {"layout": "wide", "respondents": "both", "file_format": "csv", "language": "en"}),
    ],
    "reports:data-export-download": [
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  lambda w: {"pk": w.data_export.pk}),
    ],
    # Only a provisional report is built in this world: a draft asked for succeeds on that basis.
    "reports:draft-report-start": [
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  round_open),
        case("login  denied denied denied denied denied ok     ok     otp",     "POST", round_open, data=lambda w: {"language": "en", "include_in_progress": "on"}),
    ],
    "reports:draft-report-status": [
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  lambda w: {"pk": w.draft_report.pk}),
    ],
    "reports:draft-report-download": [
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  lambda w: {"pk": w.draft_report.pk}),
    ],
    # Publishing a round's results (reports/publication/): the Office only. The world's round is open, so
    # publishing it would be refused: the publish POST is made on a closed round with a final report.
    "reports:publication-manage": [
        case("login  denied denied denied denied denied ok     ok     otp",     "GET",  round_open),
        case("login  denied denied denied denied denied ok     ok     otp",     "POST", round_closed, data=confirmed),
    ],
    "reports:publication-withdraw": [
        case("login  denied denied denied denied denied ok     ok     otp",     "POST", round_open, data=confirmed),
    ],
    # The published results: anyone, without logging in (staff who have not given their code yet are sent to the
    # code page, as from every page).
    "reports:public-results": [
        case("ok     ok     ok     ok     ok     ok     ok     ok     otp",     "GET",  no_kwargs),
    ],
    "reports:public-round": [
        case("ok     ok     ok     ok     ok     ok     ok     ok     otp",     "GET",  round_open),
    ],
    "responses:reminder-send": [
        case("login  denied denied denied denied denied ok     ok     otp",     "POST", respond("AT"), data=nothing),
    ],
    # Two-factor authentication pages. Staff may not turn it off. Someone without an app who opens the code page
    # is sent on (ok); staff_no_otp may open only the code page (the setup page sends them there too).
    "accounts:twofactor-account": [
        case("login  ok     ok     ok     ok     ok     ok     ok     otp",     "GET",  no_kwargs),
    ],
    "accounts:twofactor-setup": [
        case("login  ok     ok     ok     ok     ok     ok     ok     otp",     "GET",  no_kwargs),
    ],
    "accounts:twofactor-verify": [
        case("login  ok     ok     ok     ok     ok     ok     ok     ok",      "GET",  no_kwargs),
    ],
    "accounts:twofactor-backup-codes": [
        case("login  ok     ok     ok     ok     ok     ok     ok     otp",     "POST", no_kwargs, data=nothing),
    ],
    "accounts:twofactor-turn-off": [
        case("login  ok     ok     ok     ok     ok     denied denied otp",     "POST", no_kwargs, data=nothing),
    ],
    # API tokens (accounts/api_tokens.py): staff and coordinators; making one needs a login confirmed with the second
    # factor, which the test's coordinators have not set up (403; api/tests/test_token_pages.py makes one with it).
    "accounts:api-tokens": [
        case("login  ok     denied denied ok     ok     ok     ok     otp",     "GET",  no_kwargs),
        case("login  denied denied denied denied denied ok     ok     otp",     "POST", no_kwargs, data=lambda w: {"name": "Power BI"}, label="make"),
    ],
    # Revoking one's own token; anyone else's is not found (api/tests/test_token_pages.py).
    "accounts:api-token-revoke": [
        case("login  denied denied denied denied denied ok     denied otp",     "POST", lambda w: {"pk": w.api_tokens["staff"].pk}, data=nothing, label="staff's"),
        case("login  denied denied denied denied denied denied denied otp",     "POST", lambda w: {"pk": w.api_tokens["coordinator_a"].pk}, data=nothing, label="coordinator's"),
    ],
    # The API (api/): here with the browser's login; tokens read under the same policy (api/tests/). Without a
    # login: 401. Members read their own organisation's rows only (the matrix checks no other's answer shows);
    # reports are the Office's.
    "api:rounds": [
        case("denied ok     ok     ok     ok     ok     ok     ok     otp",     "GET",  no_kwargs),
    ],
    "api:questions": [
        case("denied ok     ok     ok     ok     ok     ok     ok     otp",     "GET",  no_kwargs, query="?round=thb-2016&page_size=5"),
    ],
    "api:organisations": [
        case("denied ok     ok     ok     ok     ok     ok     ok     otp",     "GET",  no_kwargs),
    ],
    "api:responses": [
        case("denied ok     ok     ok     ok     ok     ok     ok     otp",     "GET",  no_kwargs),
    ],
    "api:answers": [
        case("denied ok     ok     ok     ok     ok     ok     ok     otp",     "GET",  no_kwargs, query="?page_size=1000"),
    ],
    "api:round-report": [
        case("denied denied denied denied denied denied ok     ok     otp",     "GET",  round_open, query="?basis=provisional"),
    ],
    "api:schema": [
        case("denied ok     ok     ok     ok     ok     ok     ok     otp",     "GET",  no_kwargs),
    ],
    "api:docs": [
        case("login  ok     ok     ok     ok     ok     ok     ok     otp",     "GET",  no_kwargs),
    ],
    # Django admin's own pages (the model pages are generated below, ADMIN_MODEL_PAGES): only staff whose login is
    # verified with the second factor; the others go to the login page (the admin's, which sends on to the site's).
    # "staff" has no model permissions: the index opens, everything about data is refused (403/404).
    "admin:index": [
        case("login  login  login  login  login  login  ok     ok     otp",     "GET",  no_kwargs),
    ],
    "admin:login": [
        case("login  login  login  login  login  login  ok     ok     otp",     "GET",  no_kwargs),
    ],
    # Logging out is always possible (for someone not logged in to the admin it just leads to its index).
    "admin:logout": [
        case("ok     ok     ok     ok     ok     ok     ok     ok     ok",      "POST", no_kwargs, data=nothing),
    ],
    "admin:password_change": [
        case("login  login  login  login  login  login  ok     ok     otp",     "GET",  no_kwargs),
    ],
    "admin:password_change_done": [
        case("login  login  login  login  login  login  ok     ok     otp",     "GET",  no_kwargs),
    ],
    "admin:jsi18n": [
        case("login  login  login  login  login  login  ok     ok     otp",     "GET",  no_kwargs),
    ],
    # Autocomplete of a membership's person: only with view permission on people.
    "admin:autocomplete": [
        case("login  login  login  login  login  login  denied ok     otp",     "GET",  no_kwargs, query=AUTOCOMPLETE),
    ],
    # "View on site": no model of ours has a public page, so even the superuser gets 404.
    "admin:view_on_site": [
        case("login  login  login  login  login  login  denied denied otp",     "GET",  view_on_site),
    ],
    "admin:app_list": [
        case("login  login  login  login  login  login  denied ok     otp",     "GET",  lambda w: {"app_label": "responses"}),
    ],
    "admin:auth_user_password_change": [
        case("login  login  login  login  login  login  denied ok     otp",     "GET",  lambda w: {"id": w.users["coordinator_a"].pk}),
    ],
    # An authenticator app's key (as QR code): someone who sees it can make that person's codes.
    "admin:otp_totp_totpdevice_config": [
        case("login  login  login  login  login  login  denied ok     otp",     "GET",  staff_device),
    ],
    "admin:otp_totp_totpdevice_qrcode": [
        case("login  login  login  login  login  login  denied ok     otp",     "GET",  staff_device),
    ],
    "admin:surveys_survey_clone": [
        case("login  login  login  login  login  login  denied ok     otp",     "GET",  lambda w: {"pk": w.survey.pk}),
    ],
    # Django's auth views: once, anonymously.
    "login":                   [case(anonymous_only(OK),    "GET",  no_kwargs)],
    "logout":                  [case(anonymous_only(OK),    "POST", no_kwargs, data=nothing)],
    "password_change":         [case(anonymous_only(LOGIN), "GET",  no_kwargs)],
    "password_change_done":    [case(anonymous_only(LOGIN), "GET",  no_kwargs)],
    "password_reset":          [case(anonymous_only(OK),    "GET",  no_kwargs)],
    "password_reset_done":     [case(anonymous_only(OK),    "GET",  no_kwargs)],
    "password_reset_confirm":  [case(anonymous_only(OK),    "GET",  bad_reset_link)],  # the "invalid link" page
    "password_reset_complete": [case(anonymous_only(OK),    "GET",  no_kwargs)],
}
# fmt: on


def _admin_model_pages() -> dict[str, list[Case]]:
    """Every model page of the admin (list, add, change, history, delete of each registered model), tried with GET
    on an existing object: refused to everyone but verified staff with the permission. The superuser's outcome is
    what the model's admin allows (answers and their history are read-only: add, delete → 403)."""
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = get_user_model()(is_staff=True, is_superuser=True, is_active=True)
    pages: dict[str, list[Case]] = {}
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        allowed = {
            "changelist": model_admin.has_view_or_change_permission(request),
            "add": model_admin.has_add_permission(request),
            "change": model_admin.has_view_or_change_permission(request),
            "history": model_admin.has_view_or_change_permission(request),
            "delete": model_admin.has_delete_permission(request),
        }
        for action, ok in allowed.items():
            superuser = OK if ok else DENIED
            expect = dict(zip(ROLES, [LOGIN] * 6 + [DENIED, superuser, OTP], strict=True))
            kwargs = no_kwargs if action in ("changelist", "add") else object_of(model)
            pages[f"admin:{opts.app_label}_{opts.model_name}_{action}"] = [Case("GET", kwargs, expect)]
    return pages


ADMIN_MODEL_PAGES = _admin_model_pages()
for _name, _cases in ADMIN_MODEL_PAGES.items():
    EXPECTATIONS.setdefault(_name, _cases)


# --- fixtures --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Built once for the module inside a transaction rolled back at its end; each test adds a savepoint."""
    media = tmp_path_factory.mktemp("access-media")
    with override_settings(MEDIA_ROOT=str(media)):
        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
        try:
            with django_db_blocker.unblock():
                built = build_world()
            yield built
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)


@pytest.fixture
def w(world: World, db: None) -> World:
    restore_evidence_files(world)
    return world


# --- completeness of the table ---------------------------------------------------------------------------------


def _project_url_names() -> tuple[set[str], list[str]]:
    names, unnamed = set(), []
    for name, route in walk_patterns():
        if name is None:
            if not route.startswith("admin/"):
                unnamed.append(route)
        else:
            names.add(name)
    return names, unnamed


def test_every_url_has_expectations() -> None:
    names, unnamed = _project_url_names()
    missing = sorted(names - EXPECTATIONS.keys())
    assert not missing, (
        f"URL names without access expectations: {', '.join(missing)}. Add each to EXPECTATIONS in "
        "tests/test_access.py with the method(s), arguments, POST data and the expected outcome for every role."
    )
    assert not unnamed, f"URL patterns without a name cannot be checked for access; name them: {unnamed}"


def test_expectations_name_only_existing_urls() -> None:
    names, _unnamed = _project_url_names()
    stale = sorted(EXPECTATIONS.keys() - names)
    assert not stale, f"EXPECTATIONS lists URL names the project no longer has: {stale}"


def test_every_case_covers_every_role() -> None:
    auth_views = {
        "login",
        "logout",
        "password_change",
        "password_change_done",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
    }
    for name, cases in EXPECTATIONS.items():
        assert cases, name
        for entry in cases:
            assert entry.method in ("GET", "POST"), (name, entry.method)
            expected_roles = {"anonymous"} if name in auth_views else set(ROLES)
            assert set(entry.expect) == expected_roles, f"{name} {entry.label}: roles {sorted(entry.expect)}"


# --- the matrix ------------------------------------------------------------------------------------------------


# The organisation whose data each non-staff role may see (anonymous: none).
OWN_ORGANISATION = {
    "anonymous": None,
    "coordinator_a": "AT",
    "contributor_a": "AT",
    "viewer_a": "AT",
    "coordinator_b": "DE",
    "ngo_coordinator": "ngo-at",
}


def _matrix() -> Iterator[Any]:
    for name, cases in EXPECTATIONS.items():
        for entry in cases:
            for role, outcome in entry.expect.items():
                label = f"-{entry.label.replace(' ', '_')}" if entry.label else ""
                yield pytest.param(name, entry, role, outcome, id=f"{name}{label}-{entry.method}-{role}")


def _request(w: World, role: str, name: str, entry: Case) -> tuple[Any, bytes]:
    client = client_for(w, role)
    url = reverse(name, kwargs=entry.kwargs(w)) + entry.query
    data = entry.data(w) if entry.data else {}
    response = client.get(url) if entry.method == "GET" else client.post(url, data=data)
    return response, body_of(response)


@pytest.mark.parametrize(("name", "entry", "role", "expected"), list(_matrix()))
def test_access(w: World, name: str, entry: Case, role: str, expected: str) -> None:
    before = snapshot()
    response, body = _request(w, role, name, entry)
    outcome = classify(response)
    if expected == OK_OR_DENIED_BY_STATE:
        assert outcome in (OK, DENIED), f"{role} {entry.method} {name}: {describe(response)}"
    else:
        assert outcome == expected, f"{role} {entry.method} {name}: expected {expected}, got {describe(response)}"
    if outcome in (DENIED, LOGIN):
        shown = leaked(body, w, entry.target)
        assert not shown, f"{role} {entry.method} {name} was refused ({describe(response)}) but shows {shown}"
        assert snapshot() == before, f"{role} {entry.method} {name} was refused but changed the database"
    elif role in OWN_ORGANISATION:
        shown = foreign_data(body, w, OWN_ORGANISATION[role])
        assert not shown, f"{role} {entry.method} {name} shows another organisation's data: {shown}"


# --- specific checks -------------------------------------------------------------------------------------------


def _get(w: World, role: str, name: str, **kwargs: Any) -> tuple[Any, str]:
    response = client_for(w, role).get(reverse(name, kwargs=kwargs))
    return response, body_of(response).decode()


def _post(w: World, role: str, name: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    response = client_for(w, role).post(reverse(name, kwargs=kwargs), data=data or {})
    body_of(response)
    return response


def _status(w: World, org: str = "AT") -> str:
    return Response.objects.get(pk=w.responses[org].pk).status


def test_my_rounds_lists_only_the_users_organisations(w: World) -> None:
    response, page = _get(w, "coordinator_a", "responses:my-rounds")
    assert response.status_code == 200
    assert "Austria" in page
    assert reverse("responses:response-home", args=[w.slug, "AT"]) in page
    assert "Germany" not in page
    for code in ("DE", "ngo-at", "ngo-other"):
        assert reverse("responses:response-home", args=[w.slug, code]) not in page

    response, page = _get(w, "ngo_coordinator", "responses:my-rounds")
    assert response.status_code == 200
    assert "Stop Trafficking Vienna" in page
    assert reverse("responses:response-home", args=[w.slug, "ngo-at"]) in page
    for code in ("AT", "DE", "ngo-other"):
        assert reverse("responses:response-home", args=[w.slug, code]) not in page


def test_staff_responses_list_shows_every_organisation(w: World) -> None:
    for role in ("staff", "superuser"):
        response, page = _get(w, role, "responses:staff-responses", slug=w.slug)
        assert response.status_code == 200
        for code, org in w.orgs.items():
            assert org.name in page, (role, code)
            assert reverse("responses:response-home", args=[w.slug, code]) in page, (role, code)


def test_members_read_their_own_answer_and_staff_read_all(w: World) -> None:
    for role in ("coordinator_a", "contributor_a", "viewer_a", "staff"):
        response, page = _get(w, role, "responses:response-section", slug=w.slug, org_code="AT", section_code=SECTION)
        assert response.status_code == 200
        assert SECRETS["AT"] in page, role
        for other in ("DE", "ngo-at", "ngo-other"):
            assert SECRETS[other] not in page, (role, other)
    response, page = _get(
        w, "staff", "responses:response-section", slug=w.slug, org_code="ngo-other", section_code=SECTION
    )
    assert response.status_code == 200
    assert SECRETS["ngo-other"] in page


def test_ngo_cannot_open_its_states_response_nor_another_ngos(w: World) -> None:
    for org in ("AT", "ngo-other"):
        for name, extra in (
            ("responses:response-home", {}),
            ("responses:response-section", {"section_code": SECTION}),
            ("responses:response-review", {}),
            ("responses:response-history", {}),
        ):
            response, page = _get(w, "ngo_coordinator", name, slug=w.slug, org_code=org, **extra)
            assert response.status_code == 404, (org, name)
            assert SECRETS[org] not in page
            assert w.orgs[org].name not in page
    # Its own answers it does read.
    response, page = _get(
        w, "ngo_coordinator", "responses:response-section", slug=w.slug, org_code="ngo-at", section_code=SECTION
    )
    assert response.status_code == 200
    assert SECRETS["ngo-at"] in page


def test_states_cannot_open_an_ngos_response(w: World) -> None:
    for role in ("coordinator_a", "viewer_a", "coordinator_b"):
        response, page = _get(
            w, role, "responses:response-section", slug=w.slug, org_code="ngo-at", section_code=SECTION
        )
        assert response.status_code == 404, role
        assert SECRETS["ngo-at"] not in page


def test_evidence_of_another_state_is_not_found(w: World) -> None:
    response = client_for(w, "coordinator_a").get(reverse("responses:evidence-download", args=[w.evidence["DE"].pk]))
    body = body_of(response)
    assert response.status_code == 404
    assert w.evidence_bytes["DE"] not in body
    # The owner's coordinator and staff do get the file.
    for role in ("coordinator_b", "staff"):
        response = client_for(w, role).get(reverse("responses:evidence-download", args=[w.evidence["DE"].pk]))
        assert response.status_code == 200
        assert body_of(response) == w.evidence_bytes["DE"]


def test_history_is_for_staff_only(w: World) -> None:
    response, page = _get(w, "anonymous", "responses:response-history", slug=w.slug, org_code="AT")
    assert classify(response) == LOGIN
    for role in ("coordinator_a", "contributor_a", "viewer_a", "coordinator_b", "ngo_coordinator"):
        response, page = _get(w, role, "responses:response-history", slug=w.slug, org_code="AT")
        assert response.status_code == 404, role
        assert SECRETS["AT"] not in page
    response, page = _get(w, "staff", "responses:response-history", slug=w.slug, org_code="AT")
    assert response.status_code == 200
    assert SECRETS["AT"] in page


def _autosave(w: World, role: str, org: str = "AT") -> Any:
    return _post(
        w,
        role,
        "responses:response-autosave",
        changed_text_answer(w, org),
        slug=w.slug,
        org_code=org,
        question_code=TEXT_QUESTION,
    )


def _answer_state(w: World) -> tuple[Any, ...]:
    return (
        Answer.objects.count(),
        AnswerChange.objects.count(),
        list(Answer.objects.order_by("pk").values_list("value_text", "version")),
        list(Response.objects.order_by("pk").values_list("status", "last_activity_at")),
    )


def test_autosave_by_a_viewer_is_refused_and_changes_nothing(w: World) -> None:
    before = _answer_state(w)
    response = _autosave(w, "viewer_a")
    assert response.status_code == 403
    assert _answer_state(w) == before
    assert w.answer("AT").value_text == SECRETS["AT"]


def test_autosave_by_another_states_coordinator_is_not_found_and_changes_nothing(w: World) -> None:
    before = _answer_state(w)
    response = _autosave(w, "coordinator_b")
    assert response.status_code == 404
    assert _answer_state(w) == before
    assert w.answer("AT").value_text == SECRETS["AT"]


def test_the_same_autosave_by_a_contributor_saves(w: World) -> None:
    """The control for the two tests above: their POST is a valid save."""
    response = _autosave(w, "contributor_a")
    assert response.status_code == 200
    assert w.answer("AT").value_text == "CHANGED-AT"


def test_section_post_by_a_viewer_or_staff_changes_nothing(w: World) -> None:
    for role in ("viewer_a", "staff", "coordinator_b", "ngo_coordinator"):
        before = _answer_state(w)
        response = _post(
            w,
            role,
            "responses:response-section",
            changed_text_answer(w),
            slug=w.slug,
            org_code="AT",
            section_code=SECTION,
        )
        assert response.status_code in (403, 404), role
        assert _answer_state(w) == before, role
    response = _post(
        w,
        "coordinator_a",
        "responses:response-section",
        changed_text_answer(w),
        slug=w.slug,
        org_code="AT",
        section_code=SECTION,
    )
    assert response.status_code == 302
    assert w.answer("AT").value_text == "CHANGED-AT"


def test_evidence_delete_by_others_changes_nothing(w: World) -> None:
    for role, status in (("viewer_a", 403), ("coordinator_b", 404), ("ngo_coordinator", 404), ("staff", 403)):
        response = _post(w, role, "responses:evidence-delete", pk=w.evidence["AT"].pk)
        assert response.status_code == status, role
        assert Evidence.objects.filter(pk=w.evidence["AT"].pk).exists()
    response = _post(w, "contributor_a", "responses:evidence-delete", pk=w.evidence["AT"].pk)
    assert response.status_code == 302
    assert not Evidence.objects.filter(pk=w.evidence["AT"].pk).exists()


@pytest.fixture
def complete(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every response counts as complete, so that only permission stands between a POST and a submission."""

    monkeypatch.setattr(
        "responses.services.response_progress", lambda *args, **kwargs: SimpleNamespace(complete=True, missing=[])
    )


@pytest.mark.usefixtures("complete")
def test_submit_by_a_contributor_or_viewer_is_refused_and_status_unchanged(w: World) -> None:
    for role in ("contributor_a", "viewer_a", "coordinator_b", "ngo_coordinator", "staff"):
        events = ResponseEvent.objects.count()
        response = _post(w, role, "responses:response-submit", {"confirm": "yes"}, slug=w.slug, org_code="AT")
        assert response.status_code in (403, 404), role
        assert _status(w) == Response.Status.IN_PROGRESS, role
        assert ResponseEvent.objects.count() == events
    response = _post(w, "coordinator_a", "responses:response-submit", {"confirm": "yes"}, slug=w.slug, org_code="AT")
    assert response.status_code == 302
    assert _status(w) == Response.Status.SUBMITTED


def test_return_accept_and_reopen_by_a_coordinator_are_not_found(w: World) -> None:
    Response.objects.filter(pk=w.responses["AT"].pk).update(status=Response.Status.SUBMITTED)
    for role in ("coordinator_a", "coordinator_b", "ngo_coordinator"):
        for name, data in (
            ("responses:response-return", {"comment": "Not good enough"}),
            ("responses:response-accept", {"confirm": "yes"}),
            ("responses:response-reopen", {"reason": "Please look again"}),
        ):
            response = _post(w, role, name, data, slug=w.slug, org_code="AT")
            assert response.status_code == 404, (role, name)
            assert _status(w) == Response.Status.SUBMITTED
            assert not ResponseEvent.objects.filter(response=w.responses["AT"]).exists()
    response = _post(w, "staff", "responses:response-accept", {"confirm": "yes"}, slug=w.slug, org_code="AT")
    assert response.status_code == 302
    assert _status(w) == Response.Status.ACCEPTED


def test_invitations_of_another_organisation_cannot_be_managed(w: World) -> None:
    assert w.invitation is not None
    before = list(Invitation.objects.values_list("pk", "token_hash", "revoked_at"))
    for role in ("coordinator_b", "ngo_coordinator", "contributor_a", "viewer_a"):
        for name in ("accounts:invitation-resend", "accounts:invitation-revoke"):
            assert _post(w, role, name, pk=w.invitation.pk).status_code == 404, (role, name)
        response, page = _get(w, role, "accounts:people-invitations", code="AT")
        assert response.status_code == 404
        assert "invitee.at@example.org" not in page
    assert list(Invitation.objects.values_list("pk", "token_hash", "revoked_at")) == before


def test_a_deactivated_member_is_logged_out(w: World) -> None:
    client = client_for(w, "coordinator_a")
    type(w.users["coordinator_a"]).objects.filter(pk=w.users["coordinator_a"].pk).update(is_active=False)
    response = client.get(reverse("responses:response-home", args=[w.slug, "AT"]))
    page = body_of(response).decode()
    assert classify(response) == LOGIN
    assert SECRETS["AT"] not in page


def test_dashboards_show_every_answer_to_staff_and_nothing_to_members(w: World) -> None:
    url = reverse("reports:dashboard-question", args=[w.slug, TEXT_QUESTION]) + PROVISIONAL
    response = client_for(w, "staff").get(url)
    page = body_of(response).decode()
    assert response.status_code == 200
    for secret in SECRETS.values():
        assert secret in page  # so that the refusals below have something to withhold
    for role in ("coordinator_a", "viewer_a", "coordinator_b", "ngo_coordinator"):
        response = client_for(w, role).get(url)
        page = body_of(response).decode()
        assert response.status_code == 404, role
        assert not [secret for secret in SECRETS.values() if secret in page], role
