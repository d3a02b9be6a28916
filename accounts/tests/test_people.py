"""People: add_member and add_staff (idempotent), logging in with the e-mail address, password reset by e-mail."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.forms_people import EmailPasswordResetForm
from accounts.models import Membership, Organisation, Role
from responses.tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory
from tests.otp_helpers import force_login_verified

pytestmark = pytest.mark.django_db
User = get_user_model()


def command(name: str, *args: str) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


# --- add_member / add_staff --------------------------------------------------------------------------------------


def test_add_member_creates_user_and_membership_once() -> None:
    out = command("add_member", "Anna.Muster@BMI.gv.at", "--org", "AT", "--role", "coordinator")
    assert "created" in out
    assert "Forgotten your password?" in out  # no --password: the account has no usable password yet
    user = User.objects.get()
    assert (user.username, user.email) == ("anna.muster@bmi.gv.at", "anna.muster@bmi.gv.at")
    assert not user.has_usable_password()
    assert not user.is_staff

    out = command("add_member", "anna.muster@bmi.gv.at", "--org", "AT", "--role", "coordinator")
    assert "membership AT (coordinator): unchanged" in out
    assert User.objects.count() == 1
    assert Membership.objects.get().role == Role.COORDINATOR

    out = command("add_member", "ANNA.MUSTER@bmi.gv.at", "--org", "AT", "--role", "viewer")
    assert "role changed" in out
    assert User.objects.count() == 1
    assert Membership.objects.get().role == Role.VIEWER


def test_add_member_with_password_and_second_organisation(client: Client) -> None:
    ngo = OrganisationFactory(code="la-strada-ua", country=Organisation.objects.get(code="UA"))
    command("add_member", "j.doe@example.org", "--org", "AT", "--role", "contributor", "--password", PASSWORD)
    command("add_member", "j.doe@example.org", "--org", ngo.code, "--role", "viewer")
    user = User.objects.get()
    assert user.check_password(PASSWORD)  # the second run without --password keeps it
    assert set(user.memberships.values_list("organisation__code", "role")) == {
        ("AT", "contributor"),
        ("la-strada-ua", "viewer"),
    }


def test_add_member_errors() -> None:
    with pytest.raises(CommandError, match="no organisation with the code “XX”"):
        command("add_member", "a@example.org", "--org", "XX", "--role", "viewer")
    with pytest.raises(CommandError, match="not a valid e-mail address"):
        command("add_member", "not-an-address", "--org", "AT", "--role", "viewer")
    with pytest.raises(CommandError):
        command("add_member", "a@example.org", "--org", "AT", "--role", "boss")
    assert not User.objects.exists()


def test_add_staff_is_idempotent_and_superuser_only_when_asked() -> None:
    out = command("add_staff", "Office@OSCE.org")
    assert "created" in out
    assert "Forgotten your password?" in out
    user = User.objects.get()
    assert (user.username, user.is_staff, user.is_superuser) == ("office@osce.org", True, False)

    out = command("add_staff", "office@osce.org", "--password", PASSWORD)
    assert "unchanged" in out
    assert User.objects.count() == 1
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    out = command("add_staff", "office@osce.org", "--superuser")
    assert "updated" in out
    user.refresh_from_db()
    assert user.is_superuser
    with pytest.raises(CommandError, match="not a valid e-mail address"):
        command("add_staff", "office")


def test_add_staff_promotes_an_existing_member() -> None:
    membership = MembershipFactory()
    command("add_staff", membership.user.email.upper())
    assert User.objects.count() == 1
    membership.user.refresh_from_db()
    assert membership.user.is_staff
    assert membership.user.check_password(PASSWORD)


# --- logging in ---------------------------------------------------------------------------------------------------


def test_login_with_email_case_insensitively(client: Client) -> None:
    user = UserFactory(email="maria.rossi@interno.it")
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    response = client.post("/accounts/login/", {"username": "Maria.Rossi@INTERNO.it", "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_login_with_wrong_password_is_refused(client: Client) -> None:
    UserFactory(email="maria.rossi@interno.it")
    response = client.post("/accounts/login/", {"username": "maria.rossi@interno.it", "password": "wrong"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session


# --- password reset -----------------------------------------------------------------------------------------------

LINK = re.compile(r"https?://testserver(/accounts/reset/\S+/)")


def test_password_reset_email_and_link(client: Client) -> None:
    user = UserFactory(email="hans@example.org")
    assert client.get("/accounts/password_reset/").status_code == 200
    response = client.post("/accounts/password_reset/", {"email": "HANS@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hans@example.org"]
    assert "new password" in message.subject
    link = LINK.search(message.body)
    assert link is not None, message.body

    page = client.get(link.group(1), follow=True)
    assert page.status_code == 200
    assert "Choose a new password" in page.content.decode()
    new_password = "another-long-password-2027"
    done = client.post(page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    assert client.get(done["Location"]).status_code == 200
    user.refresh_from_db()
    assert user.check_password(new_password)

    assert client.get(link.group(1), follow=True).content.decode().count("cannot be used") == 1  # single use
    assert (
        client.post("/accounts/login/", {"username": "hans@example.org", "password": new_password}).status_code == 302
    )


def test_password_reset_for_unknown_address_sends_nothing(client: Client) -> None:
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_reset_form_reaches_accounts_without_a_password() -> None:
    """add_member without --password leaves no usable password; EmailPasswordResetForm still sends the link.

    (Django's own form skips such accounts: the project's password_reset URL uses this form.)
    """
    command("add_member", "new.person@example.org", "--org", "AT", "--role", "viewer")
    form = EmailPasswordResetForm(data={"email": "New.Person@example.org"})
    assert form.is_valid()
    form.save(domain_override="testserver")
    assert [m.to for m in mail.outbox] == [["new.person@example.org"]]


def test_password_change_pages(client: Client) -> None:
    user = UserFactory()
    client.force_login(user)
    assert client.get("/accounts/password_change/").status_code == 200
    new_password = "changed-long-password-2027"
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_logout(client: Client) -> None:
    client.force_login(UserFactory())
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# --- admin --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "query"),
    [
        ("accounts/organisation", "AT"),
        ("accounts/membership", "example.org"),
        ("accounts/invitation", "AT"),
        ("responses/response", "AT"),
        ("responses/answer", "PRV"),
        ("responses/answerchange", "PRV"),
        ("responses/evidence", "AT"),
        ("responses/responseevent", "AT"),
    ],
)
def test_admin_changelists_search(client: Client, model: str, query: str) -> None:
    MembershipFactory(organisation=Organisation.objects.get(code="AT"))
    force_login_verified(client, UserFactory(is_staff=True, is_superuser=True))
    response = client.get(f"/admin/{model}/", {"q": query})
    assert response.status_code == 200


def test_admin_finds_an_organisation_by_former_name(client: Client) -> None:
    force_login_verified(client, UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/accounts/organisation/", {"q": "Czech Republic"}).content.decode()
    assert "Czechia" in page
    assert "Austria" not in page


def test_admin_history_is_read_only(client: Client) -> None:
    force_login_verified(client, UserFactory(is_staff=True, is_superuser=True))
    for model in ("responses/answer", "responses/answerchange", "responses/responseevent", "accounts/invitation"):
        assert client.get(f"/admin/{model}/add/").status_code == 403
    assert client.get("/admin/accounts/organisation/add/").status_code == 200
