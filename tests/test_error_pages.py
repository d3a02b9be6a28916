"""The site's own 400, 403, 404 and 500 pages in production mode (DEBUG=0): plain words and a way back home, never
Django's debug page; the 500 page needs neither the request nor the database. In development mode (DEBUG=1, what
`make run` serves) refused and unknown addresses show the site's 404 page too."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse

from accounts.models import Role
from responses.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _raises(request: HttpRequest) -> None:
    raise RuntimeError("a bug")


def _forbidden(request: HttpRequest) -> None:
    raise PermissionDenied


# The project's addresses plus two that fail, with the project's error handler.
urlpatterns = [path("boom/", _raises), path("forbidden/", _forbidden), path("", include("oscethb.urls"))]
handler500 = "oscethb.middleware.server_error"


def _site_page(response, code: int) -> str:
    html = response.content.decode()
    assert response.status_code == code
    assert f'data-error-page="{code}"' in html
    assert f'href="{reverse("surveys:home")}"' in html  # a way back home
    for debug_page_text in ("Traceback", "DEBUG = True", "URLconf"):
        assert debug_page_text not in html
    return html


@override_settings(DEBUG=False)
def test_an_unknown_address_shows_the_sites_404_page(client):
    html = _site_page(client.get("/no-such-page/"), 404)
    assert "We cannot show you this page" in html


@override_settings(DEBUG=False)
def test_another_organisations_response_shows_the_404_page_with_a_way_to_ones_questionnaires(client):
    from django.core.management import call_command

    call_command("load_survey", "surveys/definitions/thb-2016.yaml", verbosity=0)
    member = MembershipFactory(organisation__code="XX-NGO", role=Role.COORDINATOR).user
    client.force_login(member)
    html = _site_page(client.get(reverse("responses:response-home", args=["thb-2016", "DE"])), 404)
    assert f'href="{reverse("responses:my-rounds")}"' in html


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_a_refused_action_shows_the_sites_403_page(client):
    html = _site_page(client.get("/forbidden/"), 403)
    assert "Nothing was changed." in html


@override_settings(DEBUG=False)
def test_a_malformed_request_shows_the_sites_400_page(client):
    # An invalid Host header is refused (DisallowedHost) before any view runs.
    html = _site_page(client.get("/", HTTP_HOST="not a host name"), 400)
    assert "We could not understand this request" in html


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_a_bug_shows_the_sites_500_page():
    client = Client(raise_request_exception=False)
    html = _site_page(client.get("/boom/"), 500)
    assert "Something went wrong on our side" in html


def test_the_500_page_needs_no_request_and_no_database():
    with CaptureQueriesContext(connection) as queries:
        html = render_to_string("500.html")
    assert len(queries) == 0
    assert "INVALID_TEMPLATE_VARIABLE" not in html
    assert 'data-error-page="500"' in html


@override_settings(DEBUG=True)
def test_in_development_mode_refused_and_unknown_addresses_show_the_sites_404_page_too(client):
    _site_page(client.get("/no-such-page/"), 404)
    _site_page(client.get(reverse("surveys:survey-questionnaire", args=["no-such-round"])), 404)
