"""Translations of a definition: the loader says which texts lack a language, and --require-languages refuses a
file with gaps (nothing written); the shipped rounds have every text in the six languages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import CommandError

from surveys.definition_languages import language_gaps
from surveys.definitions import LANGUAGES, parse_definition
from surveys.models import Survey

from .factories import MINIMAL_DEFINITION, SHIPPED, definition_text, minimal_definition


def _fully_translated() -> dict:
    """The minimal definition with every text in all six languages."""
    data = minimal_definition()

    def fill(value: object) -> None:
        if isinstance(value, dict):
            if "en" in value and all(isinstance(v, str) for v in value.values()):
                for lang in LANGUAGES:
                    value.setdefault(lang, f"[{lang}] {value['en']}")
                return
            for child in value.values():
                fill(child)
        elif isinstance(value, list):
            for child in value:
                fill(child)

    fill(data)
    return data


def test_gaps_name_each_text_without_the_language_by_its_codes() -> None:
    gaps = language_gaps(parse_definition(MINIMAL_DEFINITION), ["fr", "de"])
    # The minimal round's title has fr but no de; the document's title has English only, the commitment's en and fr.
    assert "survey.title" in gaps["de"]
    assert "survey.title" not in gaps["fr"]
    assert "documents.AP2003.title" in gaps["fr"]
    assert "commitments[AP2003.IV].title" in gaps["de"]
    assert "commitments[AP2003.IV].title" not in gaps["fr"]
    assert any(place.startswith("areas[PRV].sections[PRV.SUP].items[PRV.SUP.01].") for place in gaps["de"])


def test_a_fully_translated_definition_has_no_gaps() -> None:
    assert language_gaps(parse_definition(definition_text(_fully_translated()))) == {}


def test_require_languages_refuses_a_file_with_gaps_and_writes_nothing(
    tmp_path: Path, run_command: Callable, db: None
) -> None:
    path = tmp_path / "round.yaml"
    path.write_text(MINIMAL_DEFINITION, encoding="utf-8")
    with pytest.raises(CommandError, match=r"missing translations? in de .*nothing was written"):
        run_command("load_survey", str(path), require_languages="en,de")
    assert not Survey.objects.filter(slug="thb-2099").exists()


def test_require_languages_names_the_places_without_the_language(tmp_path: Path, db: None) -> None:
    import io

    from django.core.management import call_command

    path = tmp_path / "round.yaml"
    path.write_text(MINIMAL_DEFINITION, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("load_survey", str(path), require_languages="de", stdout=io.StringIO(), stderr=err)
    assert f"{path}: survey.title: no de text" in err.getvalue()


def test_without_the_option_the_gaps_are_reported_and_the_round_loads(load_text: Callable, db: None) -> None:
    output = load_text(MINIMAL_DEFINITION)
    # 18 texts: the commitment title is one more than the earlier shape had.
    assert "thb-2099: 18 of 18 texts have no de translation" in output.stdout
    assert Survey.objects.filter(slug="thb-2099").exists()


def test_a_fully_translated_file_loads_with_every_language_required(
    tmp_path: Path, run_command: Callable, db: None
) -> None:
    path = tmp_path / "round.yaml"
    path.write_text(definition_text(_fully_translated()), encoding="utf-8")
    output = run_command("load_survey", str(path), require_languages=",".join(LANGUAGES))
    assert "thb-2099: created" in output.stdout
    assert "translation" not in output.stdout


def test_an_unknown_required_language_is_an_error(tmp_path: Path, run_command: Callable, db: None) -> None:
    path = tmp_path / "round.yaml"
    path.write_text(MINIMAL_DEFINITION, encoding="utf-8")
    with pytest.raises(CommandError, match="unknown language xx"):
        run_command("load_survey", str(path), require_languages="en,xx")


@pytest.mark.parametrize("path", SHIPPED.values(), ids=SHIPPED.keys())
def test_every_text_of_a_shipped_round_is_in_the_six_languages(path: Path) -> None:
    definition = parse_definition(path.read_text(encoding="utf-8"))
    gaps = language_gaps(definition)
    assert gaps == {}, {lang: (len(places), places[:5]) for lang, places in gaps.items()}
