"""XLSForm in and out: shipped rounds export to forms pyxform converts; forms of several shapes import into draft
rounds with what was not mapped listed by row; export -> import -> export keeps questions, options, languages and
show-if rules."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook
from pyxform.xls2xform import convert

from surveys.definition_export import survey_export_definition
from surveys.definition_languages import text_place
from surveys.definitions import parse_definition
from surveys.models import Survey
from surveys.services import survey_load_text
from surveys.xlsform import cell_of_name, field_name
from surveys.xlsform.answers import formula_safe, wide_to_long
from surveys.xlsform.constraints import parse_constraint
from surveys.xlsform.relevant import parse_relevant, to_relevant
from surveys.xlsform.services import xlsform_export
from surveys.xlsform.writing import definition_to_xlsform

DEFINITIONS = Path(__file__).resolve().parents[1] / "definitions"
pytestmark = pytest.mark.django_db


def _book(
    path: Path, survey: list[list[Any]], choices: list[list[Any]], settings: list[list[Any]] | None = None
) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    sheet = book.create_sheet("choices")
    for row in choices:
        sheet.append(row)
    if settings:
        sheet = book.create_sheet("settings")
        for row in settings:
            sheet.append(row)
    book.save(path)
    return path


def _import(path: Path, slug: str, *extra: str) -> str:
    out = io.StringIO()
    call_command("import_xlsform", str(path), "--slug", slug, *extra, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _questions(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["code"]: q for a in definition["areas"] for s in a["sections"] for q in s["items"]}


@pytest.mark.parametrize("slug", ["thb-2016", "thb-2021"])
def test_shipped_round_exports_to_an_xlsform_pyxform_converts(slug: str, tmp_path: Path) -> None:
    if slug == "thb-2021":
        survey_load_text(text=(DEFINITIONS / "thb-2016.yaml").read_text(encoding="utf-8"))
    survey = survey_load_text(text=(DEFINITIONS / f"{slug}.yaml").read_text(encoding="utf-8")).survey
    target = tmp_path / "form.xlsx"
    call_command("export_xlsform", slug, "-o", str(target), stdout=io.StringIO())
    warnings: list[str] = []
    # ODK Validate (a Java program pyxform ships) runs where Java is installed: ODK Collect's own parser.
    result = convert(target.read_bytes(), file_type=".xlsx", warnings=warnings, validate=bool(shutil.which("java")))
    assert "<h:html" in result.xform
    relevant = {row[1]: row[15] for row in _sheet_rows(target.read_bytes(), "survey")}
    assert relevant["PRO.ENF.06"] == "${PRO.ENF.01} = 'yes' or ${PRO.ENF.01} = 'in_process'"
    assert relevant["PAR.NAT.07"] == "${PAR.NAT.03-in_force} = 'yes'"
    assert relevant["NGO.P.04-cells"] == (
        "selected(${NGO.P.01}, 'victim_assistance') or selected(${NGO.P.01}, 'shelter') "
        "or selected(${NGO.P.01}, 'legal_aid')"
    )
    header = [c.value for c in next(load_workbook(target)["survey"].iter_rows(max_row=1))]
    for language in ("English (en)", "Français (fr)", "Deutsch (de)", "Italiano (it)", "Русский (ru)", "Español (es)"):
        assert f"label::{language}" in header
    questions = _questions(survey_export_definition(survey=survey))
    shown_if = [q for q in questions.values() if q["show_if"]]
    assert shown_if
    # every show-if rule is a relevant bind of the XForm (plus the number of each choice-with-a-number question)
    assert result.xform.count(" relevant=") >= len(shown_if)
    assert warnings == []


@pytest.mark.parametrize("slug", ["thb-2016", "thb-2021"])
def test_export_import_export_keeps_questions_options_languages_and_show_if(slug: str, tmp_path: Path) -> None:
    survey = survey_load_text(text=(DEFINITIONS / "thb-2016.yaml").read_text(encoding="utf-8")).survey
    if slug == "thb-2021":
        survey = survey_load_text(text=(DEFINITIONS / "thb-2021.yaml").read_text(encoding="utf-8")).survey
    first = tmp_path / "first.xlsx"
    first.write_bytes(xlsform_export(survey=survey))
    output = _import(first, f"{slug}-kobo")
    assert f"{slug}-kobo: created as a draft" in output
    assert f"{slug}-kobo: every feature of the form was imported" in output
    assert "features of the form were not imported" not in output
    assert f"{slug}-kobo: its title {survey.title['en']!r} is also the title of round {slug}; change one" in output
    copy = Survey.objects.get(slug=f"{slug}-kobo")
    assert copy.status == Survey.Status.DRAFT
    before, after = (_questions(survey_export_definition(survey=s)) for s in (survey, copy))
    assert list(before) == list(after)
    option_keys = ("type", "text", "help", "required", "show_if", "rows", "dimensions", "fields", "number_label")
    for code, question in before.items():
        for key in option_keys:
            assert _resolved(question, key, survey) == _resolved(after[code], key, copy), (code, key)
        assert _options(question, survey) == _options(after[code], copy), code
    second = xlsform_export(survey=copy)
    assert _sheet_rows(second, "survey") == _sheet_rows(first.read_bytes(), "survey")
    assert _sheet_rows(second, "choices") == _sheet_rows(first.read_bytes(), "choices")


def _resolved(question: dict[str, Any], key: str, survey: Survey) -> Any:
    value = question.get(key)
    if key == "dimensions" and value:
        return [{**d, "values": _option_list(d["values"], survey)} for d in value]
    if key == "fields" and value:
        return [{**f, "options": _option_list(f.get("options"), survey)} for f in value]
    return value


def _option_list(ref: Any, survey: Survey) -> Any:
    if isinstance(ref, str) and ref != "reference_period":
        return survey_export_definition(survey=survey)["option_sets"][ref]["options"]
    return ref


def _options(question: dict[str, Any], survey: Survey) -> Any:
    return _option_list(question.get("options"), survey)


def _sheet_rows(content: bytes, sheet: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in load_workbook(io.BytesIO(content))[sheet].iter_rows(values_only=True)]


def test_groups_relevant_and_multilingual_labels_import_into_a_draft_round(tmp_path: Path) -> None:
    form = _book(
        tmp_path / "household.xlsx",
        [
            [
                "type",
                "name",
                "label::English (en)",
                "label::Français (fr)",
                "hint::English (en)",
                "relevant",
                "required",
            ],
            ["begin group", "intro", "About you", "À propos de vous", "", "", ""],
            ["note", "welcome", "Thank you for answering.", "Merci de répondre.", "", "", ""],
            ["select_one yes_no", "has_plan", "Is there a plan?", "Y a-t-il un plan ?", "A written plan", "", "yes"],
            ["integer", "staff", "How many staff?", "Combien d'employés ?", "", "${has_plan} = 'yes'", ""],
            ["text", "comment", "Anything else?", "Autre chose ?", "", "${has_plan}='no' or ${has_plan}='yes'", ""],
            ["end group", "", "", "", "", "", ""],
            ["begin group", "dates", "Dates", "Dates", "", "", ""],
            ["date", "adopted", "When adopted?", "Adopté quand ?", "", "selected(${has_plan}, 'yes')", ""],
            ["decimal", "budget", "Budget (EUR)", "Budget (EUR)", "", "", ""],
            ["end group", "", "", "", "", "", ""],
        ],
        [
            ["list_name", "name", "label::English (en)", "label::Français (fr)"],
            ["yes_no", "yes", "Yes", "Oui"],
            ["yes_no", "no", "No", "Non"],
        ],
        [["form_title", "form_id"], ["Partner survey", "partner"]],
    )
    output = _import(form, "partner-2025", "--years", "2020-2024")
    assert "partner-2025: created as a draft (areas: 1, sections: 2, questions: 5)" in output
    assert "partner-2025: every feature of the form was imported" in output
    assert "not imported" not in output
    assert "is also the title of round" not in output
    assert (
        "partner-2025: 3 of 13 texts have no fr translation: round title; area XLS title; question XLS.A.01 help "
        "(add them with export_survey and load_survey)"
    ) in output
    assert (
        "partner-2025: 13 of 13 texts have no de translation: round title; option yes of list yes_no; option no of "
        "list yes_no; … (add them with export_survey and load_survey)"
    ) in output
    definition = survey_export_definition(survey=Survey.objects.get(slug="partner-2025"))
    questions = _questions(definition)
    assert list(questions) == ["XLS.A.01", "XLS.A.02", "XLS.A.03", "XLS.B.01", "XLS.B.02"]
    assert questions["XLS.A.01"]["text"] == {"en": "Is there a plan?", "fr": "Y a-t-il un plan ?"}
    assert questions["XLS.A.01"]["help"] == {"en": "A written plan"}
    assert questions["XLS.A.01"]["required"] is True
    assert questions["XLS.A.02"]["required"] is False
    assert questions["XLS.A.02"]["show_if"] == {"question": "XLS.A.01", "in": ["yes"]}
    assert questions["XLS.A.03"]["show_if"] == {"question": "XLS.A.01", "in": ["no", "yes"]}
    assert questions["XLS.B.01"]["type"] == "date"
    assert questions["XLS.B.01"]["show_if"]["in"] == ["yes"]
    assert definition["areas"][0]["sections"][0]["description"]["fr"] == "Merci de répondre."
    assert definition["option_sets"]["yes_no"]["options"][1] == {"code": "no", "label": {"en": "No", "fr": "Non"}}
    assert definition["survey"]["reference_period"] == {"start": 2020, "end": 2024}


def test_repeats_calculations_and_choice_filters_are_listed_by_row_not_dropped(tmp_path: Path) -> None:
    form = _book(
        tmp_path / "cascade.xlsx",
        [
            ["type", "name", "label", "choice_filter", "calculation", "constraint"],
            ["start", "start", "", "", "", ""],
            ["select_one region", "region", "Region", "", "", ""],
            ["select_one city", "city", "City", "region=${region}", "", ""],
            ["select_multiple services", "services", "Services offered", "", "", ""],
            ["integer", "victims", "Victims", "", "", ". >= 0 and . < 1000000"],
            ["integer", "shelters", "Shelters", "", "", "regex(., '^[0-9]+$')"],
            ["calculate", "per_shelter", "", "", "${victims} div ${shelters}", ""],
            ["begin repeat", "staff", "Staff member", "", "", ""],
            ["text", "staff_name", "Name", "", "", ""],
            ["geopoint", "office", "Office location", "", "", ""],
            ["end repeat", "", "", "", "", ""],
        ],
        [
            ["list_name", "name", "label", "region"],
            ["region", "north", "North", ""],
            ["region", "south", "South", ""],
            ["city", "n-1", "Northtown", "north"],
            ["city", "s-1", "Southville", "south"],
            ["services", "shelter", "Shelter", ""],
            ["services", "legal", "Legal aid", ""],
        ],
    )
    output = _import(form, "cascade")
    assert "cascade: created as a draft (areas: 1, sections: 1, questions: 5)" in output
    assert "survey sheet, row 2: start 'start' — not imported: device metadata" in output
    assert "survey sheet, row 4: column choice_filter (region=${region}) — not imported" in output
    assert "survey sheet, row 7: the constraint" not in output
    assert "survey sheet, row 7: integer 'shelters' — not imported: the constraint regex(., '^[0-9]+$')" in output
    assert "survey sheet, row 8: calculate 'per_shelter' — not imported: a calculation" in output
    assert "survey sheet, row 9: begin repeat 'staff' — not imported: a repeat" in output
    assert "choices sheet, row 4: choice name 'n-1' — not imported: written as option code 'n_1'" in output
    questions = _questions(survey_export_definition(survey=Survey.objects.get(slug="cascade")))
    assert questions["XLS.A.04"]["validation"] == {"min": 0, "max": 999999}
    assert questions["XLS.A.03"]["type"] == "multi_select"


def test_a_likert_table_becomes_a_matrix_and_an_unreadable_condition_is_reported(tmp_path: Path) -> None:
    form = _book(
        tmp_path / "likert.xlsx",
        [
            ["type", "name", "label::English", "label::Español", "appearance", "relevant"],
            ["select_one agree", "consent", "Do you agree to answer?", "¿Acepta responder?", "", ""],
            ["begin group", "opinions", "How far do you agree?", "¿Está de acuerdo?", "table-list", "${consent} = 'a'"],
            ["select_one agree", "funding", "Funding is enough", "La financiación basta", "", ""],
            ["select_one agree", "training", "Training is enough", "La formación basta", "", ""],
            ["end group", "", "", "", "", ""],
            ["text", "why", "Why?", "¿Por qué?", "multiline", "${consent} != 'a' and ${funding} = 'a'"],
        ],
        [
            ["list_name", "name", "label::English", "label::Español"],
            ["agree", "a", "Agree", "De acuerdo"],
            ["agree", "d", "Disagree", "En desacuerdo"],
        ],
    )
    output = _import(form, "likert")
    assert "survey sheet, row 7: text 'why' — not imported: the condition" in output
    questions = _questions(survey_export_definition(survey=Survey.objects.get(slug="likert")))
    matrix = questions["XLS.A.02"]
    assert matrix["type"] == "matrix"
    assert [r["code"] for r in matrix["rows"]] == ["funding", "training"]
    assert matrix["rows"][0]["label"] == {"en": "Funding is enough", "es": "La financiación basta"}
    assert matrix["show_if"] == {"question": "XLS.A.01", "in": ["a"]}
    assert questions["XLS.A.03"]["type"] == "long_text"
    assert questions["XLS.A.03"]["show_if"] is None


def test_a_form_pyxform_refuses_is_not_imported_and_names_the_row(tmp_path: Path) -> None:
    form = _book(
        tmp_path / "broken.xlsx",
        [["type", "name", "label"], ["select_one missing_list", "q", "Question"]],
        [["list_name", "name", "label"], ["other", "a", "A"]],
    )
    with pytest.raises(CommandError, match="1 problem; nothing was written"):
        _import(form, "broken")
    assert not Survey.objects.filter(slug="broken").exists()


def test_an_existing_slug_is_refused(tmp_path: Path) -> None:
    survey_load_text(text=(DEFINITIONS / "thb-2016.yaml").read_text(encoding="utf-8"))
    form = _book(tmp_path / "f.xlsx", [["type", "name", "label"], ["text", "q", "Q"]], [["list_name", "name", "label"]])
    with pytest.raises(CommandError):
        _import(form, "thb-2016")


def test_field_names_give_question_row_and_column_back() -> None:
    for key in [("PRV.SUP.01", "", ""), ("PRV.SUP.02", "training", ""), ("PRO.DATA.01", "", "2014"),
                ("PRO.DATA.05", "2014.female.adult", "national")]:  # fmt: skip
        assert cell_of_name("PRV/PRV.SUP/" + field_name(*key)) == key


def test_show_if_becomes_relevant_and_reads_back() -> None:
    rule = {"question": "PAR.NAT.03", "row": "in_force", "in": ["yes", "in_process"]}
    expression = to_relevant(rule, several=False)
    assert expression == "${PAR.NAT.03-in_force} = 'yes' or ${PAR.NAT.03-in_force} = 'in_process'"
    assert parse_relevant(expression) == ("PAR.NAT.03-in_force", ["yes", "in_process"])
    assert parse_relevant("(selected(${NGO.P.01}, 'shelter') or selected(${NGO.P.01}, \"legal_aid\"))") == (
        "NGO.P.01",
        ["shelter", "legal_aid"],
    )
    assert parse_relevant("${a} = 'x' and ${b} = 'y'") is None


def test_a_kobo_wide_export_becomes_rows_of_the_answer_import() -> None:
    wide = [
        {
            "start": "2025-01-01T10:00",
            "organisation": "Albania",
            "PRV/PRV.SUP/PRV.SUP.01": "yes",
            "PRV/PRV.SUP/PRV.SUP.04": "shelter legal",
            "PRV/PRV.SUP/PRV.SUP.04/shelter": "1",
            "PRV/PRV.SUP/PRV.SUP.02-cells/PRV.SUP.02-training": "partly",
            "PRO/PRO.DATA/PRO.DATA.01-cells/PRO.DATA.01--2014": "12",
            "PRO/PRO.DATA/PRO.DATA.05-cells/PRO.DATA.05-2014.female.adult-national": "3",
            "PRV/PRV.SUP/PRV.SUP.03": "Ministry of the Interior",
            "PRV/PRV.SUP/PRV.SUP.05": "",
            "_id": "17",
        }
    ]
    rows = list(wide_to_long(wide, several={"PRV.SUP.04"}))
    assert [tuple(r.values()) for r in rows] == [
        ("Albania", "PRV.SUP.01", "", "", "yes"),
        ("Albania", "PRV.SUP.04", "", "", "shelter;legal"),
        ("Albania", "PRV.SUP.02", "training", "", "partly"),
        ("Albania", "PRO.DATA.01", "", "2014", "12"),
        ("Albania", "PRO.DATA.05", "2014.female.adult", "national", "3"),
        ("Albania", "PRV.SUP.03", "", "", "Ministry of the Interior"),
    ]


PYXFORM_EXAMPLES = Path(__file__).resolve().parent / "data" / "xlsform"


def test_pyxform_widgets_example_imports_and_lists_what_a_round_cannot_ask() -> None:
    output = _import(PYXFORM_EXAMPLES / "widgets.xls", "widgets")
    assert "widgets: created as a draft (areas: 1, sections: 5, questions: 22)" in output
    for line in (
        "survey sheet, row 6: time 'my_time' — not imported: a round has no question type for 'time'",
        "survey sheet, row 11: geopoint 'my_geopoint' — not imported",
        "survey sheet, row 7: select all that apply from list 'my_select' — not imported: the constraint "
        "not(selected(., 'c') and selected(., 'd')) cannot be read",
        "survey sheet, row 4: column default (18.31) — not imported",
    ):
        assert line in output
    # strict bounds on a decimal: no inclusive bound says the same
    assert "survey sheet, row 4: decimal 'my_decimal' — not imported: the constraint . > 10.51 and . < 18.39" in output
    assert "widgets: 21 features of the form were not imported" in output


def test_pyxform_cascading_selects_import_without_their_calculations_and_filters() -> None:
    output = _import(PYXFORM_EXAMPLES / "cascading_select_test_equivalent.xls", "cascade-example")
    assert "created as a draft (areas: 1, sections: 1, questions: 7)" in output
    assert "survey sheet, row 5: calculate 'mylga_state' — not imported: a calculation" in output
    assert "survey sheet, row 6: select_one mylga_lga_in_state_1 'mylga_lga_in_state_1' — not imported: the " in output
    filtered = _import(PYXFORM_EXAMPLES / "choice_filter_test.xlsx", "filter-example")
    assert "survey sheet, row 3: column choice_filter (${state}=cf) — not imported" in filtered
    assert (
        "choices sheet, row 6: choice name 'king' — not imported: it is already an option of list counties" in filtered
    )


@pytest.mark.parametrize(("name", "questions"), [("text_and_integer.md", 2), ("yes_or_no_question.xlsx", 1)])
def test_pyxform_examples_in_old_header_styles_and_markdown_import(name: str, questions: int) -> None:
    slug = name.split(".")[0].replace("_", "-")
    output = _import(PYXFORM_EXAMPLES / name, slug)
    assert f"questions: {questions})" in output
    question = next(iter(_questions(survey_export_definition(survey=Survey.objects.get(slug=slug))).values()))
    assert question["text"]["en"]  # `label:english` (one colon) is read as English


def test_a_kobo_csv_export_of_an_exported_round_becomes_an_import_file(tmp_path: Path) -> None:
    survey_load_text(text=(DEFINITIONS / "thb-2016.yaml").read_text(encoding="utf-8"))
    multi = next(
        q
        for q in _questions(survey_export_definition(survey=Survey.objects.get(slug="thb-2016"))).values()
        if q["type"] == "multi_select"
    )
    wide = tmp_path / "kobo.csv"
    wide.write_text(f"start;organisation;group/{multi['code']};_id\n2025-01-01;Albania;a b;1\n", encoding="utf-8")
    target = tmp_path / "long.csv"
    out = io.StringIO()
    call_command("xlsform_answers", str(wide), "--survey", "thb-2016", "-o", str(target), stdout=out)
    assert "1 answer cell" in out.getvalue()
    assert target.read_text(encoding="utf-8").splitlines() == [
        "organisation,question,row,column,value",
        f"Albania,{multi['code']},,,a;b",
    ]


def test_a_text_that_starts_with_an_equals_sign_is_written_as_text_not_a_formula() -> None:
    definition = parse_definition((DEFINITIONS / "thb-2016.yaml").read_text(encoding="utf-8"))
    question = definition["areas"][0]["sections"][0]["items"][0]
    question["text"]["en"] = "=SUM(A1) victims"
    sheet = load_workbook(io.BytesIO(definition_to_xlsform(definition)))["survey"]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == "=SUM(A1) victims")
    assert cell.data_type == "s"


YES_NO = [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]]


def test_a_condition_on_a_section_or_area_of_a_form_with_our_codes_is_carried_to_its_questions(tmp_path: Path) -> None:
    form = _book(
        tmp_path / "native.xlsx",
        [
            ["type", "name", "label", "relevant"],
            ["begin group", "ABC", "Area", ""],
            ["begin group", "ABC.DE", "Section", ""],
            ["select_one yn", "ABC.DE.01", "Plan?", ""],
            ["end group", "", "", ""],
            ["begin group", "ABC.FG", "Section 2", "${ABC.DE.01} = 'yes'"],
            ["integer", "ABC.FG.01", "How many?", ""],
            ["end group", "", "", ""],
            ["end group", "", "", ""],
            ["begin group", "XYZ", "Area 2", "${ABC.DE.01} = 'no'"],
            ["begin group", "XYZ.HI", "Section 3", ""],
            ["text", "XYZ.HI.01", "Why not?", ""],
            ["end group", "", "", ""],
            ["begin group", "XYZ.JK", "Section 4", "${ABC.DE.01} = 'yes'"],
            ["text", "XYZ.JK.01", "Who?", ""],
            ["end group", "", "", ""],
            ["end group", "", "", ""],
        ],
        YES_NO,
    )
    output = _import(form, "native")
    questions = _questions(survey_export_definition(survey=Survey.objects.get(slug="native")))
    assert questions["ABC.FG.01"]["show_if"] == {"question": "ABC.DE.01", "in": ["yes"]}
    assert questions["XYZ.HI.01"]["show_if"] == {"question": "ABC.DE.01", "in": ["no"]}
    assert "survey sheet, row 14: begin group 'XYZ.JK' — not imported: a group's condition inside another" in output
    assert questions["XYZ.JK.01"]["show_if"] == {"question": "ABC.DE.01", "in": ["yes"]}


def test_equals_on_a_multiple_choice_is_listed_not_read_as_among_the_choices(tmp_path: Path) -> None:
    form = _book(
        tmp_path / "multi.xlsx",
        [
            ["type", "name", "label", "relevant"],
            ["select_multiple svc", "services", "Services", ""],
            ["text", "exactly", "Only shelter: why?", "${services} = 'shelter'"],
            ["text", "among", "About the shelter", "selected(${services}, 'shelter')"],
        ],
        [["list_name", "name", "label"], ["svc", "shelter", "Shelter"], ["svc", "legal", "Legal"]],
    )
    output = _import(form, "multi")
    assert (
        "survey sheet, row 3: text 'exactly' — not imported: the condition ${services} = 'shelter': on a multiple "
        "choice, = means exactly that choice"
    ) in output
    questions = _questions(survey_export_definition(survey=Survey.objects.get(slug="multi")))
    assert questions["XLS.A.02"]["show_if"] is None
    assert questions["XLS.A.03"]["show_if"] == {"question": "XLS.A.01", "in": ["shelter"]}


@pytest.mark.parametrize(
    ("relevant", "why"),
    [
        ("${name} = 'x'", "compares 'name', which has no options"),
        ("${count} = '3'", "compares 'count', which has no options"),
        ("${plan} = 'maybe'", "compares 'maybe', not an option of 'plan'"),
        ("${plan} = ''", "compares '', not an option of 'plan'"),
        ("${plan} = 'yes' or ${plan} = 'maybe'", "compares 'maybe', not an option of 'plan'"),
    ],
)
def test_a_condition_the_round_cannot_hold_is_listed_and_the_question_imported(
    tmp_path: Path, relevant: str, why: str
) -> None:
    form = _book(
        tmp_path / "conditions.xlsx",
        [
            ["type", "name", "label", "relevant"],
            ["text", "name", "Name", ""],
            ["select_one yn", "plan", "Plan?", ""],
            ["integer", "count", "Count", ""],
            ["text", "target", "Target", relevant],
        ],
        YES_NO,
    )
    output = _import(form, "conditions")
    assert f"survey sheet, row 5: text 'target' — not imported: the condition {relevant} {why}" in output
    questions = _questions(survey_export_definition(survey=Survey.objects.get(slug="conditions")))
    assert questions["XLS.A.04"]["show_if"] is None


@pytest.mark.parametrize(
    ("field_type", "constraint", "bounds", "left"),
    [
        ("integer", ". > 2.5 and . < 10", {"min": 3, "max": 9}, []),
        ("integer", ". > -3", {"min": -2}, []),
        ("date", ". > date('2020-12-31') and . < date('2024-03-01')", {"min": "2021-01-01", "max": "2024-02-29"}, []),
        ("decimal", ". > 2.5 and . <= 10", {"max": 10}, [". > 2.5"]),
        ("decimal", ". < 2", {}, [". < 2"]),
        ("decimal", "(. >= 0) and (. <= 10)", {"min": 0, "max": 10}, []),
        ("integer", "((. >= 0) and (. <= 10))", {"min": 0, "max": 10}, []),
    ],
)
def test_strict_bounds_are_read_exactly_or_not_at_all(
    field_type: str, constraint: str, bounds: dict[str, Any], left: list[str]
) -> None:
    assert parse_constraint(constraint, field_type) == (bounds, left)


def test_a_strict_bound_on_a_decimal_is_listed_with_its_row(tmp_path: Path) -> None:
    form = _book(
        tmp_path / "strict.xlsx",
        [["type", "name", "label", "constraint"], ["decimal", "rate", "Rate", "(. > 2.5) and (. <= 10)"]],
        [["list_name", "name", "label"]],
    )
    output = _import(form, "strict")
    assert "survey sheet, row 2: decimal 'rate' — not imported: the constraint . > 2.5: a round's bounds" in output
    questions = _questions(survey_export_definition(survey=Survey.objects.get(slug="strict")))
    assert questions["XLS.A.01"]["validation"] == {"max": 10}


def test_an_xlsx_export_gives_iso_dates_and_formula_like_text_is_written_as_text(tmp_path: Path) -> None:
    survey_load_text(text=(DEFINITIONS / "thb-2016.yaml").read_text(encoding="utf-8"))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["organisation", "g/XLS.A.01", "g/XLS.A.02", "g/XLS.A.03", "g/XLS.A.04"])
    sheet.append(["=cmd|' /C calc'!A0", dt.datetime(2024, 1, 15), '=HYPERLINK("http://x")', "-5", "@SUM(A1)"])
    for cell in sheet[2]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # text, as an export writes it (openpyxl takes '=…' for a formula)
    wide = tmp_path / "kobo.xlsx"
    book.save(wide)
    target = tmp_path / "long.csv"
    out = io.StringIO()
    call_command("xlsform_answers", str(wide), "--survey", "thb-2016", "-o", str(target), stdout=out)
    rows = list(csv.reader(target.read_text(encoding="utf-8").splitlines()))
    assert rows[1:] == [
        ["'=cmd|' /C calc'!A0", "XLS.A.01", "", "", "2024-01-15"],
        ["'=cmd|' /C calc'!A0", "XLS.A.02", "", "", '\'=HYPERLINK("http://x")'],
        ["'=cmd|' /C calc'!A0", "XLS.A.03", "", "", "-5"],
        ["'=cmd|' /C calc'!A0", "XLS.A.04", "", "", "'@SUM(A1)"],
    ]
    assert "4 rows have a text starting with =, +, - or @, written with a leading '" in out.getvalue()


def test_a_text_without_a_translation_is_named_by_its_place() -> None:
    item = "areas[PRV].sections[PRV.SUP].items[PRV.SUP.01]"
    assert [
        text_place(path)
        for path in (
            "survey.title",
            "areas[PRV].description",
            "areas[PRV].sections[PRV.SUP].title",
            f"{item}.text",
            f"{item}.options[yes].label",
            f"{item}.rows[training].label",
            f"{item}.dimensions[sex].label",
        )
    ] == [
        "round title",
        "area PRV description",
        "section PRV.SUP title",
        "question PRV.SUP.01 text",
        "question PRV.SUP.01 option yes",
        "question PRV.SUP.01 row training",
        "question PRV.SUP.01: dimensions[sex].label",
    ]


@pytest.mark.parametrize(
    ("text", "written"),
    [("=1+1", "'=1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("-2+3", "'-2+3"), ("-5", "-5"), ("+3.5", "+3.5"), ("ok", "ok")],
)
def test_the_answers_file_guards_text_a_spreadsheet_would_run_as_a_formula(text: str, written: str) -> None:
    """The characters are the exports' own (oscethb.spreadsheets); a plain number stays a number for the import."""
    assert formula_safe(text) == written
