"""Who may see and manage an organisation's people: the base of the one access policy.

`PeoplePolicy` holds what the policy knows of a person (staff or not, memberships and roles, read once per policy
object) and answers the people questions (`may_see_organisation`, `may_manage_people`, `organisations()`).
`responses.access.AccessPolicy` extends it with the answering rules (rounds, responses, deadlines); the two are one
object at run time: code in `responses` and above uses `AccessPolicy`, code in `accounts` (below responses in the
layers) uses this base. A check never writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import HttpRequest

from oscethb.access import is_office_staff
from oscethb.prepared import PreparedQuery

from .models import Membership, Organisation, Role

P = TypeVar("P", bound="PeoplePolicy")

MANAGING_ROLES = frozenset({Role.COORDINATOR})


# Every page's navigation asks (oscethb/prepared.py: compiled once per process).
MEMBERSHIPS_OF = PreparedQuery(
    lambda user_id: Membership.objects.filter(user_id=user_id).select_related("organisation"), user_id=int
)


class PeoplePolicy:
    """Who a person is and whose people they may see and manage. Read-only: nothing here writes; the memberships
    are read once per policy object."""

    def __init__(self, user: Any, *, memberships: Iterable[Membership] | None = None) -> None:
        self.user = user
        self._known: dict[int, Membership | None] = {}
        if memberships is not None:  # already read by the caller (the respondent's page reads them with more)
            self.__dict__["_memberships"] = {m.organisation_id: m for m in memberships}

    @classmethod
    def for_user(cls: type[P], user: Any) -> P:
        return cls(user)

    @classmethod
    def for_request(cls: type[P], request: HttpRequest) -> P:
        """The request's policy, made once: every check in one request shares one read of the memberships."""
        # A request made outside the middleware (a template rendered in a test or an e-mail) has no user: anonymous.
        # The user stays lazy: a page that asks nothing of the policy reads nothing (an error page during an outage).
        user = request.user if hasattr(request, "user") else AnonymousUser()
        policy = getattr(request, "_access_policy", None)
        if not isinstance(policy, cls) or policy.user is not user:
            policy = cls(user)
            if hasattr(request, "user"):
                request._access_policy = policy  # type: ignore[attr-defined]
        return policy

    # --- who the person is ------------------------------------------------------------------------------------

    @property
    def is_authenticated(self) -> bool:
        return bool(getattr(self.user, "is_authenticated", False))

    @property
    def is_staff(self) -> bool:
        return is_office_staff(self.user)

    @property
    def may_review(self) -> bool:
        """The Office's decisions and pages: accept, return, reopen, history, deadlines, reminders, imports."""
        return self.is_staff

    @cached_property
    def _memberships(self) -> dict[int, Membership]:
        if not self.is_authenticated:
            return {}
        return {m.organisation_id: m for m in MEMBERSHIPS_OF.run(user_id=self.user.pk)}

    def membership(self, organisation: Organisation) -> Membership | None:
        if "_memberships" not in self.__dict__ and organisation.pk in self._known:
            return self._known[organisation.pk]
        return self._memberships.get(organisation.pk)

    def membership_known(self, organisation: Organisation, membership: Membership | None) -> None:
        """The person's membership of one organisation (None: not a member), read by the caller together with the
        organisation: checks about that organisation then read nothing more; checks about any other still read all
        the person's memberships once."""
        if membership is not None:
            membership.organisation = organisation
        self._known[organisation.pk] = membership

    def role(self, organisation: Organisation) -> str | None:
        membership = self.membership(organisation)
        return membership.role if membership is not None else None

    @property
    def organisation_ids(self) -> list[int]:
        """The organisations the person is a member of (not all those staff may see)."""
        return list(self._memberships)

    # --- seeing -----------------------------------------------------------------------------------------------

    def may_see_organisation(self, organisation: Organisation) -> bool:
        return self.is_staff or self.membership(organisation) is not None

    def organisations(self) -> QuerySet[Organisation]:
        """Organisations the person may see: staff all of them, members their own."""
        if self.is_staff:
            return Organisation.objects.all()
        return Organisation.objects.filter(pk__in=self.organisation_ids)

    @property
    def managed_organisation_ids(self) -> frozenset[int]:
        """Of the person's own organisations, those whose people they manage (for links on the person's pages)."""
        return frozenset(pk for pk, m in self._memberships.items() if self.may_manage_people(m.organisation))

    # --- API tokens -------------------------------------------------------------------------------------------

    @property
    def may_hold_api_tokens(self) -> bool:
        """Who may make API tokens, and whose tokens work: active staff, and active coordinators (their tokens read
        what they may read: their own organisations' responses and answers)."""
        if not self.is_authenticated or not getattr(self.user, "is_active", False):
            return False
        if self.is_staff:
            return True
        # A coordinator's answering pages already read their membership of the organisation (membership_known):
        # enough to say yes without reading all the person's memberships (every page's bar asks this).
        if "_memberships" not in self.__dict__ and any(
            m is not None and m.role in MANAGING_ROLES for m in self._known.values()
        ):
            return True
        return any(m.role in MANAGING_ROLES for m in self._memberships.values())

    # --- people -----------------------------------------------------------------------------------------------

    def may_manage_people(self, organisation: Organisation) -> bool:
        """Who may invite people to an organisation and see its members: staff, and the organisation's
        coordinators (active accounts only)."""
        if not self.is_authenticated or not getattr(self.user, "is_active", False):
            return False
        return self.is_staff or self.role(organisation) in MANAGING_ROLES
