"""The responses tests' factories under the names they import: their one home is tests/factories.py."""

from __future__ import annotations

from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory

__all__ = ["PASSWORD", "MembershipFactory", "OrganisationFactory", "UserFactory"]
