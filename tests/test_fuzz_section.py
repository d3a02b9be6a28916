"""Hostile posts to the whole-section save and to the autosave: never a 500, a clear message for every invalid value
on its own cell, and nothing stored but valid values in the poster's own response (the valid cells beside an
invalid one are saved; a rule across cells refuses the whole question).

tests/test_faults.py fuzzes the values posted to the autosave of one question. Here the whole section form is
posted (what the Save button sends), with every answer type of the shipped rounds, and the posts also name cells
that are not the page's: other sections' and other rounds' questions, question ids, rows and columns that do not
exist, another organisation's response, tampered versions, duplicated keys, and no CSRF token. Before and after
every post every Answer and AnswerChange of every response is compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.http import QueryDict
from django.test import Client
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from responses.models import Answer, AnswerChange, Response
from responses.values import as_text
from surveys import answer_types as at
from surveys.models import Question, Survey
from tests.scenario import Scenario

SLUG, OTHER_SLUG = "thb-2016", "thb-2021"
NGO_CODE = "ngo-fuzz-at"
# Sections that hold, between them, every answer type of the shipped rounds (likert_matrix only for NGOs).
STATE_SECTIONS = ["GEN.R", "PRO.LEG", "PRO.ENF", "PRO.DATA", "PRT.ASS", "PRT.DATA", "PAR.NAT"]
NGO_SECTIONS = ["GEN.R", "NGO.P"]
# At most one of these per post (a post of many would only measure the upload limit).
BIG = ["x" * 1_000_000, "é" * 600_000, "9" * 1_000_000, "yes;" * 250_000]
HOSTILE = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "yes\x00",
            "A\x00B",
            "9" * 40,
            "-1",
            "-0",
            "1e309",
            "-1e309",
            "NaN",
            "nan",
            "Infinity",
            "-Infinity",
            "0x10",
            "1_000",
            "١٢",  # Arabic-Indic digits
            "１２",  # full-width digits
            "\u202eyes",
            "ye\u200bs",
            "2015-02-30",
            "0000-00-00",
            "31.12.99999",
            "2015-06-30T10:00:00",
            "yes;no",
            "none;shelter",
            "['yes']",
            "{'a': 1}",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "🙂" * 10,
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
VERSIONS = st.sampled_from(["current", "absent", "", "0", "-5", "x", "\x00", "999999999999999999999", "1.5"])


@dataclass
class World:
    survey: Survey
    user: Any
    other_round: Survey
    questions: dict[tuple[str, str], list[Question]]  # (kind, section) -> questions asked of that kind
    foreign_names: list[str]  # field names that are not cells of any question of the posted section


def _question_list(survey: Survey, kind: str, section: str) -> list[Question]:
    return list(
        Question.objects.of_round(survey)
        .filter(section__code=section, audience__in=["both", kind])
        .select_related("option_set")
        .prefetch_related("option_set__options")
        .order_by("position")
    )


def _seed(s: Scenario, org: str, by: str, cells: dict[str, dict[tuple[str, str], Any]], round_: str) -> None:
    """Save the cells as `by`; the column "first" is the first cell of the question in that round."""
    resolved = {}
    for code, raw in cells.items():
        first = s.question(code, round=round_).cells()[0].key
        resolved[code] = {first if key == ("", "first") else key: value for key, value in raw.items()}
    s.answers(org, resolved, by=by, round=round_)


FUZZER, OTHER = "fuzz@at.example.org", "de@de.example.org"


@pytest.fixture
def world(db: None) -> World:
    s = (
        Scenario(password="x-long-pw-2026")
        .round(SLUG)  # no deadline: answering stays open
        # Closed; no closing date, so that its answers can be seeded (the deadline binds respondents, the seed
        # saves as one)
        .round(OTHER_SLUG, status=Survey.Status.CLOSED)
        .state("AT")
        .state("DE")
        .ngo(NGO_CODE, name="Fuzz NGO", country="AT")
        .member("AT", Role.COORDINATOR, FUZZER)
        .member(NGO_CODE, Role.COORDINATOR, FUZZER)
        .member("DE", Role.COORDINATOR, OTHER)
    )
    survey, other_round, user = s.rounds[SLUG], s.rounds[OTHER_SLUG], s.people[FUZZER]
    seed: dict[str, dict[tuple[str, str], Any]] = {
        "GEN.R.02": {("", ""): "Ministry"},
        "PRO.LEG.01": {("", ""): "yes"},
        "PRO.DATA.01": {("", "first"): 4},  # the round's first year
        "PAR.NAT.08": {("", ""): "2.5"},
    }
    for org, round_ in (("AT", SLUG), ("DE", SLUG), ("AT", OTHER_SLUG)):
        _seed(s, org, OTHER if org == "DE" else FUZZER, seed, round_)
    _seed(s, NGO_CODE, FUZZER, {"GEN.R.02": {("", ""): "NGO"}}, SLUG)
    questions = {
        (kind, section): _question_list(survey, kind, section)
        for kind, sections in (("state", STATE_SECTIONS), ("ngo", NGO_SECTIONS))
        for section in sections
    }
    other_only = Question.objects.filter(survey=other_round).exclude(
        code__in=Question.objects.filter(survey=survey).values("code")
    )
    foreign_names = [
        *(f"{q.code}||" for q in other_only[:3]),  # only in the other round
        *(f"{q.pk}||" for q in Question.objects.filter(survey=other_round)[:2]),  # ids instead of codes
        *(f"{q.pk}||" for q in Question.objects.filter(survey=survey)[:2]),
        "PRO.LEG.04|nonexistent|",
        "PRO.DATA.01||1999",
        "GEN.R.02|x|y",
        "GEN.R.03|middle|",
        "PRT.DATA.01|2099.female.adult.sexual_exploitation|national",
        "NGO.P.02|nonexistent|",
        "PRO.LEG.01||",  # a real cell, but of another section than most posts
        "PRV.SUP.01||",
        "NOPE.01||",
        "|",
        "||",
        "v|NOPE.01||",
        "o|PRV.SUP.01||",
        "response",
        "organisation",
        "question",
        "survey",
    ]
    return World(survey, user, other_round, questions, foreign_names)


def _snapshot() -> tuple[dict[int, tuple[Any, ...]], dict[int, tuple[Any, ...]]]:
    answers = {
        row[0]: row[1:]
        for row in Answer.objects.values_list(
            "id",
            "response_id",
            "question_id",
            "row",
            "column",
            "version",
            "value_text",
            "value_number",
            "value_date",
            "value_choices",
        )
    }
    changes = {
        row[0]: row[1:]
        for row in AnswerChange.objects.values_list(
            "id", "response_id", "question_id", "row", "column", "old_value", "new_value", "version"
        )
    }
    return answers, changes


def _valid(spec: at.CellSpec) -> st.SearchStrategy[Any]:
    low, high = spec.validation.get("min"), spec.validation.get("max")
    if spec.kind == at.CHOICE:
        return st.sampled_from(spec.choice_codes())
    if spec.kind == at.CHOICES:
        return st.lists(st.sampled_from(spec.choice_codes()), min_size=0, max_size=3)
    if spec.kind == at.INTEGER:
        low = 0 if low is None else int(low)
        return st.integers(low, int(high) if high is not None else low + 10**6).map(str)
    if spec.kind == at.YEAR:
        return st.integers(int(low or at.YEAR_MIN), int(high or at.YEAR_MAX)).map(str)
    if spec.kind == at.DECIMAL:
        return st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False).map(str)
    if spec.kind == at.DATE:
        return st.dates().map(lambda d: d.isoformat())
    return st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=60)


def _posted_value(data: QueryDict, spec: at.CellSpec, name: str) -> tuple[bool, Any]:
    """Whether the post sets the cell, and the raw value the server reads for it (written here independently)."""
    on_page = "v|" + name in data
    if spec.kind == at.CHOICES:
        return (name in data or on_page), data.getlist(name)
    if spec.kind == at.CHOICE:
        return (name in data or on_page), data.get(name)
    return name in data, data.get(name)


def _clean(spec: at.CellSpec, raw: Any) -> tuple[bool, str]:
    try:
        return True, at.to_text(spec.kind, at.clean_cell(spec, raw))
    except at.AnswerError:
        return False, ""


def _feedback(html: str, code: str) -> str:
    found = re.search(rf'<div id="feedback-{re.escape(code)}"[^>]*>(.*?)<div id="state-', html, re.S)
    return found.group(1) if found else ""


@pytest.mark.django_db
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.data())
def test_hostile_section_and_autosave_posts_never_fail_and_store_only_valid_values_of_ones_own_response(
    world: World, data: st.DataObject
) -> None:
    endpoint = data.draw(st.sampled_from(["section", "section", "autosave"]), label="endpoint")
    org_code = data.draw(st.sampled_from(["AT"] * 5 + [NGO_CODE, NGO_CODE, "DE"]), label="organisation")
    slug = data.draw(st.sampled_from([SLUG] * 9 + [OTHER_SLUG]), label="round")
    kind = "ngo" if org_code == NGO_CODE else "state"
    section = data.draw(st.sampled_from(NGO_SECTIONS if kind == "ngo" else STATE_SECTIONS), label="section")
    questions = world.questions[(kind, section)]
    if endpoint == "autosave":
        questions = [data.draw(st.sampled_from([q for q in questions if q.type != "file"]), label="question")]
    own = Response.objects.filter(survey=world.survey, organisation__code=org_code).first()
    stored = {}
    if own is not None:
        stored = {(a.question_id, a.row, a.column): a for a in Answer.objects.filter(response=own)}

    # Half of the posts change only valid values, as a person would: those must be saved.
    clean = data.draw(st.booleans(), label="clean")
    post = QueryDict(mutable=True)
    for question in questions:
        cells = question.cells()
        chosen = data.draw(
            st.lists(st.sampled_from(cells), min_size=int(clean), max_size=6, unique_by=lambda s: s.key)
            if cells
            else st.just([])
        )
        for spec in chosen:
            name = f"{question.code}|{spec.row}|{spec.column}"
            current = stored.get((question.pk, spec.row, spec.column))
            values = data.draw(
                st.lists(_valid(spec), min_size=1, max_size=1)
                if clean
                else st.lists(st.one_of(_valid(spec), HOSTILE), min_size=1, max_size=3),
                label=name,
            )
            for value in values:  # several: duplicated keys; a list in a scalar field's place
                post.setlist(name, post.getlist(name) + (value if isinstance(value, list) else [value]))
            if spec.kind == at.CHOICES and not values[-1]:
                post.pop(name, None)  # nothing ticked: only the state inputs say the cell was on the page
            version = data.draw(st.sampled_from(["current", "absent"]) if clean else VERSIONS, label="v|" + name)
            if version != "absent":
                post["v|" + name] = str(current.version if current else 0) if version == "current" else version
            original = data.draw(
                st.sampled_from(["current", "absent"] + ([] if clean else ["", "junk"])), label="o|" + name
            )
            if original != "absent":
                post["o|" + name] = (
                    (as_text(current, spec.kind) if current else "") if original == "current" else original
                )
    for name in data.draw(st.lists(st.sampled_from(world.foreign_names), max_size=4), label="foreign names"):
        post.appendlist(name, data.draw(st.one_of(HOSTILE, st.sampled_from(["yes", "3", str(own.pk if own else 1)]))))
    if post and data.draw(st.integers(0, 3), label="big") == 0:
        name = data.draw(st.sampled_from(sorted(post)), label="big field")
        post.appendlist(name, data.draw(st.sampled_from(BIG)))
    if endpoint == "section" and data.draw(st.booleans()):
        post["next"] = ""
    csrf = data.draw(st.sampled_from([True] * 9 + [False]), label="csrf token")

    client = Client(enforce_csrf_checks=not csrf)
    client.force_login(world.user)
    base = f"/rounds/{slug}/respond/{org_code}/"
    url = f"{base}section/{section}/" if endpoint == "section" else f"{base}autosave/{questions[0].code}/"
    before = _snapshot()
    # Every value of every key (a QueryDict's items() would send only the last one of each).
    result = client.post(url, dict(post.lists()))  # an exception here (a 500) fails the test: the client re-raises it
    after = _snapshot()
    event(f"{endpoint} answered {result.status_code}")

    mine = own is not None and org_code != "DE" and slug == SLUG and csrf
    if not mine:
        assert result.status_code in (403, 404), result.status_code
        assert after == before
        return
    assert own is not None
    html = result.content.decode()
    if endpoint == "section":
        assert result.status_code in (302, 422), result.status_code
    else:
        assert result.status_code == 200
        assert "data-save-state" in html

    # Only cells of the posted questions in the poster's own response change; nothing is removed.
    specs = {(q.pk, s.row, s.column): (q, s) for q in questions for s in q.cells()}
    assert set(before[0]) <= set(after[0])
    changed = {pk: row for pk, row in after[0].items() if before[0].get(pk) != row}
    for row in changed.values():
        assert row[0] == own.pk, ("another response changed", row)
        assert (row[1], row[2], row[3]) in specs, ("a cell that was not posted changed", row)
    new_history = {pk: row for pk, row in after[1].items() if pk not in before[1]}
    assert set(before[1]) <= set(after[1])
    assert all(before[1][pk] == after[1][pk] for pk in before[1])
    assert len(new_history) == len(changed)

    problems = 0
    for question in questions:
        feedback = _feedback(html, question.code)
        cell_reported = f'data-cell-error="{question.code}|' in html
        shown = "data-error" in feedback or "data-conflict" in feedback or cell_reported
        problems += shown
        posted_ok = True
        for spec in question.cells():
            name = f"{question.code}|{spec.row}|{spec.column}"
            present, raw = _posted_value(post, spec, name)
            if not present:
                continue
            valid, text = _clean(spec, raw)
            key = (question.pk, spec.row, spec.column)
            current = stored.get(key)
            now = Answer.objects.filter(response=own, question=question, row=spec.row, column=spec.column).first()
            if not valid:
                posted_ok = False
                # Reported on its own cell, with a sentence that says why.
                reported = re.search(rf'data-cell-error="{re.escape(name)}"[^>]*data-message="([^"]*)"', html)
                assert reported, (name, raw if len(str(raw)) < 200 else "…")
                assert len(reported.group(1).strip()) > 10, reported.group(0)
                continue
            if text == post.get("o|" + name) or (now is None and text == ""):
                continue  # unchanged on the page: not saved (and never reported as a conflict)
            if now is None or as_text(now, spec.kind) != text:
                posted_ok = False
                continue  # not saved: its question shows why (checked below)
            if current is None or current.version != now.version:
                # Saved: the page's version was the stored one (or none was given), and the history says so.
                posted_version = post.get("v|" + name)
                assert posted_version in (None, "", str(current.version if current else 0)), (name, posted_version)
                assert now.version == (current.version if current else 0) + 1
                assert (
                    own.pk,
                    question.pk,
                    spec.row,
                    spec.column,
                    as_text(current, spec.kind) if current else "",
                    text,
                    now.version,
                ) in new_history.values()
        if not posted_ok:
            assert shown, (question.code, feedback)
        if "data-error" in feedback:
            message = re.sub(r"<[^>]+>", "", feedback.split("data-error", 1)[1].split("</div>", 1)[0])
            assert len(message.strip(' >"\n')) > 10, feedback  # a sentence, not a code
            # Nothing of a question refused as a whole (a rule across its cells) is stored.
            assert not any(row[1] == question.pk for row in changed.values())
    event(f"clean: {clean}")
    event(f"cells changed: {min(len(changed), 3)}" + ("+" if len(changed) >= 3 else ""))
    event(f"questions with a problem shown: {min(problems, 2)}")
    if endpoint == "section":
        assert result.status_code == (422 if problems else 302)
