"""The Excel summary in each of the five other languages: sheet names, headers and a headline sentence translated.

The round of test_excel (`build_round`: Austria, Germany and France submitted, two NGOs) is exported once per
language through `export_excel --lang`. Every expected text is derived through the catalogue of that language
(gettext under `translation.override`), and must differ from the English text: a workbook whose frame stayed English
fails here until the language's catalogue translates it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import polib
import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from oscethb.catalogues import TRANSLATED, catalogue_path
from reports import workbook as excel
from reports.selectors import question_list
from reports.tests.test_excel import build_round, export
from surveys.i18n import pick

pytestmark = pytest.mark.django_db  # so that the test database is set up for the module's fixture

LANGUAGES = TRANSLATED  # every language the catalogues translate into
# PRV.SUP.02 in build_round: Austria no, Germany in process, France yes (the three counted States).
HEADLINE_QUESTION = "PRV.SUP.02"
HEADLINE_FIGURES = {"yes": 1, "total": 3, "in_process": 1, "partly": 0}
HEADLINE_PLURAL = (
    "%(yes)d of %(total)d responding participating States reported %(what)s; %(in_process)d more reported "
    "it in process."
)
SUMMARY_HEADER = ("Response rates", "States", "NGOs")
AREA_HEADER = ("Option", "States n", "States %", "NGOs n", "NGOs %")


def in_language(language: str, english: str) -> str:
    with translation.override(language):
        return gettext(english)


def row_starting_with(ws: Worksheet, first: str) -> list[Any]:
    for row in ws.iter_rows(values_only=True):
        if row and row[0] == first:
            return list(row)
    raise AssertionError(f"no row starting with {first!r} in {ws.title!r}")


@pytest.fixture(scope="module")
def books(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The round built and exported in English and each language, inside a transaction rolled back at the end."""
    media = tmp_path_factory.mktemp("languages-media")
    out = tmp_path_factory.mktemp("languages-out")
    with override_settings(MEDIA_ROOT=str(media)):
        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
        try:
            with django_db_blocker.unblock():
                survey = build_round()
                files: dict[str, Path] = {"en": export(out, "en")}
                for language in LANGUAGES:
                    files[language] = export(out, language, "--lang", language)
                questions = {q["code"]: q for q in question_list(survey)}
            loaded: dict[str, Any] = {key: openpyxl.load_workbook(path) for key, path in files.items()}
            loaded["questions"] = questions
            yield loaded
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)


def area_sheet(book: Workbook, code: str) -> Worksheet:
    """An area's sheet, found by its title in A1 (its name is the area's title in the workbook's language)."""
    for ws in book.worksheets:
        if isinstance(ws["A1"].value, str) and ws["A1"].value.startswith(f"{code} "):
            return ws
    raise AssertionError(f"no sheet for area {code}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_fixed_sheet_names_are_in_the_workbooks_language(books: dict[str, Any], language: str) -> None:
    english, book = books["en"].sheetnames, books[language].sheetnames
    assert len(book) == len(english)
    assert book != english
    translated = {
        e.msgid: e.msgstr for e in polib.pofile(str(catalogue_path(language, "django"))) if e.msgctxt == "sheet name"
    }
    for sheet in excel.FIXED_SHEETS:
        name = excel.styles.english_name(sheet)
        with translation.override(language):
            expected = str(sheet)
        # Translated, or kept the same by the translator's choice (French "Scores").
        assert translated.get(name) == expected, f"sheet name {name!r} is not translated into {language}"
        assert len(expected) <= excel.styles.SHEET_NAME_MAX, f"{language} sheet name {expected!r} is too long"
        assert book[english.index(name)] == expected  # in the English workbook's place


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_summary_and_area_headers_are_in_the_workbooks_language(books: dict[str, Any], language: str) -> None:
    summary = books[language].worksheets[0]
    expected = [in_language(language, text) for text in SUMMARY_HEADER]
    assert expected != list(SUMMARY_HEADER), f"the Summary header is not translated into {language}"
    assert row_starting_with(summary, expected[0])[:3] == expected

    area = area_sheet(books[language], "PRV")
    expected = [in_language(language, text) for text in AREA_HEADER]
    assert expected != list(AREA_HEADER), f"the area sheets' header is not translated into {language}"
    assert row_starting_with(area, expected[0])[:5] == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_headline_sentence_is_the_languages_whole_sentence(books: dict[str, Any], language: str) -> None:
    with translation.override(language):
        pattern = ngettext(HEADLINE_PLURAL, HEADLINE_PLURAL, HEADLINE_FIGURES["yes"])  # the plural follows "yes"
    assert pattern != HEADLINE_PLURAL, f"the headline sentence is not translated into {language}"
    what = pick(books["questions"][HEADLINE_QUESTION]["headline"], language)
    expected = pattern % {**HEADLINE_FIGURES, "what": what}
    summary = books[language].worksheets[0]
    assert row_starting_with(summary, HEADLINE_QUESTION)[1] == expected


def test_a_translated_sheet_name_is_made_valid_short_and_unique(monkeypatch: pytest.MonkeyPatch) -> None:
    # A translator's name may be too long, hold characters Excel refuses, equal another sheet's, or be empty.
    def translated(english: str, name: str) -> Any:
        return lazy(lambda: english if translation.get_language() == "en" else name, str)()

    sheets = (
        translated("Summary", "Résumé: [données]/synthèse*? de la campagne de collecte"),
        translated("Scores", "Données"),
        translated("Raw data", "données"),
        translated("State vs NGO", ""),
    )
    monkeypatch.setattr(excel.styles, "FIXED_SHEETS", sheets)
    used: set[str] = set()
    with translation.override("fr"):
        names = excel.styles.fixed_sheet_names(used)
    assert names == {
        "Summary": "Résumé données synthèse de la",
        "Scores": "Données",
        "Raw data": "données (2)",
        "State vs NGO": "State vs NGO",
    }
    assert all(len(name) <= excel.styles.SHEET_NAME_MAX for name in names.values())
    assert used == {name.casefold() for name in names.values()}
