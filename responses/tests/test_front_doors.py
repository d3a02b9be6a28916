"""The front doors: where a login lands, the respondent's cards (status, progress, days left, role, Start/Continue/
View), the staff home with its status counts and links, the navigation and the home page's call to action."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation
from responses.models import Response
from responses.services import response_get_or_create
from surveys.models import Survey
from tests.otp_helpers import force_login_verified

from .conftest import answer
from .factories import UserFactory

PASSWORD = "a-long-front-door-password-2026"


def _card(html: str, key: str) -> str:
    start = html.index(f'data-card="{key}"')
    return html[start : html.index("</article>", start)]


def _log_in(client, user, **query: str):
    user.set_password(PASSWORD)
    user.save()
    url = reverse("login") + (f"?next={query['next']}" if "next" in query else "")
    return client.post(url, {"username": user.username, "password": PASSWORD})


# --- where a login lands ---------------------------------------------------------------------------------------


def test_a_member_lands_on_their_questionnaires_after_logging_in(client, round2016, people):
    landed = _log_in(client, people.coordinator)
    assert landed.status_code == 302
    assert client.get(landed["Location"])["Location"] == reverse("responses:my-rounds")


def test_staff_land_on_the_staff_home_once_their_code_is_given(client, round2016, people):
    force_login_verified(client, people.staff)
    assert client.get(reverse("responses:after-login"))["Location"] == reverse("responses:staff-home")


def test_someone_without_an_organisation_lands_on_the_home_page(client, round2016):
    _log_in(client, UserFactory())
    assert client.get(reverse("responses:after-login"))["Location"] == reverse("surveys:home")


def test_a_next_address_given_to_the_login_page_still_wins(client, round2016, people):
    target = reverse("responses:response-review", args=["thb-2016", "AT"])
    landed = _log_in(client, people.coordinator, next=target)
    assert landed["Location"] == target


# --- the respondent's cards ------------------------------------------------------------------------------------


def test_a_coordinator_who_has_answered_nothing_is_offered_start(client, round2016, people):
    client.force_login(people.coordinator)
    html = client.get(reverse("responses:my-rounds")).content.decode()
    card = _card(html, "thb-2016:AT")
    assert 'data-card-action="start"' in card
    assert reverse("responses:response-home", args=["thb-2016", "AT"]) in card
    assert "Not started" in card
    assert re.search(r"0 of \d+ required questions answered", card), card
    assert "Coordinator" in card


def test_the_card_counts_required_answers_and_offers_continue(client, response_at, people):
    answer(response_at, "PRV.SUP.01", "yes", people.contributor)
    client.force_login(people.contributor)
    card = _card(client.get(reverse("responses:my-rounds")).content.decode(), "thb-2016:AT")
    assert 'data-card-action="continue"' in card
    assert "In progress" in card
    assert re.search(r"1 of \d+ required questions answered", card), card
    assert "Contributor" in card


def test_the_card_reads_the_progress_kept_on_the_response_not_its_answers(client, response_at, people):
    answer(response_at, "PRV.SUP.01", "yes", people.contributor)
    client.force_login(people.contributor)
    client.get(reverse("responses:my-rounds"))  # warm up: the session, the round's structure
    with CaptureQueriesContext(connection) as queries:
        card = _card(client.get(reverse("responses:my-rounds")).content.decode(), "thb-2016:AT")
    assert re.search(r"1 of \d+ required questions answered", card), card
    read = [q["sql"] for q in queries.captured_queries]
    assert not [sql for sql in read if "responses_answer" in sql or "responses_evidence" in sql], read
    # Progress kept for another version of the round's structure is not trusted: it is computed from the answers.
    Response.objects.filter(pk=response_at.pk).update(progress={"version": -1, "sections": {}})
    card = _card(client.get(reverse("responses:my-rounds")).content.decode(), "thb-2016:AT")
    assert re.search(r"1 of \d+ required questions answered", card), card


def test_a_viewer_and_a_submitted_response_are_offered_view(client, response_at, people):
    client.force_login(people.viewer)
    assert 'data-card-action="view"' in _card(
        client.get(reverse("responses:my-rounds")).content.decode(), "thb-2016:AT"
    )
    Response.objects.filter(pk=response_at.pk).update(status=Response.Status.SUBMITTED)
    client.force_login(people.coordinator)
    card = _card(client.get(reverse("responses:my-rounds")).content.decode(), "thb-2016:AT")
    assert 'data-card-action="view"' in card
    assert "Submitted" in card


def test_a_closed_round_is_offered_view(client, round2016, people):
    Survey.objects.filter(pk=round2016.pk).update(status=Survey.Status.CLOSED, closes_on=timezone.localdate())
    client.force_login(people.coordinator)
    card = _card(client.get(reverse("responses:my-rounds")).content.decode(), "thb-2016:AT")
    assert 'data-card-action="view"' in card
    assert "The round is closed." in card


def test_the_card_says_how_many_days_are_left(client, round2016, people):
    Survey.objects.filter(pk=round2016.pk).update(closes_on=timezone.localdate() + dt.timedelta(days=9))
    client.force_login(people.coordinator)
    card = _card(client.get(reverse("responses:my-rounds")).content.decode(), "thb-2016:AT")
    assert "10 days left" in card  # the closing day itself counts


def test_a_round_closed_long_ago_moves_to_earlier_rounds(client, round2016, people):
    Survey.objects.filter(pk=round2016.pk).update(
        status=Survey.Status.CLOSED, closes_on=timezone.localdate() - dt.timedelta(days=800)
    )
    client.force_login(people.coordinator)
    html = client.get(reverse("responses:my-rounds")).content.decode()
    assert "Earlier rounds" in html
    assert "<article" not in html
    assert reverse("responses:response-home", args=["thb-2016", "AT"]) in html  # still reachable


def test_an_ngo_member_gets_only_the_ngo_card(client, round2016, people):
    client.force_login(people.ngo_coordinator)
    html = client.get(reverse("responses:my-rounds")).content.decode()
    assert 'data-card="thb-2016:ngo-at-test"' in html
    assert 'data-card="thb-2016:AT"' not in html


# --- navigation and the home page ------------------------------------------------------------------------------


def test_the_navigation_leads_members_to_their_questionnaires_and_marks_the_current_page(client, round2016, people):
    client.force_login(people.viewer)
    html = client.get(reverse("responses:my-rounds")).content.decode()
    assert re.search(r'class="nav-link active" aria-current="page" href="/my/"', html), html[:3000]
    assert reverse("responses:staff-home") not in html
    home = client.get(reverse("surveys:home")).content.decode()
    assert 'href="/my/"' in home
    assert "Go to my questionnaires" in home


def test_the_navigation_leads_staff_to_the_staff_home(client, round2016, people):
    force_login_verified(client, people.staff)
    html = client.get(reverse("surveys:home")).content.decode()
    assert f'href="{reverse("responses:staff-home")}"' in html
    assert "Go to the staff home" in html


def test_the_home_page_asks_a_visitor_to_log_in(client, round2016):
    html = client.get(reverse("surveys:home")).content.decode()
    assert "Log in to answer" in html
    assert f'href="{reverse("login")}"' in html


# --- the staff home --------------------------------------------------------------------------------------------


def test_the_staff_home_counts_responses_by_status_and_links_every_staff_page(client, round2016, people):
    for organisation, status in ((people.austria, "submitted"), (people.germany, "in_progress")):
        response = response_get_or_create(survey=round2016, organisation=organisation)
        Response.objects.filter(pk=response.pk).update(status=status)
    force_login_verified(client, people.staff)
    html = client.get(reverse("responses:staff-home")).content.decode()
    section = html[html.index('data-round="thb-2016"') :]
    assert re.search(r'data-count-status="submitted">\s*<a[^>]*>Submitted: <strong>1</strong>', section)
    assert re.search(r'data-count-status="in_progress">\s*<a[^>]*>In progress: <strong>1</strong>', section)
    asked = int(re.search(r"(\d+) organisations in all", section).group(1))
    not_started = int(
        re.search(r'data-count-status="not_started">\s*<a[^>]*>Not started: <strong>(\d+)', section).group(1)
    )
    assert not_started == asked - 2
    for url in (
        reverse("reports:dashboard-round", args=["thb-2016"]),
        reverse("responses:staff-responses", args=["thb-2016"]),
        reverse("reports:excel-export-start", args=["thb-2016"]),
        reverse("responses:staff-import-responses", args=["thb-2016"]),
        reverse("surveys:survey-questionnaire", args=["thb-2016"]),
        reverse("accounts:invitations-bulk"),
        reverse("admin:index"),
    ):
        assert f'href="{url}' in html, url


def _home_counts(html: str, slug: str) -> dict[str, int]:
    section = html[html.index(f'data-round="{slug}"') :]
    section = section[: section.index("</section>")]
    return {s: int(n) for s, n in re.findall(r'data-count-status="(\w+)">.*?<strong>(\d+)</strong>', section, re.S)}


def _board_totals(html: str) -> dict[str, dict[str, int]]:
    """status -> kind (states, partners, ngos) -> count, from the status board's totals table."""
    table = html[html.index("data-totals") : html.index("</table>", html.index("data-totals"))]
    return {
        status: {kind: int(n) for kind, n in re.findall(r"data-(\w+)s>(\d+)<", row)}
        for status, row in re.findall(r'data-total-status="(\w+)">(.*?)</tr>', table, re.S)
    }


def test_the_staff_home_counts_what_the_status_board_counts(client, round2016, people):
    """One definition of "asked": every participating State and registered NGO, and Partners for Co-operation only
    once the round's data has them; organisations that never opened the questionnaire are "Not started"."""
    for organisation, status in ((people.austria, "submitted"), (people.germany, "accepted"), (people.ngo, "returned")):
        response = response_get_or_create(survey=round2016, organisation=organisation)
        Response.objects.filter(pk=response.pk).update(status=status)
    response_get_or_create(survey=round2016, organisation=Organisation.objects.get(code="FR"))  # opened, not started
    force_login_verified(client, people.staff)

    def agree() -> tuple[dict[str, int], dict[str, dict[str, int]], str]:
        home = client.get(reverse("responses:staff-home")).content.decode()
        board = _board_totals(client.get(reverse("reports:dashboard-round", args=["thb-2016"])).content.decode())
        counts = _home_counts(home, "thb-2016")
        assert counts == {status: sum(by_kind.values()) for status, by_kind in board.items()}
        return counts, board, home

    counts, board, home = agree()
    states = Organisation.objects.filter(kind="state").count()
    ngos = Organisation.objects.filter(kind="ngo").count()
    assert counts["not_started"] == states + ngos - 3
    assert board["not_started"] == {"state": states - 2, "ngo": ngos - 1}
    assert f"{states} participating States" in home
    assert "Partner" not in home  # eleven are registered, none is in this round's data
    assert f"{states + ngos} organisations in all" in home

    # A Partner that opened the questionnaire is counted, on the home page and on the board alike.
    partner = Organisation.objects.get(code="IL")
    Response.objects.filter(pk=response_get_or_create(survey=round2016, organisation=partner).pk).update(
        status="in_progress"
    )
    counts, board, home = agree()
    assert board["in_progress"]["partner"] == 1
    assert "1 Partner for Co-operation" in home
    assert f"{states + ngos + 1} organisations in all" in home

    # "Not started" leads to the list of exactly those organisations, including those without a response row.
    link = reverse("responses:staff-responses", args=["thb-2016"]) + "?status=not_started"
    assert f'href="{link}"' in home
    listed = re.findall(r'<tr data-organisation="([^"]+)"', client.get(link).content.decode())
    assert len(listed) == counts["not_started"]
    assert {"FR", "US", "MD"} <= set(listed)  # FR opened it; the others never did
    assert not {"AT", "DE", "IL", people.ngo.code} & set(listed)
    everyone = re.findall(r'<tr data-organisation="([^"]+)"', client.get(link.split("?")[0]).content.decode())
    assert len(everyone) == sum(counts.values())


@pytest.mark.parametrize("who", ["coordinator", "viewer", "ngo_coordinator"])
def test_the_staff_home_is_not_found_for_respondents(client, round2016, people, who):
    client.force_login(getattr(people, who))
    assert client.get(reverse("responses:staff-home")).status_code == 404
