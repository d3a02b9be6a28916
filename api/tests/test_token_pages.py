"""The "API tokens" page: staff and coordinators make named tokens (the key shown once, only its hash stored) and
revoke their own; making and revoking need a login confirmed with the second factor; nobody else sees the page."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from accounts.api_tokens import api_token_create, key_hash
from accounts.models import ApiToken
from tests.otp_helpers import confirmed_device, force_login_verified

from .conftest import CONTRIBUTOR_AT, COORDINATOR_AT, COORDINATOR_DE, STAFF, ApiWorld, bearer

PAGE = "accounts:api-tokens"


def _staff(world: ApiWorld) -> Client:
    return force_login_verified(Client(), world.person(STAFF))


def _verified_respondent(world: ApiWorld, email: str) -> Client:
    """A respondent who set up an authenticator app and confirmed this login with it (as staff always do)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client()
    user = world.person(email)
    device = confirmed_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def test_a_new_key_is_shown_once_and_only_its_hash_is_kept(api_world: ApiWorld) -> None:
    client = _staff(api_world)
    response = client.post(reverse(PAGE), {"name": "R on my laptop"})
    assert response.status_code == 200
    page = response.content.decode()
    key = re.search(r'id="new-key"[^>]*value="(oscethb_[^"]+)"', page)
    assert key is not None, page
    token = ApiToken.objects.get(name="R on my laptop")
    assert token.key_hash == key_hash(key.group(1))
    assert key.group(1) not in token.key_hash
    assert token.prefix == key.group(1)[: len(token.prefix)]
    # The key opens the API; the page never shows it again.
    assert bearer(key.group(1)).get(reverse("api:rounds")).status_code == 200
    again = client.get(reverse(PAGE)).content.decode()
    assert key.group(1) not in again
    assert "R on my laptop" in again
    assert token.prefix in again


def test_revoking_stops_the_key_and_keeps_the_row(api_world: ApiWorld) -> None:
    token, key = api_token_create(user=api_world.person(STAFF), name="old laptop")
    response = _staff(api_world).post(reverse("accounts:api-token-revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert bearer(key).get(reverse("api:rounds")).status_code == 401
    assert "Revoked" in _staff(api_world).get(reverse(PAGE)).content.decode()


def test_nobody_revokes_someone_elses_token(api_world: ApiWorld) -> None:
    token, key = api_token_create(user=api_world.person(COORDINATOR_AT), name="Austria's Excel")
    for client in (_staff(api_world), _verified_respondent(api_world, COORDINATOR_DE)):
        assert client.post(reverse("accounts:api-token-revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert bearer(key).get(reverse("api:rounds")).status_code == 200


def test_a_coordinator_with_two_factor_makes_a_token_that_reads_its_organisation(api_world: ApiWorld) -> None:
    client = _verified_respondent(api_world, COORDINATOR_DE)
    page = client.post(reverse(PAGE), {"name": "Germany's Power BI"}).content.decode()
    key = re.search(r'value="(oscethb_[^"]+)"', page)
    assert key is not None
    rows = bearer(key.group(1)).get(reverse("api:responses")).json()["results"]
    assert {row["organisation"] for row in rows} == {"DE"}


def test_a_coordinator_without_two_factor_is_asked_to_set_it_up(api_world: ApiWorld) -> None:
    client = Client()
    client.force_login(api_world.person(COORDINATOR_DE))
    page = client.get(reverse(PAGE)).content.decode()
    assert "data-needs-two-factor" in page
    assert 'name="name"' not in page
    before = ApiToken.objects.count()
    assert client.post(reverse(PAGE), {"name": "not yet"}).status_code == 403
    assert ApiToken.objects.count() == before


def test_contributors_viewers_and_visitors_have_no_tokens_page(api_world: ApiWorld) -> None:
    client = Client()
    client.force_login(api_world.person(CONTRIBUTOR_AT))
    assert client.get(reverse(PAGE)).status_code == 404
    assert client.post(reverse(PAGE), {"name": "x"}).status_code == 404
    response = Client().get(reverse(PAGE))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_an_empty_name_is_refused_with_the_reason(api_world: ApiWorld) -> None:
    before = ApiToken.objects.count()
    response = _staff(api_world).post(reverse(PAGE), {"name": "   "})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert ApiToken.objects.count() == before


def test_the_staff_home_and_a_coordinators_top_bar_link_to_the_page(api_world: ApiWorld) -> None:
    """Staff find it on the staff home (their top bar is full); a coordinator in the top bar; a contributor, who may
    not hold tokens, nowhere."""
    home = _staff(api_world).get(reverse("responses:staff-home")).content.decode()
    assert home.count(f'href="{reverse(PAGE)}"') == 1
    coordinator = Client()
    coordinator.force_login(api_world.person(COORDINATOR_AT))
    assert f'href="{reverse(PAGE)}"' in coordinator.get(reverse("responses:my-rounds")).content.decode()
    client = Client()
    client.force_login(api_world.person(CONTRIBUTOR_AT))
    assert reverse(PAGE) not in client.get(reverse("responses:my-rounds")).content.decode()


def test_the_documentation_page_uses_only_files_of_the_site(api_world: ApiWorld) -> None:
    page = _staff(api_world).get(reverse("api:docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>" not in html
    assert "http" not in html.replace("http-equiv", "")
    script = _staff(api_world).get(reverse("api:docs") + "?script=")
    assert script.status_code == 200
    assert reverse("api:schema") in script.content.decode()
    assert Client().get(reverse("api:docs")).status_code == 302
