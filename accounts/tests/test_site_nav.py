"""The navigation bar, kept per language and kind of page (accounts/templatetags/site_nav.py): every page shows the
bar the template writes for that person and page, with the request's own token, address and name."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.templatetags.site_nav import site_nav_clear
from tests.otp_helpers import verified_client
from tests.scenario import Scenario

COORD, OTHER = "coord@at.example.org", "other@at.example.org"


@pytest.fixture
def s(db: None) -> Scenario:
    site_nav_clear()
    return Scenario().round("small").state("AT", coordinator=[COORD, OTHER])


def bar(page: str) -> str:
    found = re.search(r"<nav class=\"navbar.*?</nav>", page, re.S)
    assert found, "no navigation bar"
    return found.group(0)


def fresh(page: str, **values: Any) -> str:
    """The bar as the template writes it with the request's values in place (no kept copy, no placeholder)."""
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', bar(page))
    context = {"nav_form": True, "nav_current": "", "nav_api_tokens": False, "nav_staff": False, **values}
    if token:
        context["csrf_token"] = token.group(1)
    return bar(str(get_template("partials/site_nav.html").render(context)))


def get(client: Client, url: str, language: str = "en") -> str:
    got = client.get(url, headers={"accept-language": language})
    assert got.status_code == 200, url
    return str(got.content.decode())


def test_a_visitor_sees_the_log_in_link_marked_as_the_current_page(s: Scenario) -> None:
    page = get(Client(), reverse("login"))
    assert 'aria-current="page" href="/accounts/login/"' in bar(page)
    assert bar(page) == fresh(page, nav_authenticated=False, nav_current="login", nav_next=reverse("login"))


def test_each_person_sees_their_own_name_and_the_current_page_in_their_language(s: Scenario) -> None:
    first, second = Client(), Client()
    first.force_login(s.person(COORD))
    second.force_login(s.person(OTHER))
    url = reverse("responses:my-rounds")
    with translation.override("fr"):
        mine = get(first, url, "fr")
        theirs = get(second, url, "fr")
    assert COORD in bar(mine)
    assert OTHER not in bar(mine)
    assert OTHER in bar(theirs)
    assert COORD not in bar(theirs)
    assert "Mes questionnaires" in bar(mine)
    assert f'aria-current="page" href="{url}" data-nav="my-rounds"' in bar(mine)
    with translation.override("fr"):
        expected = fresh(
            mine, nav_authenticated=True, nav_current="my-rounds", nav_next=url, nav_name=COORD, nav_api_tokens=True
        )
    assert bar(mine) == expected
    # The language form posts the page's own token: changing the language works from a kept bar.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', bar(theirs))
    assert token
    changed = second.post(reverse("set_language"), {"language": "de", "next": url, "csrfmiddlewaretoken": token[1]})
    assert changed.status_code == 302


def test_the_address_the_language_form_returns_to_is_escaped(s: Scenario) -> None:
    client = Client()
    client.force_login(s.person(COORD))
    url = reverse("responses:my-rounds") + '?q="><script>x</script>&n=1'
    page = get(client, url)
    # The test client sends the quotes and brackets percent-encoded; the ampersand reaches the page as typed.
    assert (
        f'name="next" type="hidden" value="{reverse("responses:my-rounds")}?q=%22%3E%3Cscript%3Ex%3C/script%3E&amp;n=1"'
        in bar(page)
    )
    sent = reverse("responses:my-rounds") + "?q=%22%3E%3Cscript%3Ex%3C/script%3E&n=1"
    assert bar(page) == fresh(
        page, nav_authenticated=True, nav_current="my-rounds", nav_next=sent, nav_name=COORD, nav_api_tokens=True
    )


def test_office_staff_get_their_wider_bar(s: Scenario) -> None:
    staff = s.person("office@osce.example.org", is_staff=True)
    page = get(verified_client(staff), reverse("responses:staff-home"))
    assert "navbar-expand-xl" in bar(page)
    assert 'data-nav="staff-home"' in bar(page)
    assert bar(page) == fresh(
        page,
        nav_authenticated=True,
        nav_staff=True,
        nav_current="staff-home",
        nav_next=reverse("responses:staff-home"),
        nav_name="office@osce.example.org",
    )


def test_an_address_holding_a_placeholder_s_text_is_written_as_it_is(s: Scenario) -> None:
    """The request's values go in in one pass: an address that holds the name's placeholder does not get the
    person's e-mail put into it (a link anyone could craft)."""
    from accounts.templatetags.site_nav import NAME

    client = Client()
    client.force_login(s.person(COORD))
    page = get(client, reverse("responses:my-rounds") + f"?x={NAME}")
    assert f'value="/my/?x={NAME}"' in bar(page)
    assert f"?x={COORD}" not in page


def test_bars_of_every_kind_kept_side_by_side_are_each_right(s: Scenario) -> None:
    """One process keeps a bar per kind: a visitor's, a contributor's (no API tokens), a coordinator's and the
    Office's, each asked in turn and again, must each be the bar the template writes for that person."""
    s.member("AT", "contributor", "contrib@at.example.org")
    staff = s.person("office@osce.example.org", is_staff=True)
    visitor, contributor, coordinator = Client(), Client(), Client()
    contributor.force_login(s.person("contrib@at.example.org"))
    coordinator.force_login(s.person(COORD))
    office = verified_client(staff)
    home = reverse("surveys:home")
    expected = {
        "visitor": {"nav_authenticated": False, "nav_current": "home", "nav_next": home},
        "contributor": {
            "nav_authenticated": True,
            "nav_current": "home",
            "nav_next": home,
            "nav_name": "contrib@at.example.org",
        },
        "coordinator": {
            "nav_authenticated": True,
            "nav_current": "home",
            "nav_next": home,
            "nav_name": COORD,
            "nav_api_tokens": True,
        },
        "office": {
            "nav_authenticated": True,
            "nav_current": "home",
            "nav_next": home,
            "nav_name": "office@osce.example.org",
            "nav_staff": True,
            "nav_api_tokens": True,
        },
    }
    clients = {"visitor": visitor, "contributor": contributor, "coordinator": coordinator, "office": office}
    for _ in range(2):
        for who, client in clients.items():
            page = get(client, home)
            assert bar(page) == fresh(page, **expected[who]), who
