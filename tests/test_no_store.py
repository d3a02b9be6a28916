"""Pages and files that carry answers or documents are never cached: `Cache-Control: no-store` on every URL that
oscethb.middleware.no_store_url_name covers (answer pages, autosave, history, evidence, exports, the staff pages that
list individual answers), for the people allowed to open them and for refusals alike."""

from __future__ import annotations

import pytest
from django.urls import reverse

from oscethb.middleware import no_store_url_name
from tests.access_helpers import OK, classify, client_for, describe, walk_patterns
from tests.test_access import EXPECTATIONS, _request, w, world  # noqa: F401 - w and world are fixtures

NAMES = sorted({name for name, _route in walk_patterns() if no_store_url_name(name)})
ALWAYS = {
    "responses:response-home",
    "responses:response-section",
    "responses:response-review",
    "responses:response-history",
    "responses:response-autosave",
    "responses:evidence-download",
    "reports:excel-export-download",
}


def test_the_answer_pages_exports_and_evidence_downloads_are_all_covered() -> None:
    assert set(NAMES) >= ALWAYS
    assert not no_store_url_name("surveys:home")
    assert not no_store_url_name("login")


def _allowed_cases():
    for name in NAMES:
        for entry in EXPECTATIONS[name]:
            role = next((role for role, outcome in entry.expect.items() if outcome == OK), None)
            if role is not None:
                yield pytest.param(name, entry, role, id=f"{name}-{entry.method}-{entry.label or role}")


@pytest.mark.parametrize(("name", "entry", "role"), list(_allowed_cases()))
def test_answer_urls_send_no_store_to_the_people_allowed(w, name: str, entry, role: str) -> None:  # noqa: F811
    response, _body = _request(w, role, name, entry)
    assert classify(response) == OK, describe(response)
    assert "no-store" in response.get("Cache-Control", ""), f"{role} {entry.method} {name}: {response.headers}"


def test_refusals_of_answer_urls_send_no_store_too(w) -> None:  # noqa: F811
    response = client_for(w, "coordinator_b").get(reverse("responses:response-home", args=[w.slug, "AT"]))
    assert response.status_code in (403, 404)
    assert "no-store" in response["Cache-Control"]


def test_other_pages_keep_normal_caching(w) -> None:  # noqa: F811
    response = client_for(w, "anonymous").get(reverse("surveys:home"))
    assert "no-store" not in response.get("Cache-Control", "")
