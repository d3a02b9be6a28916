"""factory_boy factories for the responses app: users (who log in with their e-mail), organisations, memberships."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from accounts.models import Membership, Organisation, Role

PASSWORD = "a-long-test-password-2026"  # every UserFactory user's password


class UserFactory(factory.django.DjangoModelFactory):
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
