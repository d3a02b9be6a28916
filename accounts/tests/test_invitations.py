"""Invitations: who may invite, the e-mail, accepting (single use), expiry, withdrawal, resending, bulk invitations."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import Invitation, Membership, Organisation, Role
from accounts.people import (
    InvitationError,
    TableError,
    invitation_accept,
    invitation_create,
    invitations_bulk_from_table,
    table_from_bytes,
)
from responses.tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory
from tests.otp_helpers import force_login_verified

pytestmark = pytest.mark.django_db
User = get_user_model()
NEW_PASSWORD = "a-brand-new-password-2026"
LINK = re.compile(r"http://testserver(/invitations/accept/[A-Za-z0-9_-]+/)")


def people_url(org: Organisation) -> str:
    return f"/organisations/{org.code}/people/"


def last_link() -> str:
    match = LINK.search(mail.outbox[-1].body)
    assert match is not None, mail.outbox[-1].body
    return match.group(1)


@pytest.fixture
def staff() -> object:
    return UserFactory(email="office@osce.org", is_staff=True)


@pytest.fixture
def ngo() -> Organisation:
    return OrganisationFactory(
        code="la-strada-ua", name="La Strada & Partners", country=Organisation.objects.get(code="UA")
    )


def invite(client: Client, org: Organisation, email: str, role: str = Role.CONTRIBUTOR) -> object:
    return client.post(people_url(org), {"email": email, "role": role})


# --- creating and accepting ---------------------------------------------------------------------------------------


def test_invitation_email_accept_sets_password_and_membership(client: Client, staff: object, ngo: Organisation) -> None:
    force_login_verified(client, staff)
    response = invite(client, ngo, "Olena@Example.org", Role.COORDINATOR)
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.sent_count) == ("olena@example.org", "coordinator", 1)
    assert invitation.invited_by == staff

    message = mail.outbox[0]
    assert message.to == ["olena@example.org"]
    assert "La Strada & Partners" in message.subject
    assert "La Strada & Partners" in message.body  # plain text: not HTML-escaped
    assert "Coordinator" in message.body
    assert "office@osce.org" in message.body
    assert timezone.localtime(invitation.expires_at).strftime("%Y") in message.body
    link = last_link()
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Invitation.objects.values().get())  # only the hash is stored

    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert "La Strada &amp; Partners" in page.content.decode()
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(email="olena@example.org")
    assert user.username == "olena@example.org"
    assert user.check_password(NEW_PASSWORD)
    assert int(client.session["_auth_user_id"]) == user.pk
    assert Membership.objects.get(user=user).role == Role.COORDINATOR
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None

    # single use
    client.logout()
    again = client.get(link)
    assert again.status_code == 410
    assert "used already" in again.content.decode()
    assert (
        client.post(link, {"new_password1": "x-" + NEW_PASSWORD, "new_password2": "x-" + NEW_PASSWORD}).status_code
        == 410
    )
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_weak_password_is_refused_and_invitation_stays_open(client: Client, staff: object, ngo: Organisation) -> None:
    force_login_verified(client, staff)
    invite(client, ngo, "olena@example.org")
    client.logout()
    link = last_link()
    response = client.post(link, {"new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 400
    assert not User.objects.filter(email="olena@example.org").exists()
    assert Invitation.objects.get().accepted_at is None


def test_expired_invitation_is_refused(client: Client, staff: object, ngo: Organisation) -> None:
    force_login_verified(client, staff)
    invite(client, ngo, "olena@example.org")
    client.logout()
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    link = last_link()
    response = client.get(link)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 410
    assert not User.objects.filter(email="olena@example.org").exists()


def test_revoked_invitation_is_refused(client: Client, staff: object, ngo: Organisation) -> None:
    force_login_verified(client, staff)
    invite(client, ngo, "olena@example.org")
    invitation = Invitation.objects.get()
    assert client.post(f"/invitations/{invitation.pk}/revoke/").status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    client.logout()
    response = client.get(last_link())
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()


def test_resend_gives_a_new_link_and_the_old_one_stops_working(
    client: Client, staff: object, ngo: Organisation
) -> None:
    force_login_verified(client, staff)
    invite(client, ngo, "olena@example.org")
    old_link = last_link()
    invitation = Invitation.objects.get()
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(days=1))  # expired ones can be resent
    assert client.post(f"/invitations/{invitation.pk}/resend/").status_code == 302
    invitation.refresh_from_db()
    assert invitation.sent_count == 2
    assert invitation.expires_at > timezone.now() + dt.timedelta(days=13)
    assert len(mail.outbox) == 2
    new_link = last_link()
    assert new_link != old_link
    client.logout()
    assert client.get(old_link).status_code == 410
    response = client.post(new_link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302


def test_resend_only_with_post(client: Client, staff: object, ngo: Organisation) -> None:
    force_login_verified(client, staff)
    invite(client, ngo, "olena@example.org")
    assert client.get(f"/invitations/{Invitation.objects.get().pk}/resend/").status_code == 405


def test_existing_user_logs_in_to_accept(client: Client, staff: object, ngo: Organisation) -> None:
    person = UserFactory(email="olena@example.org")
    _invitation, token = invitation_create(
        organisation=ngo, email="OLENA@example.org", role=Role.VIEWER, invited_by=staff, base_url="http://testserver"
    )
    link = f"/invitations/accept/{token}/"
    page = client.get(link)
    assert "Log in to accept" in page.content.decode()
    assert client.post(link, {}).status_code == 200  # not logged in: nothing happens
    assert not Membership.objects.filter(user=person).exists()

    other = UserFactory()
    client.force_login(other)
    assert "but the invitation is for" in client.get(link).content.decode()
    with pytest.raises(InvitationError, match="Log in as"):
        invitation_accept(token=token, user=other)

    client.force_login(person)
    response = client.post(link)
    assert response.status_code == 302
    assert Membership.objects.get(user=person, organisation=ngo).role == Role.VIEWER
    person.refresh_from_db()
    assert person.check_password(PASSWORD)  # the existing password is kept
    assert User.objects.filter(email__iexact="olena@example.org").count() == 1


def test_account_without_password_sets_one_when_accepting(client: Client, staff: object, ngo: Organisation) -> None:
    person = UserFactory(email="olena@example.org")
    person.set_unusable_password()
    person.save()
    _invitation, token = invitation_create(
        organisation=ngo, email=person.email, role=Role.CONTRIBUTOR, invited_by=staff, base_url="http://testserver"
    )
    response = client.post(
        f"/invitations/accept/{token}/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert Membership.objects.filter(user=person, organisation=ngo).exists()


def test_unknown_token(client: Client) -> None:
    response = client.get("/invitations/accept/not-a-real-token/")
    assert response.status_code == 410
    assert "not valid" in response.content.decode()


def test_cannot_invite_a_member_or_twice(staff: object, ngo: Organisation) -> None:
    member = MembershipFactory(organisation=ngo)
    with pytest.raises(InvitationError, match="already a member"):
        invitation_create(
            organisation=ngo, email=member.user.email.upper(), role="viewer", invited_by=staff, base_url="http://x"
        )
    invitation_create(organisation=ngo, email="a@example.org", role="viewer", invited_by=staff, base_url="http://x")
    with pytest.raises(InvitationError, match="pending invitation"):
        invitation_create(organisation=ngo, email="A@example.org", role="viewer", invited_by=staff, base_url="http://x")
    with pytest.raises(InvitationError, match="not a valid e-mail"):
        invitation_create(organisation=ngo, email="a@", role="viewer", invited_by=staff, base_url="http://x")


def test_page_lists_members_and_open_invitations(client: Client, staff: object, ngo: Organisation) -> None:
    MembershipFactory(organisation=ngo, user__email="member@example.org", role=Role.COORDINATOR)
    force_login_verified(client, staff)
    invite(client, ngo, "pending@example.org")
    page = client.get(people_url(ngo)).content.decode()
    assert 'data-member="member@example.org"' in page
    assert 'data-invitation="pending@example.org"' in page
    assert "/resend/" in page
    assert "/revoke/" in page
    response = invite(client, ngo, "pending@example.org")
    assert response.status_code == 400
    assert "pending invitation" in response.content.decode()


def _offered_role(page: str) -> str:
    select = re.search(r'<select name="role".*?</select>', page, re.S)
    assert select
    found = re.search(r'<option value="(\w+)" selected>', select.group(0))
    assert found, "no role chosen beforehand"
    return found.group(1)


def test_the_form_offers_coordinator_until_the_organisation_has_one(
    client: Client, staff: object, ngo: Organisation
) -> None:
    """The staff walk found "contributor" offered first to an organisation nobody could answer for yet."""
    force_login_verified(client, staff)
    page = client.get(people_url(ngo)).content.decode()
    assert _offered_role(page) == Role.COORDINATOR
    assert 'href="/staff/"' in page  # the way back
    invite(client, ngo, "first@example.org", Role.COORDINATOR)  # invited, not yet accepted: counts
    assert _offered_role(client.get(people_url(ngo)).content.decode()) == Role.CONTRIBUTOR
    Invitation.objects.all().delete()
    MembershipFactory(organisation=ngo, role=Role.COORDINATOR)
    assert _offered_role(client.get(people_url(ngo)).content.decode()) == Role.CONTRIBUTOR


# --- who may invite ---------------------------------------------------------------------------------------------


def test_coordinator_invites_for_own_organisation_only(client: Client, ngo: Organisation) -> None:
    coordinator = MembershipFactory(organisation=ngo, role=Role.COORDINATOR).user
    other = OrganisationFactory()
    client.force_login(coordinator)
    assert client.get(people_url(ngo)).status_code == 200
    assert invite(client, ngo, "colleague@example.org", Role.COORDINATOR).status_code == 302
    assert Invitation.objects.get().invited_by == coordinator

    assert client.get(people_url(other)).status_code == 404
    assert invite(client, other, "x@example.org").status_code == 404
    assert client.get(people_url(Organisation.objects.get(code="AT"))).status_code == 404
    assert Invitation.objects.count() == 1

    staff_invitation, _token = invitation_create(
        organisation=other,
        email="y@example.org",
        role="viewer",
        invited_by=UserFactory(is_staff=True),
        base_url="http://x",
    )
    assert client.post(f"/invitations/{staff_invitation.pk}/resend/").status_code == 404
    assert client.post(f"/invitations/{staff_invitation.pk}/revoke/").status_code == 404
    staff_invitation.refresh_from_db()
    assert (staff_invitation.sent_count, staff_invitation.revoked_at) == (1, None)


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.VIEWER])
def test_contributors_and_viewers_cannot_invite(client: Client, ngo: Organisation, role: str) -> None:
    client.force_login(MembershipFactory(organisation=ngo, role=role).user)
    assert client.get(people_url(ngo)).status_code == 404
    assert invite(client, ngo, "x@example.org").status_code == 404
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_anonymous_is_sent_to_login(client: Client, ngo: Organisation) -> None:
    response = client.get(people_url(ngo))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_service_refuses_who_may_not_invite(ngo: Organisation) -> None:
    from django.core.exceptions import PermissionDenied

    viewer = MembershipFactory(organisation=ngo, role=Role.VIEWER).user
    with pytest.raises(PermissionDenied):
        invitation_create(
            organisation=ngo, email="x@example.org", role="viewer", invited_by=viewer, base_url="http://x"
        )


# --- bulk -----------------------------------------------------------------------------------------------------------


def csv_upload(text: str, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_bulk_invitations(client: Client, staff: object, ngo: Organisation) -> None:
    force_login_verified(client, staff)
    assert client.get("/staff/invitations/bulk/").status_code == 200
    text = (
        "email,organisation,role\n"
        "a@example.org,AT,coordinator\n"
        "b@example.org,Czech Republic,Contributor\n"
        "c@example.org,la-strada-ua,viewer\n"
    )
    response = client.post("/staff/invitations/bulk/", {"file": csv_upload(text)})
    assert response.status_code == 302
    invitations = {(i.email, i.organisation.code, i.role) for i in Invitation.objects.select_related("organisation")}
    assert invitations == {
        ("a@example.org", "AT", "coordinator"),
        ("b@example.org", "CZ", "contributor"),
        ("c@example.org", "la-strada-ua", "viewer"),
    }
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org", "c@example.org"]
    assert all(i.sent_count == 1 for i in Invitation.objects.all())


def test_bulk_is_all_or_nothing_with_row_errors(client: Client, staff: object, ngo: Organisation) -> None:
    MembershipFactory(organisation=ngo, user__email="member@example.org")
    force_login_verified(client, staff)
    text = (
        "email,organisation,role\n"
        "a@example.org,AT,coordinator\n"
        "not-an-address,AT,viewer\n"
        "b@example.org,Atlantis,viewer\n"
        "c@example.org,AT,boss\n"
        "a@example.org,Austria,viewer\n"
        "member@example.org,la-strada-ua,viewer\n"
    )
    response = client.post("/staff/invitations/bulk/", {"file": csv_upload(text)})
    assert response.status_code == 400
    page = response.content.decode()
    for expected in (
        "row 3: “not-an-address” is not a valid e-mail address",
        "row 4: unknown organisation “Atlantis”",
        "row 5: unknown role “boss”",
        "row 6: a@example.org is invited to AT twice (row 2)",
        "row 7: member@example.org is already a member of La Strada &amp; Partners",
    ):
        assert expected in page, expected
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_bulk_service_reports_missing_columns(staff: object) -> None:
    table = table_from_bytes(b"email,org\na@example.org,AT\n", filename="x.csv")
    with pytest.raises(TableError) as info:
        invitations_bulk_from_table(table=table, invited_by=staff, base_url="http://x")
    assert info.value.problems == [
        "row 1: missing columns: organisation, role",
        "row 1: unknown column: org (expected email, organisation, role)",
    ]


def test_bulk_is_for_staff_only(client: Client, ngo: Organisation) -> None:
    coordinator = MembershipFactory(organisation=ngo, role=Role.COORDINATOR).user
    client.force_login(coordinator)
    assert client.get("/staff/invitations/bulk/").status_code == 404
    response = client.post(
        "/staff/invitations/bulk/", {"file": csv_upload("email,organisation,role\na@x.org,AT,viewer\n")}
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_bulk_rejects_other_file_types(client: Client, staff: object) -> None:
    force_login_verified(client, staff)
    response = client.post("/staff/invitations/bulk/", {"file": csv_upload("x", name="people.txt")})
    assert response.status_code == 400
    assert "Upload a .csv or .xlsx file" in response.content.decode()
