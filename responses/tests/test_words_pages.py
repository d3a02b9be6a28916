"""People read words, not codes: the answer history, the conflict prompt and the "last changed" line show option
labels, cell names and statuses in the reader's language."""

from __future__ import annotations

import html as htmllib
import re
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import translation

from responses.models import Response
from responses.services import answers_save, response_submit
from tests.otp_helpers import force_login_verified

from .conftest import question

IN_PROCESS = "In process (being prepared or adopted)"
TABLE_ROW = "2013.female.adult.domestic_servitude"
TABLE_CELL = "2013, Female, Adults (18 and over), Domestic servitude, Foreign nationals"


def _save(response: Response, code: str, raw: dict[tuple[str, str], Any], user: Any) -> None:
    outcome = answers_save(
        response=response, question=question(response.survey, code), raw=raw, base_versions=None, user=user
    )
    assert outcome.ok, outcome


def _text(page: Any) -> str:
    return htmllib.unescape(page.content.decode())


def test_the_history_shows_option_labels_cell_names_and_status_changes_in_words(
    client: Client, response_at: Response, people: Any
) -> None:
    _save(response_at, "PRV.SUP.01", {("", ""): "in_process"}, people.coordinator)
    _save(response_at, "PRV.SUP.01", {("", ""): "yes"}, people.contributor)
    _save(response_at, "PRO.LEG.02", {("", ""): ["sexual_exploitation", "forced_begging"]}, people.coordinator)
    _save(response_at, "PRT.DATA.01", {(TABLE_ROW, "foreign"): 1234}, people.coordinator)
    Response.objects.filter(pk=response_at.pk).update(status=Response.Status.IN_PROGRESS)
    response_submit(response=response_at, user=people.coordinator, require_complete=False)

    force_login_verified(client, people.staff)
    page = _text(client.get(reverse("responses:response-history", args=["thb-2016", "AT"])))

    history = page[page.index("data-history") :]
    assert IN_PROCESS in history
    assert "in_process" not in history
    assert "Sexual exploitation; Forced begging" in history
    assert "sexual_exploitation" not in history
    assert TABLE_CELL in history
    assert TABLE_ROW not in page
    assert "PRV.SUP.01</span> · When the government buys" in history  # the code stays as the reference
    assert people.contributor.email in history or people.contributor.get_full_name() in history
    assert "From “In progress” to “Submitted”" in page
    assert 'data-event="submitted"' in page


def test_the_history_is_in_the_readers_language(client: Client, response_at: Response, people: Any) -> None:
    _save(response_at, "PRV.SUP.01", {("", ""): "in_process"}, people.coordinator)
    force_login_verified(client, people.staff)
    with translation.override("fr"):
        page = _text(
            client.get(reverse("responses:response-history", args=["thb-2016", "AT"]), HTTP_ACCEPT_LANGUAGE="fr")
        )
    assert "En cours (en préparation ou en voie d'adoption)" in page


def _stale_autosave(client: Client, code: str, row: str, column: str, value: str) -> str:
    name = f"{code}|{row}|{column}"
    page = client.post(
        reverse("responses:response-autosave", args=["thb-2016", "AT", code]),
        {name: value, f"v|{name}": "0", f"o|{name}": ""},
        HTTP_HX_REQUEST="true",
    )
    assert page.status_code == 200
    return _text(page)


def test_the_conflict_prompt_names_both_values_by_their_labels(
    client: Client, response_at: Response, people: Any
) -> None:
    _save(response_at, "PRV.SUP.01", {("", ""): "in_process"}, people.contributor)
    client.force_login(people.coordinator)
    page = _stale_autosave(client, "PRV.SUP.01", "", "", "no")
    prompt = re.search(r"data-conflict.*?</div>\s*</div>", page, re.S)
    assert prompt
    assert f"saved “{IN_PROCESS}” here" in prompt.group(0)
    assert "Your value “No” is not saved yet." in prompt.group(0)
    assert "“in_process”" not in prompt.group(0)
    # The buttons keep the option codes: they put the value back into the form.
    assert 'data-value="in_process"' in prompt.group(0)


def test_the_conflict_prompt_of_a_table_names_the_cell(client: Client, response_at: Response, people: Any) -> None:
    _save(response_at, "PRT.DATA.01", {(TABLE_ROW, "foreign"): 7}, people.contributor)
    client.force_login(people.coordinator)
    page = _stale_autosave(client, "PRT.DATA.01", TABLE_ROW, "foreign", "9")
    prompt = re.search(r"data-conflict.*?</div>\s*</div>", page, re.S)
    assert prompt
    assert f"saved “7” in {TABLE_CELL}" in prompt.group(0)
    assert "Your value “9” is not saved yet." in prompt.group(0)


def test_the_last_changed_line_of_a_table_names_the_cell_and_who(
    client: Client, response_at: Response, people: Any
) -> None:
    _save(response_at, "PRT.DATA.01", {(TABLE_ROW, "foreign"): 7}, people.contributor)
    client.force_login(people.coordinator)
    page = _text(client.get("/rounds/thb-2016/respond/AT/section/PRT.DATA/"))
    line = re.search(r"data-last-changed>(.*?)</p>", page, re.S)
    assert line
    assert f", in “{TABLE_CELL}”" in line.group(1)  # says where, not a bare "(2012, …)"
    who = people.contributor.get_full_name() or people.contributor.email
    assert f"Last changed by {who}" in line.group(1)
