"""Invitations: single-use, expiring, resendable, revocable, one by one or in bulk from a table."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..access import PeoplePolicy
from ..models import Invitation, Membership, Organisation, Role
from ..tables import TableError as TableError  # re-exported: the people services raise it
from .language import person_language_chosen, supported_language
from .members import PeopleError, email_checked, user_for_email, user_get_or_create
from .tables_text import Table, row_problem, table_columns

logger = logging.getLogger(__name__)

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
    if not PeoplePolicy.for_user(invited_by).may_manage_people(organisation):
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
    return base_url.rstrip("/") + reverse("accounts:invitation-accept", args=[token])


def invitation_language(invitation: Invitation) -> str:
    """The language an invitation speaks: the one chosen when inviting, else the language an existing account has
    chosen, else the language the sender is reading the site in."""
    if invitation.language:
        return invitation.language
    account = user_for_email(invitation.email)
    chosen = person_language_chosen(account) if account is not None else None
    return chosen or translation.get_language() or settings.LANGUAGE_CODE


def _invitation_message(invitation: Invitation, token: str, base_url: str) -> EmailMessage:
    """The invitation e-mail, in the invitation's language (dates and the role's name too)."""
    with translation.override(invitation_language(invitation)):
        return _invitation_message_now(invitation, token, base_url)


def _invitation_message_now(invitation: Invitation, token: str, base_url: str) -> EmailMessage:
    inviter = invitation.invited_by
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "role": invitation.get_role_display(),
        "invited_by": (inviter.get_full_name() or inviter.email or inviter.username) if inviter else _("The Office"),
        "accept_url": invitation_accept_url(token=token, base_url=base_url),
        "expires_at": invitation.expires_at,
    }
    subject = render_to_string("accounts/people/invitation_subject.txt", context)
    body = render_to_string("accounts/people/invitation_email.txt", context)
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
    language: str = "",
) -> tuple[Invitation, str]:
    """Invite a person to an organisation with a role and e-mail them a single-use link valid `days` days.

    `language` (a site language) is the one of the e-mail and of the acceptance page; without it, see
    `invitation_language`.

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
            language=supported_language(language) or "",
        )
        _send(invitation, token, base_url)  # a failure to send undoes the invitation
    return invitation, token


def invitation_resend(
    *, invitation: Invitation, by: Any, base_url: str, days: int = INVITATION_DAYS
) -> tuple[Invitation, str]:
    """Send an open invitation again with a new token and a new expiry date; the old link stops working."""
    if not PeoplePolicy.for_user(by).may_manage_people(invitation.organisation):
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
    if not PeoplePolicy.for_user(by).may_manage_people(invitation.organisation):
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
    if not (PeoplePolicy.for_user(invited_by).is_staff and invited_by.is_active):
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
