"""Users, staff and memberships: e-mail addresses checked, accounts and roles added idempotently."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from ..auth import normalise_email
from ..models import Membership, Organisation, Role
from ..selectors import organisation_resolve
from ..tables import TableError as TableError  # re-exported: the people services raise it


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
    org = Organisation.objects.filter(code=code).first() or organisation_resolve(code)
    if org is None:
        raise PeopleError(_("no organisation with the code “%(code)s”") % {"code": code})
    return org
