"""load_survey: a definition file is checked whole, every problem is reported with its place, nothing is written
on error; loading is idempotent, updates in place, and export -> load -> export loses nothing."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import CommandError

from accounts.models import Organisation
from responses.models import Answer, Response
from surveys.definitions import parse_definition
from surveys.models import Area, Option, OptionSet, Question, Section, Survey
from surveys.services import survey_export_definition, survey_export_text

from .factories import (
    MINIMAL_DEFINITION,
    SHIPPED,
    definition_text,
    line_of,
    minimal_definition,
)

BASE_DIR = Path(__file__).resolve().parents[2]
Q = "areas[0].sections[0].items"  # path of the minimal definition's questions


def _replace(old: str, new: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert old in text, f"{old!r} is not in the minimal definition"
        return text.replace(old, new, 1)

    return change


@dataclass(frozen=True)
class Case:
    """One kind of mistake in a definition file and how the loader must report it."""

    change: Callable[[str], str]
    path: str
    message: str  # the reported message starts with this
    line_needle: str | None  # the reported line is the nth line containing this text; None: no line
    nth: int = 1


BROKEN = {
    "invalid_yaml_syntax": Case(
        _replace(
            "            commitments: [AP2003.IV]\n          - code: PRV.SUP.02",
            "           commitments: [AP2003.IV]\n          - code: PRV.SUP.02",
        ),
        "(file)",
        "not valid YAML: ",  # the rest is the YAML parser's own words (libyaml's or PyYAML's)
        "           commitments: [AP2003.IV]",
    ),
    "unknown_option_set": Case(
        _replace("            options: YNP\n            rows:", "            options: YNX\n            rows:"),
        f"{Q}[2].options",
        "unknown option set 'YNX'",
        "options: YNX",
    ),
    "unquoted_yes_read_as_boolean": Case(
        _replace('in: ["yes", in_process]', "in: [yes, in_process]"),
        f"{Q}[1].show_if.in[0]",
        'YAML read this option code as true; write it in quotes, e.g. "yes" or "no"',
        "in: [yes, in_process]",
    ),
    "unquoted_no_read_as_boolean": Case(
        _replace('{code: "no", label: {en: "No", fr: "Non"}}', '{code: no, label: {en: "No", fr: "Non"}}'),
        "option_sets.YNP.options[1].code",
        "YAML read this code as false; write it in quotes",
        "{code: no,",
    ),
    "unknown_answer_type": Case(
        _replace("type: integer", "type: number"),
        f"{Q}[1].type",
        "unknown answer type 'number' (use one of: single_select, multi_select, matrix,",
        "type: number",
    ),
    "duplicate_question_code": Case(
        _replace("code: PRV.SUP.03", "code: PRV.SUP.02"),
        f"{Q}[2].code",
        "duplicate question code 'PRV.SUP.02'",
        "code: PRV.SUP.02",
        nth=2,
    ),
    "question_code_not_under_its_section": Case(
        _replace("code: PRV.SUP.05", "code: PRV.SUX.05"),
        f"{Q}[4].code",
        "question code 'PRV.SUX.05' must start with its section code PRV.SUP.",
        "code: PRV.SUX.05",
    ),
    "missing_english_text": Case(
        _replace('text: {en: "Please describe the policy."}', 'text: {fr: "Décrivez la politique."}'),
        f"{Q}[4].text",
        "the English text (en) is required",
        'text: {fr: "Décrivez la politique."}',
    ),
    "short_label_longer_than_60_characters": Case(
        _replace(
            '            text: {en: "How many suppliers were checked?"}',
            '            text: {en: "How many suppliers were checked?"}\n'
            '            short: {en: "Suppliers checked", fr: "Nombre de fournisseurs contrôlés au titre de la politique d\'achats"}',
        ),
        f"{Q}[1].short.fr",
        "at most 60 characters (this one has 66)",
        "short: {en:",
    ),
    "short_label_without_english": Case(
        _replace(
            '            text: {en: "How many suppliers were checked?"}',
            '            text: {en: "How many suppliers were checked?"}\n            short: {fr: "Fournisseurs contrôlés"}',
        ),
        f"{Q}[1].short",
        "the English text (en) is required",
        "short: {fr:",
    ),
    "unknown_key": Case(
        _replace(
            "            validation: {max_length: 2000}",
            "            validation: {max_length: 2000}\n            colour: red",
        ),
        f"{Q}[4].colour",
        "unknown key 'colour' (allowed: about_respondent, audience, code, commitments,",
        "colour: red",
    ),
    "show_if_to_a_later_question": Case(
        _replace("show_if: {question: PRV.SUP.01,", "show_if: {question: PRV.SUP.03,"),
        f"{Q}[1].show_if.question",
        "'PRV.SUP.03' is not a question defined earlier in this file",
        "show_if: {question: PRV.SUP.03,",
    ),
    "show_if_to_an_unknown_question": Case(
        _replace("show_if: {question: PRV.SUP.01,", "show_if: {question: PRV.SUP.99,"),
        f"{Q}[1].show_if.question",
        "'PRV.SUP.99' is not a question defined earlier in this file",
        "show_if: {question: PRV.SUP.99,",
    ),
    "show_if_option_not_among_the_targets_options": Case(
        _replace('in: ["yes", in_process]', 'in: ["yes", maybe]'),
        f"{Q}[1].show_if.in[1]",
        "'maybe' is not an option of PRV.SUP.01",
        'in: ["yes", maybe]',
    ),
    "min_greater_than_max": Case(
        _replace("validation: {min: 0, max: 1000}", "validation: {min: 10, max: 1}"),
        f"{Q}[1].validation",
        "min (10) is greater than max (1)",
        "validation: {min: 10, max: 1}",
    ),
    "reference_period_start_after_end": Case(
        _replace("reference_period: {start: 2012, end: 2014}", "reference_period: {start: 2015, end: 2013}"),
        "survey.reference_period",
        "start (2015) must not be after end (2013)",
        "reference_period: {start: 2015, end: 2013}",
    ),
    "previous_round_not_loaded": Case(
        _replace("previous: null", "previous: thb-1999"),
        "survey.previous",
        "no round 'thb-1999' is loaded; load it first",
        None,  # checked against the database after the file was parsed: the loader gives no line for it
    ),
}


def _expected_line(case: Case, text: str) -> int | None:
    return None if case.line_needle is None else line_of(text, case.line_needle, case.nth)


# --- refused files ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_minimal_definition_loads(load_text) -> None:
    output = load_text(MINIMAL_DEFINITION)

    assert output.stdout.splitlines()[0] == "thb-2099: created (areas: 1, sections: 1, questions: 5)"
    survey = Survey.objects.get(slug="thb-2099")
    assert list(survey.questions.values_list("code", flat=True)) == [f"PRV.SUP.0{i}" for i in range(1, 6)]


@pytest.mark.django_db
@pytest.mark.parametrize("case_id", list(BROKEN))
def test_each_kind_of_problem_is_reported_with_its_path_and_line(load_refused, case_id: str) -> None:
    case = BROKEN[case_id]
    text = case.change(MINIMAL_DEFINITION)

    refusal = load_refused(text)

    # One mistake, one problem: no follow-on noise.
    assert len(refusal.problems) == 1, refusal.stderr
    assert refusal.error == f"{refusal.file}: 1 problem; nothing was written"
    problem = refusal.problems[0]
    assert problem.path == case.path
    assert problem.message.startswith(case.message)
    assert problem.line == _expected_line(case, text)
    assert Survey.objects.filter(slug="thb-2099").count() == 0


@pytest.mark.django_db
def test_unknown_option_set_is_reported_with_its_path_line_and_the_defined_sets(load_refused) -> None:
    text = BROKEN["unknown_option_set"].change(MINIMAL_DEFINITION)

    refusal = load_refused(text)

    line = line_of(text, "options: YNX")
    assert refusal.stderr == (
        f"{refusal.file}: areas[0].sections[0].items[2].options (line {line}): unknown option set 'YNX' (defined: YNP)\n"
    )
    assert refusal.error == f"{refusal.file}: 1 problem; nothing was written"


@pytest.mark.django_db
def test_an_unquoted_yes_in_an_option_set_is_reported_where_it_is_written(load_refused) -> None:
    text = MINIMAL_DEFINITION.replace('{code: "yes",', "{code: yes,")

    refusal = load_refused(text)

    first = refusal.problems[0]
    assert (first.path, first.line) == ("option_sets.YNP.options[0].code", line_of(text, "{code: yes,"))
    assert first.message == 'YAML read this code as true; write it in quotes, e.g. "yes" or "no"'


@pytest.mark.django_db
def test_several_problems_in_one_file_are_all_reported(load_refused) -> None:
    text = MINIMAL_DEFINITION
    for case_id in ("unknown_option_set", "unknown_answer_type", "missing_english_text", "unknown_key"):
        text = BROKEN[case_id].change(text)
    text = text.replace("reference_period: {start: 2012, end: 2014}", "reference_period: {start: 2015, end: 2013}")

    refusal = load_refused(text)

    paths = [p.path for p in refusal.problems]
    assert paths == [
        "survey.reference_period",
        f"{Q}[1].type",
        f"{Q}[2].options",
        f"{Q}[4].colour",
        f"{Q}[4].text",
    ]
    assert all(p.line is not None for p in refusal.problems)
    assert refusal.error.endswith("5 problems; nothing was written")


@pytest.mark.django_db
@pytest.mark.parametrize("case_id", list(BROKEN))
def test_a_refused_file_leaves_the_loaded_round_as_it_was(load_text, load_refused, case_id: str) -> None:
    load_text(MINIMAL_DEFINITION)
    survey = Survey.objects.get(slug="thb-2099")
    before = survey_export_text(survey=survey)

    load_refused(BROKEN[case_id].change(MINIMAL_DEFINITION))

    assert survey_export_text(survey=survey) == before


@pytest.mark.django_db
def test_a_missing_file_is_an_error_naming_the_file(run_command, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"

    with pytest.raises(CommandError, match=r"nowhere\.yaml: no such file"):
        run_command("load_survey", str(missing))


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_an_error_naming_the_byte(run_command, tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(MINIMAL_DEFINITION.replace("Prévention", "Pr\u00e9vention").encode("latin-1"))

    with pytest.raises(CommandError, match=r"not UTF-8 text \(byte \d+\)"):
        run_command("load_survey", str(path))
    assert not Survey.objects.exists()


def test_the_command_line_exits_with_status_1_and_prints_every_problem(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "oscethb.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
    }
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert migrate.returncode == 0, migrate.stderr
    bad = tmp_path / "bad.yaml"
    text = BROKEN["unknown_option_set"].change(BROKEN["min_greater_than_max"].change(MINIMAL_DEFINITION))
    bad.write_text(text, encoding="utf-8")

    result = subprocess.run(
        [sys.executable, "manage.py", "load_survey", str(bad)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert result.returncode == 1
    assert result.stdout == ""
    assert (
        f"{bad}: {Q}[1].validation (line {line_of(text, 'validation: {min: 10')}): min (10) is greater than max (1)"
        in result.stderr
    )
    assert f"{bad}: {Q}[2].options (line {line_of(text, 'options: YNX')}): unknown option set 'YNX'" in result.stderr
    assert f"CommandError: {bad}: 2 problems; nothing was written" in result.stderr
    with sqlite3.connect(tmp_path / "cli.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM surveys_survey").fetchone() == (0,)
        assert db.execute("SELECT COUNT(*) FROM surveys_question").fetchone() == (0,)


# --- loading again, updating ------------------------------------------------------------------------------------


def _updated_at(survey: Survey) -> dict[tuple[str, int], object]:
    stamps: dict[tuple[str, int], object] = {("Survey", survey.pk): Survey.objects.get(pk=survey.pk).updated_at}
    for model, lookup in (
        (Area, "survey"),
        (Section, "survey"),
        (OptionSet, "survey"),
        (Option, "option_set__survey"),
        (Question, "survey"),
    ):
        for pk, updated_at in model.objects.filter(**{lookup: survey}).values_list("pk", "updated_at"):
            stamps[(model.__name__, pk)] = updated_at
    return stamps


@pytest.mark.django_db
def test_a_short_label_is_stored_exported_and_reloaded_unchanged(load_text) -> None:
    text = MINIMAL_DEFINITION.replace(
        '            text: {en: "How many suppliers were checked?"}',
        '            text: {en: "How many suppliers were checked?"}\n'
        '            short: {en: "Suppliers checked", ru: "Проверенные поставщики"}',
        1,
    )
    load_text(text)
    survey = Survey.objects.get(slug="thb-2099")
    question = survey.questions.get(code="PRV.SUP.02")
    assert question.short == {"en": "Suppliers checked", "ru": "Проверенные поставщики"}
    assert survey.questions.get(code="PRV.SUP.01").short == {}  # optional: nothing when absent
    exported = survey_export_text(survey=survey)
    assert "short:" in exported
    assert "Suppliers checked" in exported
    assert parse_definition(exported) == survey_export_definition(survey=survey)
    assert load_text(exported).stdout.splitlines()[0].startswith("thb-2099: unchanged")


@pytest.mark.django_db
def test_loading_the_same_file_twice_changes_nothing(load_text) -> None:
    load_text(MINIMAL_DEFINITION)
    survey = Survey.objects.get(slug="thb-2099")
    before = _updated_at(survey)

    output = load_text(MINIMAL_DEFINITION)

    assert output.stdout.splitlines()[0] == "thb-2099: unchanged (areas: 1, sections: 1, questions: 5)"
    assert _updated_at(survey) == before


@pytest.mark.django_db
def test_a_changed_question_text_is_updated_in_place(load_text) -> None:
    load_text(MINIMAL_DEFINITION)
    question = Question.objects.get(survey__slug="thb-2099", code="PRV.SUP.02")
    data = minimal_definition()
    data["areas"][0]["sections"][0]["items"][1]["text"] = {"en": "How many suppliers were audited?", "fr": "Combien ?"}

    output = load_text(definition_text(data))

    assert output.stdout.splitlines()[0] == "thb-2099: updated (areas: 1, sections: 1, questions: 5)"
    question.refresh_from_db()  # the same row: answers pointing at it stay attached
    assert question.text == {"en": "How many suppliers were audited?", "fr": "Combien ?"}


@pytest.mark.django_db
def test_a_question_without_answers_removed_from_the_file_is_removed_with_its_inline_options(load_text) -> None:
    load_text(MINIMAL_DEFINITION)
    data = minimal_definition()
    del data["areas"][0]["sections"][0]["items"][3]  # PRV.SUP.04, a multi_select with inline options

    output = load_text(definition_text(data))

    assert output.stdout.splitlines()[0] == "thb-2099: updated (areas: 1, sections: 1, questions: 4)"
    survey = Survey.objects.get(slug="thb-2099")
    assert list(survey.questions.values_list("code", flat=True)) == [
        "PRV.SUP.01",
        "PRV.SUP.02",
        "PRV.SUP.03",
        "PRV.SUP.05",
    ]
    assert list(survey.option_sets.values_list("code", flat=True)) == ["YNP"]
    assert "PRV.SUP.04" not in survey_export_text(survey=survey)


@pytest.mark.django_db
def test_a_removed_option_is_removed_and_a_new_one_added_in_file_order(load_text) -> None:
    load_text(MINIMAL_DEFINITION)
    data = minimal_definition()
    data["option_sets"]["YNP"]["options"] = [
        {"code": "no", "label": {"en": "No"}},
        {"code": "yes", "label": {"en": "Yes"}},
        {"code": "not_applicable", "label": {"en": "Not applicable"}},
    ]
    data["areas"][0]["sections"][0]["items"][1]["show_if"]["in"] = ["yes"]

    load_text(definition_text(data))

    options = Option.objects.filter(option_set__survey__slug="thb-2099", option_set__code="YNP")
    assert list(options.values_list("code", flat=True)) == ["no", "yes", "not_applicable"]


@pytest.mark.django_db
def test_a_question_with_answers_cannot_be_removed_and_the_refusal_says_how_to_go_on(load_text, load_refused) -> None:
    load_text(MINIMAL_DEFINITION)
    survey = Survey.objects.get(slug="thb-2099")
    ngo = Organisation.objects.create(kind=Organisation.Kind.NGO, code="test-ngo", name="Test NGO")
    response = Response.objects.create(survey=survey, organisation=ngo)
    Answer.objects.create(response=response, question=survey.questions.get(code="PRV.SUP.05"), value_text="A policy")
    before = survey_export_text(survey=survey)
    data = minimal_definition()
    del data["areas"][0]["sections"][0]["items"][4]

    refusal = load_refused(definition_text(data))

    first = refusal.problems[0]
    assert (first.path, first.message) == ("question PRV.SUP.05", "has answers and cannot be removed from the round")
    assert refusal.problems[-1].path == "survey"
    assert "clone_survey" in refusal.problems[-1].message
    assert survey_export_text(survey=survey) == before


# --- export round trip and the shipped rounds -------------------------------------------------------------------


def _prerequisites(slug: str) -> list[str]:
    return ["thb-2016"] if slug == "thb-2021" else []


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["thb-2016", "thb-2021"])
def test_a_shipped_round_survives_export_and_reload_without_loss(
    slug: str, load_shipped, run_command, tmp_path: Path
) -> None:
    for earlier in _prerequisites(slug):
        load_shipped(earlier)
    load_shipped(slug)
    first = tmp_path / "first.yaml"
    run_command("export_survey", slug, "-o", str(first))
    # Load the export into a database without the round, so the export alone has to rebuild it.
    Survey.objects.filter(slug=slug).delete()

    output = run_command("load_survey", str(first))
    second = run_command("export_survey", slug).stdout

    assert output.stdout.startswith(f"{slug}: created")
    assert second == first.read_text(encoding="utf-8")
    original = parse_definition(SHIPPED[slug].read_text(encoding="utf-8"))
    assert survey_export_definition(survey=Survey.objects.get(slug=slug)) == original
    assert parse_definition(second) == original


@pytest.mark.django_db
def test_a_shipped_round_loaded_twice_is_unchanged(load_shipped, run_command) -> None:
    survey = load_shipped("thb-2016")
    before = _updated_at(survey)

    output = run_command("load_survey", str(SHIPPED["thb-2016"]))

    assert output.stdout.startswith("thb-2016: unchanged (areas: 6,")
    assert _updated_at(survey) == before


@pytest.fixture
def shipped_definitions() -> dict[str, dict]:
    return {slug: parse_definition(path.read_text(encoding="utf-8")) for slug, path in SHIPPED.items()}


def _codes(definition: dict) -> list[str]:
    return [q["code"] for a in definition["areas"] for s in a["sections"] for q in s["items"]]


@pytest.mark.django_db
def test_thb_2016_asks_states_and_ngos_at_least_60_questions_in_every_area(load_shipped) -> None:
    survey = load_shipped("thb-2016")

    assert survey.questions.count() >= 60
    assert set(survey.areas.values_list("code", flat=True)) >= {"GEN", "PRO", "PRV", "PRT", "PAR", "NGO"}
    assert survey.respondent_kinds == ["state", "ngo"]
    audiences = set(survey.questions.values_list("audience", flat=True))
    assert {"state", "ngo"} <= audiences
    for area in survey.areas.all():
        assert Question.objects.filter(section__area=area).exists(), f"area {area.code} has no questions"


@pytest.mark.django_db
def test_the_ynp_scale_has_exactly_the_five_agreed_option_codes(load_shipped) -> None:
    survey = load_shipped("thb-2016")

    codes = Option.objects.filter(option_set__survey=survey, option_set__code="YNP").values_list("code", flat=True)

    assert list(codes) == ["yes", "no", "in_process", "not_applicable", "no_information"]


@pytest.mark.django_db
def test_thb_2021_follows_thb_2016_and_adds_questions_only_it_asks(load_shipped) -> None:
    thb_2016 = load_shipped("thb-2016")
    thb_2021 = load_shipped("thb-2021")

    assert thb_2021.previous == thb_2016
    assert thb_2021.questions.filter(code="PRO.LEG.05").exists()
    assert not thb_2016.questions.filter(code="PRO.LEG.05").exists()


def test_every_question_code_of_thb_2016_carries_over_to_thb_2021(shipped_definitions) -> None:
    codes_2016 = _codes(shipped_definitions["thb-2016"])
    codes_2021 = _codes(shipped_definitions["thb-2021"])

    assert len(codes_2016) == len(set(codes_2016))
    assert set(codes_2016) <= set(codes_2021)
    assert set(codes_2021) - set(codes_2016) >= {"PRO.LEG.05"}
    assert shipped_definitions["thb-2021"]["survey"]["previous"] == "thb-2016"
    assert shipped_definitions["thb-2016"]["survey"]["previous"] is None
