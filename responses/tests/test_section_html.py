"""The answering page's HTML stays what people (and the page's script, CSS and assistive technology) rely on.

Every section of the shipped rounds (thb-2016 for a State; thb-2021 for a State and an NGO, whose sections differ)
is rendered in five states: empty; answered (every cell, texts with characters to escape, marked as copied to
review); after a whole-page save with a mistyped value in every cell (a 422 page: the form bound to what was posted,
the messages next to the cells, the summaries); the same page read again (the kept mistyped texts); and read-only
(a viewer). The answer form and the page's error list are parsed and normalised (attributes and class names
sorted, whitespace collapsed, the CSRF token left out) and compared with the rendering captured from the code
before the widgets were written without Django's per-option templates and crispy
(data/section_html.json.gz): ids, names, values, labels, aria-* and data-* attributes, classes, messages, disabled
and checked states must all be the same.

A deliberate change of the page's HTML regenerates the file:
    OSCETHB_WRITE_SECTION_HTML=1 .venv/bin/python -m pytest responses/tests/test_section_html.py -p no:randomly
and the diff of the file's content is then reviewed like any other change.
"""

from __future__ import annotations

import datetime as dt
import difflib
import gzip
import json
import os
import re
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from responses.models import Answer
from responses.selectors import survey_structure
from responses.services import response_get_or_create
from surveys import answer_types as at
from tests.scenario import Scenario, load_round

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).resolve().parent / "data" / "section_html.json.gz"
WRITE = bool(os.environ.get("OSCETHB_WRITE_SECTION_HTML"))
ESCAPED = 'Tom & "Jerry" <b>’s</b>'  # a text to escape, in a value, a textarea and the page's state inputs
WHEN = dt.datetime(2021, 3, 4, 5, 6, tzinfo=dt.UTC)
BAD = {at.INTEGER: "12a", at.YEAR: "1234567", at.DECIMAL: "1,2,3", at.DATE: "31/02/2021", at.TEXT: "x" * 6000}


def _normal(node: Any, out: list[str]) -> None:
    if not isinstance(node.tag, str):  # a comment
        return
    attrs = []
    for name, value in sorted(node.attrib.items()):
        if name == "class":
            value = " ".join(sorted(value.split()))
        if name == "data-show-if":  # JSON: PostgreSQL's jsonb keeps its keys in another order than SQLite
            value = json.dumps(json.loads(value), sort_keys=True)
        if name == "value" and node.get("name") == "csrfmiddlewaretoken":
            value = "(token)"
        attrs.append(f'{name}="{value}"' if value != "" or name not in BOOLEAN else name)
    out.append("<" + " ".join([node.tag, *attrs]) + ">")
    text = " ".join((node.text or "").split())
    if text:
        out.append(text)
    for child in node:
        _normal(child, out)
        tail = " ".join((child.tail or "").split())
        if tail:
            out.append(tail)
    out.append(f"</{node.tag}>")


BOOLEAN = {"checked", "disabled", "required", "selected", "readonly", "autofocus", "novalidate", "multiple"}


def normalised(html: str) -> list[str]:
    """The answer form and the page's error list, one tag or text per line, attributes and classes sorted."""
    page = lxml.html.fromstring(html)
    out: list[str] = []
    for node in page.xpath('//*[@data-page-errors] | //form[@id="section-form"]'):
        _normal(node, out)
    return out


def _post(client: Client, url: str, questions: list[Any], html: str) -> Any:
    """The whole page posted with a mistyped value in every cell, with the versions and values the page showed."""
    page = lxml.html.fromstring(html)
    data: dict[str, Any] = {}
    for hidden in page.xpath('//form[@id="section-form"]//input[@type="hidden"]'):
        data[hidden.get("name")] = hidden.get("value") or ""
    for q in questions:
        for spec in q.cells():
            name = f"{q.code}|{spec.key[0]}|{spec.key[1]}"
            data[name] = ["nope"] if spec.kind == at.CHOICES else BAD.get(spec.kind, "nope")
    return client.post(url, data)


def _answer_everything(scenario: Scenario, org: str, by: str, questions: list[Any]) -> None:
    answers = {}
    for q in questions:
        if q.answer_type.stores_files:
            continue
        raw = dict(q.answer_type.examples(q.shape))
        for spec in q.cells():
            if spec.kind == at.TEXT and spec.key in raw:
                raw[spec.key] = ESCAPED
        answers[q.code] = raw
    scenario.answers(org, answers, by=by)
    response = scenario.response(org)
    # Each cell saved a second after the one before: "Last changed" names the same cell on every database.
    stored = list(Answer.objects.filter(response=response).order_by("pk"))
    for number, answer in enumerate(stored):
        answer.updated_at = WHEN + dt.timedelta(seconds=number)
    Answer.objects.bulk_update(stored, ["updated_at"])
    # Every other question copied from the previous round, waiting to be confirmed.
    Answer.objects.filter(response=response, question__code__in=[q.code for q in questions[::2]]).update(
        needs_review=True
    )


def _pages(slug: str, org: str, ngo: bool) -> dict[str, list[str]]:
    if slug == "thb-2021":
        load_round("thb-2016")  # its previous round
    scenario = Scenario().round(slug)
    editor, viewer = f"c@{org}.example.org", f"v@{org}.example.org"
    if ngo:
        scenario.ngo(org, name="Stop Trafficking Vienna", coordinator=editor, viewer=viewer)
    else:
        scenario.state(org, coordinator=editor, viewer=viewer)
    survey = scenario.survey
    response = response_get_or_create(survey=survey, organisation=scenario.orgs[org])
    areas = survey_structure(survey, scenario.orgs[org].respondent_kind)
    sections = [s for a in areas for s in a.sections.all()]
    questions = [q for s in sections for q in s.questions.all()]
    editing, viewing = Client(), Client()
    editing.force_login(scenario.people[editor])
    viewing.force_login(scenario.people[viewer])
    assert response.organisation.memberships.get(user=scenario.people[viewer]).role == Role.VIEWER

    def url(section: Any) -> str:
        return f"/rounds/{slug}/respond/{org}/section/{section.code}/"

    pages: dict[str, list[str]] = {}

    def keep(state: str, section: Any, got: Any, status: int = 200) -> None:
        assert got.status_code == status, (state, section.code, got.status_code)
        pages[f"{slug} {org} {section.code} {state}"] = normalised(got.content.decode())

    for section in sections:
        keep("empty", section, editing.get(url(section)))
    _answer_everything(scenario, org, editor, questions)
    for section in sections:
        got = editing.get(url(section))
        keep("answered", section, got)
        keep("readonly", section, viewing.get(url(section)))
        asked = list(section.questions.all())
        posted = _post(editing, url(section), asked, got.content.decode()) if asked else None
        if posted is not None and posted.status_code != 302:  # 302: nothing refused (hidden questions are not saved)
            keep("errors", section, posted, 422)
            keep("kept", section, editing.get(url(section)))
    return pages


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # Answers saved now show their time; the fixed time makes "Last changed … on …" the same on every run.
    monkeypatch.setattr(timezone, "now", lambda: WHEN)


@pytest.mark.parametrize(
    ("slug", "org", "ngo"), [("thb-2016", "AT", False), ("thb-2021", "DE", False), ("thb-2021", "ngo-x", True)]
)
def test_section_pages_render_the_same_html_as_before(slug: str, org: str, ngo: bool) -> None:
    pages = _pages(slug, org, ngo)
    golden: dict[str, list[str]] = json.loads(gzip.decompress(GOLDEN.read_bytes())) if GOLDEN.exists() else {}
    if WRITE:
        golden.update(pages)
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_bytes(gzip.compress(json.dumps(golden, sort_keys=True, indent=0).encode(), mtime=0))
        return
    missing = sorted(set(pages) - set(golden))
    assert not missing, f"pages with no captured HTML: {missing[:5]}"
    for key, lines in pages.items():
        if lines != golden[key]:
            diff = "\n".join(difflib.unified_diff(golden[key], lines, "before", "now", n=2, lineterm=""))
            pytest.fail(f"{key} differs:\n{diff[:6000]}")
    # Every state shows something of its own: the test compares the pages it means to.
    assert any("data-cell-message" in line for key in pages if key.endswith("errors") for line in pages[key])
    assert any("checked" in line for key in pages if key.endswith("answered") for line in pages[key])
    assert any(re.search(r"\bdisabled\b", line) for key in pages if key.endswith("readonly") for line in pages[key])
