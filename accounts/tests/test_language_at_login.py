"""A person's language at login: the one they chose wins over the browser's on any browser; a person who never chose
gets the language of their first login stored (accounts/people/language.py, oscethb.middleware.LoginLanguageMiddleware).
E-mails in the recipient's language: invitations (the language chosen when inviting, else an existing account's) and
password resets (the chosen language, else the request's)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from accounts.models import Invitation, Organisation, PersonSettings, Role
from accounts.password_reset import password_reset_send
from accounts.people import invitation_create
from accounts.people.language import person_language, person_language_set
from responses.tests.factories import PASSWORD, OrganisationFactory, UserFactory
from tests.otp_helpers import force_login_verified

pytestmark = pytest.mark.django_db
COOKIE = settings.LANGUAGE_COOKIE_NAME


def log_in(client: Client, user: object) -> object:
    return client.post(reverse("login"), {"username": user.email, "password": PASSWORD})  # type: ignore[attr-defined]


def html_lang(response: object) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.content.decode())  # type: ignore[attr-defined]
    assert match is not None
    return match.group(1)


def test_the_stored_language_wins_over_the_browsers_at_login() -> None:
    user = UserFactory()
    person_language_set(user=user, language="ru")
    browser = Client(HTTP_ACCEPT_LANGUAGE="de")
    response = log_in(browser, user)
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "ru"
    assert response["Content-Language"] == "ru"
    page = browser.get(response["Location"], follow=True)
    assert page.status_code == 200
    assert html_lang(page) == "ru"
    assert person_language(user) == "ru"  # the browser's German did not overwrite the choice


def test_the_stored_language_wins_over_the_language_cookie_of_another_browser() -> None:
    user = UserFactory()
    person_language_set(user=user, language="it")
    browser = Client(HTTP_ACCEPT_LANGUAGE="es")
    browser.cookies[COOKIE] = "fr"  # someone else chose French on this browser
    response = log_in(browser, user)
    assert response.cookies[COOKIE].value == "it"
    assert html_lang(browser.get("/", follow=True)) == "it"
    assert person_language(user) == "it"


def test_a_first_login_stores_the_browsers_language() -> None:
    user = UserFactory()
    assert not PersonSettings.objects.filter(user=user).exists()
    browser = Client(HTTP_ACCEPT_LANGUAGE="de-AT,de;q=0.9,en;q=0.5")
    response = log_in(browser, user)
    assert response.status_code == 302
    assert person_language(user) == "de"
    assert response.cookies[COOKIE].value == "de"
    assert html_lang(browser.get(response["Location"], follow=True)) == "de"

    # Later, on an English browser, the stored German comes back.
    elsewhere = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = log_in(elsewhere, user)
    assert response.cookies[COOKIE].value == "de"
    assert person_language(user) == "de"


def test_a_browser_language_the_site_does_not_speak_gives_the_default() -> None:
    user = UserFactory()
    response = log_in(Client(HTTP_ACCEPT_LANGUAGE="ja"), user)
    assert response.status_code == 302
    assert person_language(user) == "en"
    assert response.cookies[COOKIE].value == "en"


def test_switching_in_the_top_bar_is_given_back_at_the_next_login_on_another_browser() -> None:
    user = UserFactory()
    log_in(Client(HTTP_ACCEPT_LANGUAGE="en"), user)  # first login: English stored
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    log_in(browser, user)
    browser.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert person_language(user) == "es"
    other = Client(HTTP_ACCEPT_LANGUAGE="fr")
    response = log_in(other, user)
    assert response.cookies[COOKIE].value == "es"
    assert html_lang(other.get("/", follow=True)) == "es"


def test_staff_get_their_language_on_the_two_factor_step() -> None:
    staff = UserFactory(is_staff=True)
    person_language_set(user=staff, language="ru")
    browser = Client(HTTP_ACCEPT_LANGUAGE="de")
    response = log_in(browser, staff)
    assert response.cookies[COOKIE].value == "ru"
    page = browser.get(response["Location"], follow=True)
    assert page.redirect_chain  # to the two-factor setup page
    assert "/account/two-factor/" in page.redirect_chain[-1][0]
    assert html_lang(page) == "ru"


def test_an_invitation_accepted_in_a_language_makes_it_the_persons() -> None:
    staff = UserFactory(email="office@osce.org", is_staff=True)
    ngo: Organisation = OrganisationFactory(code="ngo-x", name="NGO X")
    _invitation, token = invitation_create(
        organisation=ngo, email="olena@example.org", role=Role.CONTRIBUTOR, invited_by=staff, base_url="http://t"
    )
    assert mail.outbox
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.cookies[COOKIE] = "fr"  # the person switched the acceptance page to French
    password = "a-brand-new-password-2026"
    response = browser.post(f"/invitations/accept/{token}/", {"new_password1": password, "new_password2": password})
    assert response.status_code == 302
    olena = PersonSettings.objects.get(user__email="olena@example.org").user
    assert person_language(olena) == "fr"
    assert response.cookies[COOKIE].value == "fr"

    elsewhere = Client(HTTP_ACCEPT_LANGUAGE="de")
    response = elsewhere.post(reverse("login"), {"username": "olena@example.org", "password": password})
    assert response.cookies[COOKIE].value == "fr"
    assert html_lang(elsewhere.get(response["Location"], follow=True)) == "fr"


# --- e-mails in the recipient's language -------------------------------------------------------------------------


def _expiry_in(language: str, invitation: Invitation) -> str:
    with translation.override(language):
        return date_format(timezone.localtime(invitation.expires_at), "DATETIME_FORMAT")


def test_an_invitation_is_written_in_the_language_chosen_on_the_people_page() -> None:
    staff = UserFactory(is_staff=True)
    ngo = OrganisationFactory(code="ngo-y", name="NGO Y")
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    force_login_verified(browser, staff)
    page = browser.get(f"/organisations/{ngo.code}/people/")
    assert 'name="language"' in page.content.decode()
    response = browser.post(
        f"/organisations/{ngo.code}/people/", {"email": "ivan@example.org", "role": Role.CONTRIBUTOR, "language": "ru"}
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.language == "ru"
    body = mail.outbox[-1].body
    assert _expiry_in("ru", invitation) in body
    assert _expiry_in("en", invitation) not in body


def test_an_invitation_to_an_existing_account_speaks_its_chosen_language() -> None:
    staff = UserFactory(email="office@osce.org", is_staff=True)
    person = UserFactory(email="hans@example.org")
    person_language_set(user=person, language="de")
    ngo = OrganisationFactory(code="ngo-z", name="NGO Z")
    invitation, _token = invitation_create(
        organisation=ngo, email=person.email, role=Role.VIEWER, invited_by=staff, base_url="http://t"
    )
    assert invitation.language == ""
    assert _expiry_in("de", invitation) in mail.outbox[-1].body


def test_the_acceptance_page_speaks_the_invitations_language_until_the_browser_chose_one() -> None:
    staff = UserFactory(is_staff=True)
    ngo = OrganisationFactory(code="ngo-w", name="NGO W")
    _invitation, token = invitation_create(
        organisation=ngo,
        email="new@example.org",
        role=Role.VIEWER,
        invited_by=staff,
        base_url="http://t",
        language="fr",
    )
    link = f"/invitations/accept/{token}/"
    assert html_lang(Client(HTTP_ACCEPT_LANGUAGE="en").get(link)) == "fr"
    chosen = Client(HTTP_ACCEPT_LANGUAGE="en")
    chosen.cookies[COOKIE] = "es"
    assert html_lang(chosen.get(link)) == "es"


def test_a_password_reset_mail_speaks_the_persons_chosen_language(monkeypatch: pytest.MonkeyPatch) -> None:
    spoken: list[str | None] = []
    original = PasswordResetForm.send_mail

    def recording(self: PasswordResetForm, *args: object, **kwargs: object) -> None:
        spoken.append(translation.get_language())
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(PasswordResetForm, "send_mail", recording)
    chose = UserFactory(email="chose@example.org")
    person_language_set(user=chose, language="it")
    never = UserFactory(email="never@example.org")
    assert not PersonSettings.objects.filter(user=never).exists()
    for person in (chose, never):
        password_reset_send(email=person.email, ip=None, domain="testserver", use_https=False, language="es")
    assert spoken == ["it", "es"]  # the chosen language; the request's for a person who never chose
    assert len(mail.outbox) == 2


def test_a_language_switched_just_before_logging_in_becomes_the_persons() -> None:
    """A newcomer chose French on the login page and landed in the Russian they had chosen weeks before."""
    user = UserFactory()
    person_language_set(user=user, language="ru")
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.post(reverse("set_language"), {"language": "fr", "next": reverse("login")})
    assert html_lang(browser.get(reverse("login"))) == "fr"
    response = log_in(browser, user)
    assert response.cookies[COOKIE].value == "fr"
    assert html_lang(browser.get(response["Location"], follow=True)) == "fr"
    assert person_language(user) == "fr"  # and the mails follow

    # The choice was for that login only: on another browser later, the stored (now French) language comes back,
    # and a second login in the first browser does not reuse the old switch.
    person_language_set(user=user, language="de")
    browser.logout()
    assert log_in(browser, user).cookies[COOKIE].value == "de"
