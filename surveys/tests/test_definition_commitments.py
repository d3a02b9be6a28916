"""Documents and commitments in a definition file: the new shape loads and exports back; each mistake, and the
earlier shape, is refused with its place, its line and a sentence saying what to write instead."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from surveys.definitions import DefinitionError, parse_definition
from surveys.models import Question, Survey
from surveys.services import survey_export_definition

from .factories import MINIMAL_DEFINITION, line_of

Q = "areas[0].sections[0].items"


def _replace(old: str, new: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert old in text, f"{old!r} is not in the minimal definition"
        return text.replace(old, new, 1)

    return change


# (change, path, message start, line needle)
BROKEN = {
    "question_refers_to_an_unknown_commitment": (
        _replace("commitments: [AP2003.IV]", 'commitments: ["AP2003 ch. IV"]'),
        f"{Q}[0].commitments[0]",
        "unknown commitment 'AP2003 ch. IV' (use a code of the commitments list: AP2003.IV)",
        'commitments: ["AP2003 ch. IV"]',
    ),
    "question_lists_a_commitment_twice": (
        _replace("commitments: [AP2003.IV]", "commitments: [AP2003.IV, AP2003.IV]"),
        f"{Q}[0].commitments[1]",
        "commitment 'AP2003.IV' is listed twice",
        "commitments: [AP2003.IV, AP2003.IV]",
    ),
    "commitment_of_an_unknown_document": (
        _replace("    document: AP2003\n", "    document: AP2030\n"),
        "commitments[0].document",
        "unknown document 'AP2030' (documents: AP2003)",
        "document: AP2030",
    ),
    "commitment_of_an_unknown_area": (
        _replace("    area: PRV\n", "    area: PRX\n"),
        "commitments[0].area",
        "unknown area 'PRX' (areas: PRV)",
        "area: PRX",
    ),
    "commitment_without_an_area": (
        _replace("    area: PRV\n", ""),
        "commitments[0].area",
        "is missing",
        "  - code: AP2003.IV",
    ),
    "commitment_with_a_blank_area": (
        _replace("    area: PRV\n", '    area: ""\n'),
        "commitments[0].area",
        "expected an area code, not an empty text: every commitment names the area it belongs to",
        'area: ""',
    ),
    "invalid_commitment_code": (  # and the question refers to it as written: reported once, where it is defined
        lambda text: text.replace("  - code: AP2003.IV\n", '  - code: "AP2003 ch. IV"\n').replace(
            "commitments: [AP2003.IV]", 'commitments: ["AP2003 ch. IV"]'
        ),
        "commitments[0].code",
        "invalid commitment code 'AP2003 ch. IV' (expected capital letters and digits in parts joined by dots",
        'code: "AP2003 ch. IV"',
    ),
    "commitment_without_a_title": (
        _replace(
            '    title: {en: "Prevention of trafficking in human beings", fr: "Prévention de la traite des êtres '
            'humains"}\n',
            "",
        ),
        "commitments[0].title",
        "expected a text or a mapping of language to text",
        "  - code: AP2003.IV",
    ),
    "the_earlier_mapping_of_documents_under_commitments": (
        lambda text: text.replace("documents:\n  AP2003:", "commitments:\n  AP2003:", 1).replace(
            text[text.index("commitments:\n  - code") : text.index("option_sets:")], ""
        ),
        "commitments",
        "commitments is now a list of {code, title, document, paragraph, area}; move this mapping of source "
        "documents under documents:",
        "commitments:",
    ),
    "an_area_listing_free_text_references": (
        _replace(
            '    title: {en: "Prevention", fr: "Prévention"}\n',
            '    title: {en: "Prevention", fr: "Prévention"}\n    commitments: ["AP2003 ch. IV"]\n',
        ),
        "areas[0].commitments",
        "areas no longer list commitments: each commitment in the top-level commitments list names its area",
        '    commitments: ["AP2003 ch. IV"]',
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case_id", list(BROKEN))
def test_each_commitment_mistake_is_reported_with_its_path_and_line(load_refused, case_id: str) -> None:
    change, path, message, needle = BROKEN[case_id]
    text = change(MINIMAL_DEFINITION)

    refusal = load_refused(text)

    assert [(p.path, p.line) for p in refusal.problems] == [(path, line_of(text, needle))], refusal.stderr
    assert refusal.problems[0].message.startswith(message)
    assert Survey.objects.filter(slug="thb-2099").count() == 0


def test_a_duplicate_commitment_code_is_reported_at_the_second_one() -> None:
    second = "  - {code: AP2003.IV, title: {en: Again}, document: AP2003, area: PRV}\noption_sets:"
    text = MINIMAL_DEFINITION.replace("option_sets:", second, 1)

    with pytest.raises(DefinitionError) as refused:
        parse_definition(text)

    problems = refused.value.problems
    assert [(p.path, p.message, p.line) for p in problems] == [
        ("commitments[1].code", "duplicate commitment code 'AP2003.IV'", line_of(text, "code: AP2003.IV, title"))
    ]


def test_the_canonical_definition_holds_documents_commitments_and_question_codes() -> None:
    definition = parse_definition(MINIMAL_DEFINITION)

    assert definition["documents"] == {
        "AP2003": {"title": {"en": "OSCE Action Plan to Combat Trafficking in Human Beings (2003)"}}
    }
    assert definition["commitments"] == [
        {
            "code": "AP2003.IV",
            "title": {
                "en": "Prevention of trafficking in human beings",
                "fr": "Prévention de la traite des êtres humains",
            },
            "document": "AP2003",
            "paragraph": "ch. IV",
            "area": "PRV",
        }
    ]
    questions = definition["areas"][0]["sections"][0]["items"]
    assert [q["commitments"] for q in questions] == [["AP2003.IV"], [], [], [], []]


@pytest.mark.django_db
def test_loaded_commitments_are_stored_on_the_round_and_export_back(load_text) -> None:
    load_text(MINIMAL_DEFINITION)
    survey = Survey.objects.get(slug="thb-2099")

    assert [c["code"] for c in survey.commitments] == ["AP2003.IV"]
    assert list(survey.documents) == ["AP2003"]
    assert Question.objects.get(survey=survey, code="PRV.SUP.01").commitments == ["AP2003.IV"]
    assert survey_export_definition(survey=survey) == parse_definition(MINIMAL_DEFINITION)


@pytest.mark.parametrize("slug", ["thb-2016", "thb-2021"])
def test_every_shipped_commitment_stays_at_a_level_the_sources_confirm(slug: str) -> None:
    """No invented paragraph numbers: a commitment is a chapter, a section or a whole document
    (/work/shared/reference: paragraph numbers were not verified)."""
    from .factories import SHIPPED

    definition = parse_definition(SHIPPED[slug].read_text(encoding="utf-8"))
    commitments = definition["commitments"]

    assert 10 <= len(commitments) <= 20
    for commitment in commitments:
        paragraph = commitment["paragraph"]
        if isinstance(paragraph, dict):  # words in the six languages
            assert set(paragraph) == {"en", "fr", "de", "it", "ru", "es"}, commitment
            paragraph = paragraph["en"]
        assert paragraph == "" or paragraph.startswith("ch. ") or paragraph.endswith(" section"), commitment
        assert set(commitment["title"]) == {"en", "fr", "de", "it", "ru", "es"}, commitment["code"]
    used = {
        ref
        for area in definition["areas"]
        for section in area["sections"]
        for question in section["items"]
        for ref in question["commitments"]
    }
    assert used == {c["code"] for c in commitments}  # every commitment has questions, every reference is defined
    scored = [
        q["code"]
        for area in definition["areas"]
        for section in area["sections"]
        for q in section["items"]
        if q["scored"] and not q["commitments"]
    ]
    # The scored questions whose commitment the sources do not name stay without one, visibly.
    assert set(scored) <= {"PRV.LAB.03", "PAR.NAT.05", "PRO.LEG.05"}
