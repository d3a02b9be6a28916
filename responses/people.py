"""People and organisations: reading CSV/XLSX tables, importing the directory of organisations, users, memberships
and invitations.

Tables (`read_table`, `table_from_bytes`, `table_columns`) hold a whole file as text; the reading itself (encodings,
workbooks, formulas, limits) is in responses.tables, shared with the answer import. Every other function is a service (keyword-only, typed) that checks everything first and then writes in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .auth import normalise_email
from .models import Invitation, Membership, Organisation, Role
from .tables import TableError as TableError  # re-exported: the people services raise it
from .tables import TableOptions, open_table

logger = logging.getLogger(__name__)

# --- tables: CSV and XLSX (read by responses.tables) -----------------------------------------------------------

MAX_TABLE_BYTES = 50 * 1024 * 1024  # a CSV file, or the unpacked content of an XLSX workbook
MAX_TABLE_ROWS = 100_000


@dataclass
class TableRow:
    number: int  # the row in the file or sheet; the header is row 1
    values: dict[str, str]  # column -> text, stripped; "" for an empty cell

    def __getitem__(self, column: str) -> str:
        return self.values[column]

    def get(self, column: str, default: str = "") -> str:
        return self.values.get(column, default)


@dataclass
class Table:
    header: list[str]  # column names as written in row 1 (stripped)
    rows: list[TableRow]  # non-empty rows only, in file order


def row_problem(number: int, reason: str) -> str:
    return _("row %(row)d: %(reason)s") % {"row": number, "reason": reason}


def _options() -> TableOptions:
    return TableOptions(typed=False, max_bytes=MAX_TABLE_BYTES, max_unpacked=MAX_TABLE_BYTES, max_rows=MAX_TABLE_ROWS)


def read_table(path: str | Path) -> Table:
    """Read a .csv (UTF-8, with or without BOM) or .xlsx file (first sheet) into a Table of texts.

    Raises TableError for a missing, too large, unreadable or wrongly encoded file, and for cells holding
    formulas (every such cell is reported); see responses.tables.
    """
    path = Path(path)
    if not path.is_file():
        raise TableError(_("%(path)s: no such file") % {"path": path})
    return _table(path, path.name)


def table_from_bytes(data: bytes, *, filename: str) -> Table:
    """Like read_table, for content already in memory (an upload); `filename` chooses CSV or XLSX by its suffix."""
    return _table(data, filename)


def _table(source: str | Path | bytes, filename: str) -> Table:
    problems: list[str] = []
    rows: list[TableRow] = []
    with open_table(source, filename, _options()) as reader:
        header = _header(list(reader.header), problems) if reader.header else None
        if header is None:
            problems.extend(reader.problems)
            raise TableError(problems or _("the file is empty; row 1 must name the columns"))
        width = len(header)
        for number, texts in reader:
            if not any(texts):
                continue
            if any(texts[width:]):
                problems.append(row_problem(number, _("more cells than there are columns in the header")))
                continue
            texts += [""] * (width - len(texts))
            rows.append(TableRow(number, {name: text for name, text in zip(header, texts, strict=False) if name}))
        problems.extend(reader.problems)
    if problems:
        problems.sort(key=_row_of)
        raise TableError(problems)
    return Table([name for name in header if name], rows)


def _row_of(problem: str) -> int:
    match = re.match(r"row (\d+):", problem)
    return int(match.group(1)) if match else 0


def _header(texts: list[str], problems: list[str]) -> list[str]:
    # Trailing empty header cells are dropped; an empty name in the middle keeps its place but is ignored.
    while texts and not texts[-1]:
        texts.pop()
    seen: set[str] = set()
    for name in texts:
        if name and name.casefold() in seen:
            problems.append(row_problem(1, _("column “%(name)s” appears twice") % {"name": name}))
        seen.add(name.casefold())
    return texts


def table_columns(
    table: Table, *, required: Sequence[str], optional: Sequence[str] = (), allow_other: bool = False
) -> Table:
    """The table with its columns renamed to the expected names (matched case-insensitively).

    Raises TableError naming every missing column, and (unless allow_other) every column that is not expected.
    """
    expected = {name.casefold(): name for name in (*required, *optional)}
    rename: dict[str, str] = {}
    unknown: list[str] = []
    for name in table.header:
        wanted = expected.get(name.casefold())
        if wanted is None:
            unknown.append(name)
        else:
            rename[name] = wanted
    problems = []
    missing = [name for name in required if name not in rename.values()]
    if missing:
        problems.append(row_problem(1, _("missing column(s): %(names)s") % {"names": ", ".join(missing)}))
    if unknown and not allow_other:
        problems.append(
            row_problem(
                1,
                _("unknown column(s): %(names)s (expected %(expected)s)")
                % {"names": ", ".join(unknown), "expected": ", ".join((*required, *optional))},
            )
        )
    if problems:
        raise TableError(problems)
    header = [rename.get(name, name) for name in table.header]
    rows = [TableRow(row.number, {rename.get(k, k): v for k, v in row.values.items()}) for row in table.rows]
    return Table(header, rows)


# --- the directory of organisations ---------------------------------------------------------------------------

STATE_CODE_RE = re.compile(r"^[A-Z]{2}$")
NGO_CODE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KINDS = {
    "state": Organisation.Kind.STATE,
    "participating state": Organisation.Kind.STATE,
    "partner": Organisation.Kind.PARTNER,
    "partner for co-operation": Organisation.Kind.PARTNER,
    "ngo": Organisation.Kind.NGO,
}
ORGANISATION_COLUMNS = ("code", "name", "kind", "country")


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)  # codes
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged") % {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
        }


@dataclass
class _OrgRow:
    number: int
    code: str
    name: str
    kind: str
    country_code: str | None
    aliases: list[str] | None  # None: keep the aliases the organisation has


def organisations_import(*, table: Table) -> ImportResult:
    """Create or update organisations from a table with columns code, name, kind, country (and optional aliases).

    Every row is checked first; on any problem TableError lists them all (`row N: reason`) and nothing is written.
    An empty aliases cell keeps the aliases an organisation has; a filled one replaces them (`;`-separated).
    Importing the same table twice changes nothing the second time.
    """
    rows = _organisation_rows(table_columns(table, required=ORGANISATION_COLUMNS, optional=("aliases",)))
    result = ImportResult()
    order = {Organisation.Kind.STATE: 0, Organisation.Kind.PARTNER: 1, Organisation.Kind.NGO: 2}
    with transaction.atomic():
        by_code = {org.code: org for org in Organisation.objects.select_for_update().all()}
        for row in sorted(rows, key=lambda r: (order[Organisation.Kind(r.kind)], r.number)):
            country = by_code[row.country_code] if row.country_code else None
            org = by_code.get(row.code)
            aliases = row.aliases if row.aliases is not None else (org.aliases if org else [])
            if org is None:
                org = Organisation.objects.create(
                    code=row.code, name=row.name, kind=row.kind, country=country, aliases=aliases
                )
                by_code[org.code] = org
                result.created.append(org.code)
                continue
            wanted = {"name": row.name, "country_id": country.pk if country else None, "aliases": aliases}
            if all(getattr(org, key) == value for key, value in wanted.items()):
                result.unchanged.append(org.code)
                continue
            for key, value in wanted.items():
                setattr(org, key, value)
            org.save(update_fields=[*wanted, "updated_at"])
            result.updated.append(org.code)
    return result


def _organisation_rows(table: Table) -> list[_OrgRow]:
    problems: list[str] = []
    existing = {org.code: org for org in Organisation.objects.all()}
    # Names, codes and aliases of the participating States: in the database, and added by this file.
    states: dict[str, str] = {}
    for org in existing.values():
        if org.kind == Organisation.Kind.STATE:
            for key in (org.code, org.name, *org.aliases):
                states.setdefault(key.casefold(), org.code)
    for row in table.rows:
        if _kind(row.get("kind")) == Organisation.Kind.STATE and STATE_CODE_RE.match(row.get("code")):
            for key in (row.get("code"), row.get("name")):
                if key:
                    states.setdefault(key.casefold(), row.get("code"))
    lookup = {key: org for org in existing.values() for key in (org.code.casefold(), org.name.casefold())}

    seen: dict[str, int] = {}
    parsed: list[_OrgRow] = []
    for row in table.rows:
        before = len(problems)

        def fail(reason: str, number: int = row.number) -> None:
            problems.append(row_problem(number, reason))

        code, name, kind_text, country_text = (row.get(column) for column in ORGANISATION_COLUMNS)
        kind = _kind(kind_text)
        if not code:
            fail(_("the code is empty"))
        elif code in seen:
            fail(_("code “%(code)s” appears twice in the file (row %(first)d)") % {"code": code, "first": seen[code]})
        else:
            seen[code] = row.number
        if not name:
            fail(_("the name is empty"))
        elif len(name) > 200:
            fail(_("the name is longer than 200 characters"))
        if kind is None:
            fail(
                _("unknown kind “%(kind)s” (use state, partner or ngo)") % {"kind": kind_text}
                if kind_text
                else _("the kind is empty (use state, partner or ngo)")
            )
        country_code: str | None = None
        if kind == Organisation.Kind.NGO:
            if code and not NGO_CODE_RE.match(code):
                fail(
                    _("an NGO code must be lowercase letters, digits and hyphens, e.g. la-strada-ua (not “%(code)s”)")
                    % {"code": code}
                )
            elif len(code) > 60:
                fail(_("the code is longer than 60 characters"))
            if not country_text:
                fail(_("an NGO needs a country: the participating State it works in"))
            else:
                country_code = states.get(country_text.casefold())
                if country_code is None:
                    other = lookup.get(country_text.casefold()) or _by_alias(existing, country_text)
                    if other is not None:
                        fail(_("country “%(country)s” is not a participating State") % {"country": country_text})
                    else:
                        fail(_("unknown country “%(country)s”") % {"country": country_text})
        elif kind is not None:
            if code and not STATE_CODE_RE.match(code):
                fail(
                    _("the code of a State or Partner is two capital letters (ISO 3166), not “%(code)s”")
                    % {"code": code}
                )
            if country_text:
                fail(_("only NGOs have a country; leave it empty for States and Partners"))
        current = existing.get(code)
        if current is not None and kind is not None and current.kind != kind:
            fail(
                _("“%(code)s” exists as %(old)s; its kind cannot change to %(new)s")
                % {"code": code, "old": current.get_kind_display(), "new": Organisation.Kind(kind).label}
            )
        aliases_text = row.get("aliases")
        aliases = [a.strip() for a in aliases_text.split(";") if a.strip()] if aliases_text else None
        if len(problems) == before and kind is not None:
            parsed.append(_OrgRow(row.number, code, name, kind, country_code, aliases))
    if problems:
        raise TableError(problems)
    return parsed


def _kind(text: str) -> str | None:
    kind = KINDS.get(text.strip().casefold())
    return kind.value if kind is not None else None


def _by_alias(organisations: dict[str, Organisation], text: str) -> Organisation | None:
    wanted = text.casefold()
    return next((org for org in organisations.values() if any(a.casefold() == wanted for a in org.aliases)), None)


# --- users and memberships -------------------------------------------------------------------------------------


class PeopleError(Exception):
    """A request about people that cannot be done; the message says why."""


def email_checked(email: str) -> str:
    """The e-mail address lowercased and stripped; PeopleError if it is not a valid address."""
    address = normalise_email(email or "")
    try:
        validate_email(address)
    except ValidationError as exc:
        raise PeopleError(_("“%(email)s” is not a valid e-mail address") % {"email": email}) from exc
    return address


def user_for_email(email: str) -> Any | None:
    """The account with this e-mail address (case-insensitively), as the login backend finds it."""
    user_model = get_user_model()
    return user_model.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).order_by("id").first()


@dataclass
class UserOutcome:
    user: Any
    created: bool
    password_set: bool


def user_get_or_create(*, email: str, password: str | None = None) -> UserOutcome:
    """The account for an e-mail address, created if needed (username = the lowercased address).

    With a password, the account's password is set to it; a new account without one gets an unusable password
    (the person sets one with an invitation or "Forgotten your password?").
    """
    address = email_checked(email)
    user = user_for_email(address)
    created = user is None
    if user is None:
        user = get_user_model()(username=address, email=address)
        user.set_unusable_password()
    if password:
        user.set_password(password)
    if created or password:
        user.save()
    return UserOutcome(user, created, bool(password))


@dataclass
class MemberOutcome:
    user: Any
    membership: Membership
    user_created: bool
    membership_created: bool
    role_changed: bool


def member_add(*, email: str, organisation: Organisation, role: str, password: str | None = None) -> MemberOutcome:
    """Make a person a member of an organisation with a role; running it again changes nothing (or only the role)."""
    if role not in Role.values:
        raise PeopleError(
            _("unknown role “%(role)s” (use %(roles)s)") % {"role": role, "roles": ", ".join(Role.values)}
        )
    with transaction.atomic():
        outcome = user_get_or_create(email=email, password=password)
        membership, created = Membership.objects.get_or_create(
            user=outcome.user, organisation=organisation, defaults={"role": role}
        )
        changed = not created and membership.role != role
        if changed:
            membership.role = role
            membership.save(update_fields=["role", "updated_at"])
    return MemberOutcome(outcome.user, membership, outcome.created, created, changed)


def staff_add(*, email: str, password: str | None = None, superuser: bool = False) -> tuple[UserOutcome, bool]:
    """Make a person Office staff (and superuser if asked). Returns the user outcome and whether flags changed."""
    with transaction.atomic():
        outcome = user_get_or_create(email=email, password=password)
        user = outcome.user
        changed = not user.is_staff or (superuser and not user.is_superuser)
        if changed:
            user.is_staff = True
            user.is_superuser = user.is_superuser or superuser
            user.save(update_fields=["is_staff", "is_superuser"])
    return outcome, changed


def organisation_by_code(code: str) -> Organisation:
    """An organisation by its code, or (for convenience) its name or former name; PeopleError if none."""
    from .selectors import organisation_resolve

    org = Organisation.objects.filter(code=code).first() or organisation_resolve(code)
    if org is None:
        raise PeopleError(_("no organisation with the code “%(code)s”") % {"code": code})
    return org


def people_can_manage(user: Any, organisation: Organisation) -> bool:
    """Who may invite people to an organisation and see its members: staff, and the organisation's coordinators."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_staff:
        return True
    return Membership.objects.filter(user=user, organisation=organisation, role=Role.COORDINATOR).exists()


# --- invitations ----------------------------------------------------------------------------------------------

INVITATION_DAYS = 14


class InvitationError(PeopleError):
    """An invitation that cannot be created, sent or accepted; the message says why."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invitation_state(invitation: Invitation, *, now: dt.datetime | None = None) -> str:
    """accepted, revoked, expired or pending."""
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= (now or timezone.now()):
        return "expired"
    return "pending"


def invitations_open(organisation: Organisation) -> QuerySet[Invitation]:
    """Invitations not accepted and not revoked (expired ones included: they can be resent)."""
    return (
        Invitation.objects.filter(organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("email")
    )


def members_of(organisation: Organisation) -> QuerySet[Membership]:
    return Membership.objects.filter(organisation=organisation).select_related("user").order_by("role", "user__email")


def _check_invitable(*, organisation: Organisation, email: str, role: str, invited_by: Any) -> str:
    """The normalised address; InvitationError/PermissionDenied if this invitation may not be made."""
    if not people_can_manage(invited_by, organisation):
        raise PermissionDenied(_("You may not invite people to this organisation."))
    if role not in Role.values:
        raise InvitationError(
            _("unknown role “%(role)s” (use %(roles)s)") % {"role": role, "roles": ", ".join(Role.values)}
        )
    try:
        address = email_checked(email)
    except PeopleError as exc:
        raise InvitationError(str(exc)) from exc
    if Membership.objects.filter(organisation=organisation, user__email__iexact=address).exists():
        raise InvitationError(
            _("%(email)s is already a member of %(organisation)s") % {"email": address, "organisation": organisation}
        )
    pending = invitations_open(organisation).filter(email__iexact=address, expires_at__gt=timezone.now())
    if pending.exists():
        raise InvitationError(
            _("%(email)s already has a pending invitation to %(organisation)s; resend it instead")
            % {"email": address, "organisation": organisation}
        )
    return address


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def invitation_accept_url(*, token: str, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("invitation-accept", args=[token])


def _invitation_message(invitation: Invitation, token: str, base_url: str) -> EmailMessage:
    inviter = invitation.invited_by
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "role": invitation.get_role_display(),
        "invited_by": (inviter.get_full_name() or inviter.email or inviter.username) if inviter else _("The Office"),
        "accept_url": invitation_accept_url(token=token, base_url=base_url),
        "expires_at": invitation.expires_at,
    }
    subject = render_to_string("responses/people/invitation_subject.txt", context)
    body = render_to_string("responses/people/invitation_email.txt", context)
    return EmailMessage(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


def _send(invitation: Invitation, token: str, base_url: str, connection: Any = None) -> None:
    message = _invitation_message(invitation, token, base_url)
    message.connection = connection
    message.send()
    invitation.sent_count += 1
    invitation.last_sent_at = timezone.now()
    invitation.save(update_fields=["sent_count", "last_sent_at", "updated_at"])


def invitation_create(
    *,
    organisation: Organisation,
    email: str,
    role: str,
    invited_by: Any,
    base_url: str,
    days: int = INVITATION_DAYS,
) -> tuple[Invitation, str]:
    """Invite a person to an organisation with a role and e-mail them a single-use link valid `days` days.

    Only a SHA-256 hash of the token is stored; the token itself is returned (for tests) and sent. Staff may
    invite to any organisation, coordinators to their own. Raises InvitationError or PermissionDenied.
    """
    address = _check_invitable(organisation=organisation, email=email, role=role, invited_by=invited_by)
    token, hashed = _new_token()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=address,
            role=role,
            token_hash=hashed,
            expires_at=timezone.now() + dt.timedelta(days=days),
            invited_by=invited_by,
        )
        _send(invitation, token, base_url)  # a failure to send undoes the invitation
    return invitation, token


def invitation_resend(
    *, invitation: Invitation, by: Any, base_url: str, days: int = INVITATION_DAYS
) -> tuple[Invitation, str]:
    """Send an open invitation again with a new token and a new expiry date; the old link stops working."""
    if not people_can_manage(by, invitation.organisation):
        raise PermissionDenied(_("You may not manage this organisation's invitations."))
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("organisation", "invited_by")
            .get(pk=invitation.pk)
        )
        state = invitation_state(invitation)
        if state in ("accepted", "revoked"):
            raise InvitationError(
                _("This invitation was accepted already.")
                if state == "accepted"
                else _("This invitation was revoked; invite the person again.")
            )
        token, invitation.token_hash = _new_token()
        invitation.expires_at = timezone.now() + dt.timedelta(days=days)
        invitation.save(update_fields=["token_hash", "expires_at", "updated_at"])
        _send(invitation, token, base_url)
    return invitation, token


def invitation_revoke(*, invitation: Invitation, by: Any) -> Invitation:
    """Withdraw an invitation that was not accepted: its link stops working."""
    if not people_can_manage(by, invitation.organisation):
        raise PermissionDenied(_("You may not manage this organisation's invitations."))
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise InvitationError(_("This invitation was accepted already; remove the membership in the admin."))
        if invitation.revoked_at is None:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at", "updated_at"])
    return invitation


def invitation_for_token(token: str, *, for_update: bool = False) -> Invitation:
    """The usable invitation of a token; InvitationError saying why it cannot be used (unknown, used, revoked,
    expired)."""
    invitations = Invitation.objects.select_related("organisation", "invited_by")
    if for_update:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(token_hash=token_hash(token or "")).first()
    if invitation is None:
        raise InvitationError(
            _("This invitation link is not valid. It may have been replaced by a newer one; use the latest e-mail.")
        )
    state = invitation_state(invitation)
    if state == "accepted":
        raise InvitationError(_("This invitation has been used already. Log in with your e-mail address."))
    if state == "revoked":
        raise InvitationError(_("This invitation has been withdrawn. Ask the person who invited you."))
    if state == "expired":
        raise InvitationError(
            _("This invitation expired on %(date)s. Ask the person who invited you to send it again.")
            % {"date": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d")}
        )
    return invitation


def invitation_needs_password(invitation: Invitation) -> bool:
    """Whether accepting asks for a new password: no account yet, or an account that cannot log in."""
    user = user_for_email(invitation.email)
    return user is None or not user.has_usable_password()


def invitation_accept(*, token: str, password: str | None = None, user: Any = None) -> Any:
    """Accept an invitation (single use) and return the member's account.

    A person without an account (or whose account has no usable password) chooses a password here; the account
    is created with it. A person who can log in already accepts while logged in as that account (`user`).
    """
    with transaction.atomic():
        invitation = invitation_for_token(token, for_update=True)
        account = user_for_email(invitation.email)
        if account is not None and account.has_usable_password():
            if user is None or user.pk != account.pk:
                raise InvitationError(_("Log in as %(email)s to accept this invitation.") % {"email": invitation.email})
        else:
            if not password:
                raise InvitationError(_("Choose a password to accept this invitation."))
            account = user_get_or_create(email=invitation.email, password=password).user
        if not account.is_active:
            raise InvitationError(_("This account is disabled. Contact the Office."))
        Membership.objects.update_or_create(
            user=account, organisation=invitation.organisation, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at", "updated_at"])
    return account


@dataclass
class BulkResult:
    invitations: list[Invitation]
    not_sent: list[tuple[Invitation, str]] = field(default_factory=list)  # invitation, error; resend them


def invitations_bulk_from_table(
    *, table: Table, invited_by: Any, base_url: str, days: int = INVITATION_DAYS
) -> BulkResult:
    """Invite everyone in a table with columns email, organisation (code or name), role. Staff only.

    Every row is checked first; on any problem TableError lists them all and nothing is created. The e-mails are
    sent after the invitations are saved; one that cannot be sent is reported and can be resent.
    """
    if not (getattr(invited_by, "is_staff", False) and invited_by.is_active):
        raise PermissionDenied(_("Only Office staff may invite people in bulk."))
    table = table_columns(table, required=("email", "organisation", "role"))
    organisations = _organisation_names()
    problems: list[str] = []
    wanted: list[tuple[Organisation, str, str]] = []
    seen: dict[tuple[int, str], int] = {}
    for row in table.rows:
        before = len(problems)
        org_text, role_text = row.get("organisation"), row.get("role")
        found = organisations.get(org_text.casefold(), []) if org_text else []
        organisation = found[0] if len(found) == 1 else None
        if not org_text:
            problems.append(row_problem(row.number, _("the organisation is empty")))
        elif not found:
            problems.append(row_problem(row.number, _("unknown organisation “%(org)s”") % {"org": org_text}))
        elif len(found) > 1:
            problems.append(
                row_problem(
                    row.number,
                    _("“%(org)s” matches several organisations (%(codes)s); use the code")
                    % {"org": org_text, "codes": ", ".join(o.code for o in found)},
                )
            )
        role = role_text.strip().casefold()
        if role not in Role.values:
            problems.append(
                row_problem(
                    row.number,
                    _("unknown role “%(role)s” (use %(roles)s)") % {"role": role_text, "roles": ", ".join(Role.values)},
                )
            )
        address = ""
        try:
            address = email_checked(row.get("email"))
        except PeopleError as exc:
            problems.append(row_problem(row.number, str(exc)))
        if organisation is not None and address:
            key = (organisation.pk, address)
            if key in seen:
                problems.append(
                    row_problem(
                        row.number,
                        _("%(email)s is invited to %(org)s twice (row %(first)d)")
                        % {"email": address, "org": organisation.code, "first": seen[key]},
                    )
                )
            seen.setdefault(key, row.number)
        if len(problems) == before and organisation is not None:
            try:
                _check_invitable(organisation=organisation, email=address, role=role, invited_by=invited_by)
            except InvitationError as exc:
                problems.append(row_problem(row.number, str(exc)))
            else:
                wanted.append((organisation, address, role))
    if problems:
        raise TableError(problems)
    if not wanted:
        raise TableError(_("the file has no rows to invite"))
    issued: list[tuple[Invitation, str]] = []
    expires_at = timezone.now() + dt.timedelta(days=days)
    with transaction.atomic():
        for organisation, address, role in wanted:
            token, hashed = _new_token()
            invitation = Invitation.objects.create(
                organisation=organisation,
                email=address,
                role=role,
                token_hash=hashed,
                expires_at=expires_at,
                invited_by=invited_by,
            )
            issued.append((invitation, token))
    result = BulkResult([invitation for invitation, _token in issued])
    with get_connection() as connection:
        for invitation, token in issued:
            try:
                _send(invitation, token, base_url, connection)
            except Exception as exc:  # the mail server refused one message: the others still go
                logger.exception("invitation %s could not be sent", invitation.pk)
                result.not_sent.append((invitation, str(exc)))
    return result


def _organisation_names() -> dict[str, list[Organisation]]:
    """casefolded code, name or alias -> organisations (a code wins over names; a name may be ambiguous)."""
    by_key: dict[str, list[Organisation]] = {}
    organisations = list(Organisation.objects.all())
    for org in organisations:
        for key in {org.name.casefold(), *(a.casefold() for a in org.aliases)}:
            by_key.setdefault(key, []).append(org)
    for org in organisations:
        by_key[org.code.casefold()] = [org]
    return by_key
