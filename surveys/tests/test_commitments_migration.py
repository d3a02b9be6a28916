"""Migration 0005: rounds stored in the earlier shape keep every reference, as commitments named after the text."""

from __future__ import annotations

import importlib
from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

migration = importlib.import_module("surveys.migrations.0005_documents_and_commitments")

AP = {"title": {"en": "OSCE Action Plan (2003)", "fr": "Plan d'action de l'OSCE (2003)"}}


def test_each_distinct_reference_becomes_one_commitment_in_the_area_where_it_first_appears() -> None:
    documents, commitments, references = migration.convert_round(
        {"AP2003": AP, "ADD2013": {"title": {"en": "Addendum (2013)"}}},
        [("PRO", ["AP2003 ch. III"]), ("PRV", [])],
        [
            ("PRO.LEG.01", "PRO", ["AP2003 ch. II", "AP2003 ch. III"]),
            ("PRV.SUP.01", "PRV", ["ADD2013 prevention section", "MC.DEC/6/17", "AP2003 ch. II"]),
            ("PRV.SUP.02", "PRV", []),
        ],
    )

    assert documents["AP2003"] == AP  # moved unchanged
    assert documents["MC.DEC/6/17"] == {"title": {"en": "MC.DEC/6/17"}}  # a reference to no known document
    assert commitments == [
        {
            "code": "AP2003.CH.III",
            "title": {"en": "AP2003 ch. III"},
            "document": "AP2003",
            "paragraph": "ch. III",
            "area": "PRO",
        },
        {
            "code": "AP2003.CH.II",
            "title": {"en": "AP2003 ch. II"},
            "document": "AP2003",
            "paragraph": "ch. II",
            "area": "PRO",
        },
        {
            "code": "ADD2013.PREVENTION.SECTION",
            "title": {"en": "ADD2013 prevention section"},
            "document": "ADD2013",
            "paragraph": "prevention section",
            "area": "PRV",
        },
        {
            "code": "MC.DEC.6.17",
            "title": {"en": "MC.DEC/6/17"},
            "document": "MC.DEC/6/17",
            "paragraph": "",
            "area": "PRV",
        },
    ]
    assert references == {
        "PRO.LEG.01": ["AP2003.CH.II", "AP2003.CH.III"],
        "PRV.SUP.01": ["ADD2013.PREVENTION.SECTION", "MC.DEC.6.17", "AP2003.CH.II"],
        "PRV.SUP.02": [],
    }


def test_texts_that_read_alike_in_capitals_get_distinct_codes() -> None:
    _documents, commitments, references = migration.convert_round(
        {}, [], [("PRO.LEG.01", "PRO", ["ap2003 ch. ii", "AP2003 ch. II", "2013 addendum"])]
    )

    assert [c["code"] for c in commitments] == ["AP2003.CH.II", "AP2003.CH.II.2", "REF.2013.ADDENDUM"]
    assert references["PRO.LEG.01"] == ["AP2003.CH.II", "AP2003.CH.II.2", "REF.2013.ADDENDUM"]


def test_migrating_back_gives_each_area_and_question_its_texts_again() -> None:
    _documents, commitments, references = migration.convert_round(
        {"AP2003": AP},
        [("PRO", ["AP2003 ch. III"]), ("PRV", [])],
        [("PRO.LEG.01", "PRO", ["AP2003 ch. II", "AP2003 ch. III"]), ("PRV.SUP.01", "PRV", ["MC.DEC/6/17"])],
    )

    areas, texts = migration.restore_round(commitments, [*references.items(), ("PRV.SUP.02", ["UNKNOWN.CODE"])])

    assert areas == {"PRO": ["AP2003 ch. III", "AP2003 ch. II"], "PRV": ["MC.DEC/6/17"]}
    assert texts == {
        "PRO.LEG.01": ["AP2003 ch. II", "AP2003 ch. III"],
        "PRV.SUP.01": ["MC.DEC/6/17"],
        "PRV.SUP.02": ["UNKNOWN.CODE"],  # a code without a commitment stays as it is
    }


def _migrate(target: list[tuple[str, str]] | None = None) -> Any:
    """Migrate the surveys app to `target` (the latest when None); the models as they are there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    target = target or executor.loader.graph.leaf_nodes("surveys")
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def test_migrating_forward_moves_a_stored_round_to_the_new_shape(transactional_db: None) -> None:
    executor = MigrationExecutor(connection)
    before = [("surveys", "0004_verbose_names")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    survey = old.get_model("surveys", "Survey").objects.create(
        slug="thb-1999", title={"en": "Old"}, reference_start=2012, reference_end=2014, commitments={"AP2003": AP}
    )
    area = old.get_model("surveys", "Area").objects.create(
        survey=survey, code="PRV", title={"en": "Prevention"}, commitments=["AP2003 ch. IV"]
    )
    section = old.get_model("surveys", "Section").objects.create(
        survey=survey, area=area, code="PRV.SUP", title={"en": "Supply"}
    )
    old.get_model("surveys", "Question").objects.create(
        survey=survey,
        section=section,
        code="PRV.SUP.01",
        type="short_text",
        text={"en": "Q"},
        commitments=["AP2003 ch. IV (awareness-raising)"],
    )

    new = _migrate()

    stored = new.get_model("surveys", "Survey").objects.get(slug="thb-1999")
    assert stored.documents == {"AP2003": AP}
    assert [(c["code"], c["area"], c["paragraph"]) for c in stored.commitments] == [
        ("AP2003.CH.IV", "PRV", "ch. IV"),
        ("AP2003.CH.IV.AWARENESS.RAISING", "PRV", "ch. IV (awareness-raising)"),
    ]
    question = new.get_model("surveys", "Question").objects.get(code="PRV.SUP.01")
    assert question.commitments == ["AP2003.CH.IV.AWARENESS.RAISING"]

    # Back: the free texts are on the area and the question again, the documents under `commitments`.
    old = _migrate(before)
    assert old.get_model("surveys", "Survey").objects.get(slug="thb-1999").commitments == {"AP2003": AP}
    assert old.get_model("surveys", "Area").objects.get(code="PRV").commitments == [
        "AP2003 ch. IV",
        "AP2003 ch. IV (awareness-raising)",
    ]
    assert old.get_model("surveys", "Question").objects.get(code="PRV.SUP.01").commitments == [
        "AP2003 ch. IV (awareness-raising)"
    ]

    # And forward again: the same commitments and references as the first time.
    again = _migrate()
    assert again.get_model("surveys", "Survey").objects.get(slug="thb-1999").commitments == stored.commitments
    assert again.get_model("surveys", "Question").objects.get(code="PRV.SUP.01").commitments == question.commitments
