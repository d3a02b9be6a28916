"""The autosave answer written as strings (responses/autosave_html.py) is the answer the template writes, for every
kind of plain save it writes: a first save, a table cell, an answer the respondent's other answers hide, cells still
to be confirmed after a copy, names that need escaping, in several languages. Any other outcome goes to the template."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.template.loader import render_to_string

from responses import autosave_html as module
from responses.models import Answer
from responses.services import response_get_or_create
from responses.views import answering

from .conftest import answer, question

pytestmark = pytest.mark.django_db

TEMPLATE = "responses/partials/autosave.html"
GRID = "PRT.DATA.01"
A, B = "2012.female.adult.sexual_exploitation", "2012.female.adult.domestic_servitude"


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Each answer the code wrote, with what the template writes from the same context."""
    pairs: list[tuple[str, str]] = []

    def both(context: dict[str, Any]) -> str:
        written = module.autosave_html(context)
        pairs.append((written, render_to_string(TEMPLATE, context)))
        return written

    monkeypatch.setattr(answering, "autosave_html", both)
    return pairs


def _autosave(client: Any, org: str, code: str, data: dict[str, str], language: str = "en") -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    result = client.post(f"/rounds/thb-2016/respond/{org}/autosave/{code}/", data)
    assert result.status_code == 200, result.content[:300]
    return result.content.decode()


@pytest.mark.parametrize("language", ["en", "fr", "ru", "de"])
def test_a_plain_save_is_written_as_the_template_writes_it(
    client: Any, response_at: Any, people: Any, compared: list[tuple[str, str]], language: str
) -> None:
    people.coordinator.first_name, people.coordinator.last_name = "Anna <b>&", 'O\'Brien "Jr"'
    people.coordinator.save()
    client.force_login(people.coordinator)
    # A one-value question: the first save and a second one over it.
    first = _autosave(
        client, "AT", "PRV.SUP.01", {"PRV.SUP.01||": "yes", "v|PRV.SUP.01||": "0", "o|PRV.SUP.01||": ""}, language
    )
    assert 'data-save-state="saved"' in first
    _autosave(
        client, "AT", "PRV.SUP.01", {"PRV.SUP.01||": "no", "v|PRV.SUP.01||": "1", "o|PRV.SUP.01||": "yes"}, language
    )
    # A table's cell: the last change names its cell.
    grid = {f"{GRID}|{A}|national": "5", f"v|{GRID}|{A}|national": "0", f"o|{GRID}|{A}|national": ""}
    _autosave(client, "AT", GRID, grid, language)
    # Cells still to be confirmed after a copy: the question says so and the page keeps the mark.
    Answer.objects.filter(question__code=GRID).update(needs_review=True)
    other = {f"{GRID}|{B}|national": "3", f"v|{GRID}|{B}|national": "0", f"o|{GRID}|{B}|national": ""}
    reviewed = _autosave(client, "AT", GRID, other, language)
    assert "data-needs-review" in reviewed
    assert f'name="r|{GRID}|{A}|national" value="1"' in reviewed
    assert len(compared) == 4
    for written, template in compared:
        assert written == template, (written, template)


def test_an_answer_the_respondent_s_other_answers_hide_is_written_as_the_template_writes_it(
    client: Any, round2016: Any, people: Any, compared: list[tuple[str, str]]
) -> None:
    response = response_get_or_create(survey=round2016, organisation=people.ngo)
    answer(response, "NGO.P.01", ["research"], people.ngo_coordinator)  # NGO.P.04 is then hidden
    follow_up = question(round2016, "NGO.P.04")
    row, column = next(spec.key for spec in follow_up.cells())
    name = f"NGO.P.04|{row}|{column}"
    client.force_login(people.ngo_coordinator)
    html = _autosave(client, people.ngo.code, "NGO.P.04", {name: "3", "v|" + name: "0", "o|" + name: ""}, "fr")
    assert 'data-save-state="saved-hidden"' in html
    assert len(compared) == 1
    assert compared[0][0] == compared[0][1]


def test_an_error_a_conflict_or_a_mistyped_cell_is_left_to_the_template(
    client: Any, response_at: Any, people: Any, compared: list[tuple[str, str]]
) -> None:
    client.force_login(people.coordinator)
    mistyped = _autosave(client, "AT", GRID, {f"{GRID}|{A}|national": "5x", f"v|{GRID}|{A}|national": "0"})
    assert 'data-save-state="partial"' in mistyped
    _autosave(client, "AT", "PRV.SUP.01", {"PRV.SUP.01||": "yes", "v|PRV.SUP.01||": "0", "o|PRV.SUP.01||": ""})
    stale = _autosave(client, "AT", "PRV.SUP.01", {"PRV.SUP.01||": "no", "v|PRV.SUP.01||": "0", "o|PRV.SUP.01||": ""})
    assert 'data-save-state="conflict"' in stale
    assert len(compared) == 1  # only the plain save in between was written by the code
