"""A request's questions by code (surveys.structure.StructureAreas): an autosave looks up its question and those its
show-if rules link it to without making every question of the round, and gets the very instances the sections hold,
with the same answers as a walk over the whole structure."""

from __future__ import annotations

import pytest

from responses.selectors import survey_structure
from surveys.show_if import depends_on
from surveys.structure import questions_by_code, show_if_dependents, structure_from_database


def _all(areas):
    return [q for a in areas for s in a.sections.all() for q in s.questions.all()]


@pytest.mark.parametrize("kind", ["state", "ngo"])
def test_questions_by_code_and_dependents_are_what_a_walk_over_the_round_finds(round2016, kind):
    walked = structure_from_database(round2016, kind)  # read from the database: no index
    areas = survey_structure(round2016, kind)
    by_code = questions_by_code(areas)
    expected = {q.code: q for q in _all(walked)}
    assert list(by_code) == list(expected)  # same codes, in the questionnaire's order
    assert len(by_code) == len(expected)
    assert "NO.SUCH.CODE" not in by_code
    assert by_code.get("NO.SUCH.CODE") is None
    rules = 0
    for code, question in expected.items():
        assert by_code[code].pk == question.pk
        dependents = [q.code for q in show_if_dependents(areas, code)]
        assert dependents == [q.code for q in show_if_dependents(walked, code)]
        assert dependents == [q.code for q in _all(walked) if (depends_on(q.show_if) or ("",))[0] == code]
        rules += len(dependents)
    assert rules > 0  # the shipped round has show-if rules: the check above compared real lists


def test_a_lookup_gives_the_instance_its_section_holds_and_makes_only_that_section(round2016):
    areas = survey_structure(round2016, "state")
    by_code = questions_by_code(areas)
    question = by_code["PRV.SUP.01"]
    section = question.section
    assert any(q is question for q in section.questions.all())  # the same object, not a copy
    assert by_code["PRV.SUP.01"] is question
    others = [s for a in areas for s in a.sections.all() if s is not section]
    # The other sections' questions are made only when read: nothing else was built for the lookup.
    assert all(s.questions.all()._result_cache._make is not None for s in others)
