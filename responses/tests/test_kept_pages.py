"""The response pages written with kept fragments ({% kept %}, oscethb/kept.py) and kept question blocks are the
pages a fresh render writes, for each person, language and section, and after what changes them (an answer, a
submission)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from responses.selectors import survey_structure
from responses.services import response_submit
from tests.otp_helpers import force_login_verified

from .conftest import answer

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"[A-Za-z0-9]{64}")  # a masked CSRF token: new on every render
BASE = "/rounds/thb-2016/respond/AT/"


def _fresh() -> None:
    from oscethb.kept import kept_fragments_clear
    from responses.block_cache import block_cache_clear

    kept_fragments_clear()
    block_cache_clear()


def _page(client: Client, url: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return TOKEN.sub("TOKEN", response.content.decode())


def _urls(response: Any) -> list[str]:
    sections = [s.code for a in survey_structure(response.survey, "state") for s in a.sections.all()]
    # The first, a middle and the last section (their ways on differ), the home and the review.
    return [BASE, f"{BASE}review/", *(f"{BASE}section/{code}/" for code in (sections[0], sections[5], sections[-1]))]


def _same_as_fresh(clients: dict[str, Client], urls: list[str]) -> None:
    variants = [(who, url, language) for who in clients for url in urls for language in ("en", "fr")]
    for who, url, language in variants:
        _page(clients[who], url, language)
    kept = {(who, url, language): _page(clients[who], url, language) for who, url, language in reversed(variants)}
    for (who, url, language), page in kept.items():
        _fresh()
        assert page == _page(clients[who], url, language), (who, url, language)


def test_response_pages_with_kept_parts_are_the_pages_a_fresh_render_writes(response_at: Any, people: Any) -> None:
    clients = {
        "coordinator": force_login_verified(Client(), people.coordinator),
        "viewer": force_login_verified(Client(), people.viewer),
        "staff": force_login_verified(Client(), people.staff),
    }
    urls = _urls(response_at)
    _same_as_fresh(clients, urls)

    # What changes the pages comes through: an answer, then the submission (read-only, no way to submit).
    answer(response_at, "PRV.SUP.01", "yes", people.contributor)
    _same_as_fresh(clients, urls)
    response_at.refresh_from_db()
    response_submit(response=response_at, user=people.coordinator, require_complete=False)
    _same_as_fresh(clients, urls)
    submitted = _page(clients["coordinator"], urls[-1], "en")
    assert "data-review-link" not in submitted
    assert "data-review-link" not in _page(clients["coordinator"], urls[-2], "en")  # a middle section too
    assert 'name="save"' not in submitted
