"""States and Partners are named in the reader's language: on the respondent's pages, on the staff pages, in the mails
each recipient reads, and when an import names them in another language. NGOs keep their own name in every language.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.directory import OTHER_LANGUAGES
from accounts.models import Organisation
from accounts.people.language import person_language_set
from accounts.selectors import organisation_lookup_table, organisation_resolve
from responses.models import Response
from responses.services import response_submit
from tests.otp_helpers import force_login_verified

from .conftest import People

pytestmark = pytest.mark.django_db


def client_in(user: Any, language: str) -> Client:
    client = Client()
    force_login_verified(client, user)  # staff with their second factor
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_every_state_and_partner_of_the_directory_has_a_name_in_the_five_other_languages() -> None:
    states = Organisation.objects.exclude(kind=Organisation.Kind.NGO)
    assert states.count() == 68
    gaps = [(o.code, lang) for o in states for lang in OTHER_LANGUAGES if not o.names.get(lang)]
    assert gaps == []
    assert Organisation.objects.get(code="AT").names == {
        "fr": "Autriche",
        "de": "Österreich",
        "it": "Austria",
        "ru": "Австрия",
        "es": "Austria",
    }
    assert Organisation.objects.get(code="KR").names["ru"] == "Республика Корея"  # a Partner


def test_the_name_follows_the_active_language_and_an_ngo_keeps_its_own(people: People) -> None:
    austria = Organisation.objects.get(code="AT")
    with translation.override("ru"):
        assert austria.display_name == "Австрия"
        assert str(austria) == "Австрия"
        assert people.ngo.display_name == "Test NGO in Austria"
    with translation.override("de"):
        assert austria.display_name == "Österreich"
    with translation.override("en"):
        assert austria.display_name == "Austria"
    assert austria.name_in("fr") == "Autriche"
    assert austria.name_in("pt") == "Austria"  # a language the directory does not know: its English name


@pytest.mark.parametrize(
    ("language", "name", "english_left"),
    [("ru", "Австрия", "Austria"), ("fr", "Autriche", "Austria"), ("de", "Österreich", "Austria")],
)
def test_a_coordinator_reads_the_name_of_their_state_in_their_language(
    response_at: Response, people: People, language: str, name: str, english_left: str
) -> None:
    client = client_in(people.coordinator, language)
    for url in (
        reverse("responses:my-rounds"),
        reverse("responses:response-home", args=[response_at.survey.slug, "AT"]),
    ):
        page = client.get(url).content.decode()
        assert name in page, url
        assert english_left not in page, url


def test_staff_read_state_names_in_their_language_on_the_responses_list_and_the_board(
    response_at: Response, people: People
) -> None:
    client = client_in(people.staff, "fr")
    slug = response_at.survey.slug
    page = client.get(reverse("responses:staff-responses", args=[slug])).content.decode()
    assert "Autriche" in page
    assert ">Austria<" not in page
    board = client.get(reverse("reports:dashboard-round", args=[slug])).content.decode()
    assert "Autriche" in board
    assert "Allemagne" in board
    assert ">Austria<" not in board


def test_the_receipt_names_the_state_in_the_recipients_language_and_the_office_note_in_english(
    response_at: Response,
    people: People,
    mailoutbox: list,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    settings.OFFICE_EMAIL = "office@osce.test"
    person_language_set(user=people.coordinator, language="ru")
    with django_capture_on_commit_callbacks(execute=True):
        response_submit(response=response_at, user=people.coordinator, require_complete=False)
    (receipt,) = [m for m in mailoutbox if people.coordinator.email in m.to]
    assert "Австрия" in receipt.subject
    assert "Austria" not in receipt.subject
    office = [m for m in mailoutbox if people.coordinator.email not in m.to]
    assert [m.subject for m in office] == ["Austria submitted its answers to thb-2016"]


def test_imports_find_a_state_by_its_name_in_another_language(db: None) -> None:
    assert organisation_resolve("Австрия").code == "AT"
    assert organisation_resolve("allemagne").code == "DE"
    table = organisation_lookup_table()
    assert table["österreich"].code == "AT"
    assert table["república de corea"].code == "KR"


def test_the_directory_made_again_after_a_flush_has_the_names(db: None) -> None:
    """A flushed database (transactional tests, a restored backup) gets its States and Partners back with their
    names."""
    from accounts.directory import reference_organisations_ensure

    Organisation.objects.filter(code="TH").delete()
    assert reference_organisations_ensure() == 1
    assert Organisation.objects.get(code="TH").names["ru"] == "Таиланд"


def test_the_status_board_lists_states_alphabetically_in_the_readers_language(
    response_at: Response, people: People
) -> None:
    """In German, Österreich sits among the O's and Deutschland among the D's, not where their English names fall."""
    board = client_in(people.staff, "de").get(reverse("reports:dashboard-round", args=[response_at.survey.slug]))
    page = board.content.decode()
    order = [page.index(f">{name}<") for name in ("Deutschland", "Italien", "Österreich", "Zypern")]
    assert order == sorted(order)
