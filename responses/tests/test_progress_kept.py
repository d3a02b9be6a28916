"""Progress kept on the response row (responses/progress.py) is always what computing it from every answer gives:
after each save (including answers that hide or show other questions), documents, an import and the rebuild
command."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from responses.evidence import evidence_delete, evidence_upload
from responses.models import Evidence, Response
from responses.selectors import answers_of, evidence_counts, progress_of, progress_stored, survey_structure
from responses.services import answers_save
from responses.tests.test_workflow import _valid_raw

from .conftest import question

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _words(progress: object) -> dict[str, tuple[int, int, list[str]]]:
    return {
        s.section.code: (s.required, s.answered, [q.code for q in s.missing])
        for _a, sections in progress.areas  # type: ignore[attr-defined]
        for s in sections
    }


def _kept_and_computed(response: Response) -> tuple[dict, dict]:
    response = Response.objects.select_related("survey", "organisation").get(pk=response.pk)
    areas = survey_structure(response.survey, response.organisation.respondent_kind)
    kept = progress_stored(response, areas)
    assert kept is not None, "no progress kept for the round's current structure"
    return _words(kept), _words(progress_of(areas, answers_of(response), evidence_counts(response)))


def _save(response: Response, code: str, raw: dict, user: object) -> None:
    outcome = answers_save(
        response=response, question=question(response.survey, code), raw=raw, base_versions=None, user=user
    )
    assert not outcome.error, outcome.error


def test_kept_progress_follows_every_save_including_answers_that_hide_questions(response_at, people):
    user = people.coordinator
    steps = [
        ("PRV.SUP.01", {("", ""): "yes"}),  # shows PRV.SUP.02, which is required and unanswered
        ("PRV.SUP.02", _valid_raw(question(response_at.survey, "PRV.SUP.02"))),
        ("PRV.SUP.01", {("", ""): "no"}),  # hides PRV.SUP.02 again: no longer asked for
        ("PRO.ENF.01", {("", ""): "yes"}),
        ("PRO.ENF.01", {("", ""): ""}),  # cleared
        ("PRV.SUP.01", {("", ""): "in_process"}),
    ]
    for code, raw in steps:
        _save(response_at, code, raw, user)
        kept, computed = _kept_and_computed(response_at)
        assert kept == computed, (code, raw)
    assert "PRV.SUP.02" not in _kept_and_computed(response_at)[0]["PRV.SUP"][2]


def test_kept_progress_counts_documents_added_and_removed(response_at, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    _save(response_at, "PRV.SUP.01", {("", ""): "yes"}, people.coordinator)
    q = question(response_at.survey, "PAR.NAT.06")
    q.required = True  # the Office makes the document required (a structure change: progress is computed again)
    q.save()
    response_at.survey.refresh_from_db()  # as the next request reads it (a save checked against the old structure
    # is refused: responses/tests/test_autosave_races.py)
    _save(response_at, "PAR.NAT.03", {("in_force", ""): "yes"}, people.coordinator)  # shows PAR.NAT.06
    evidence_upload(
        response=response_at, question=q, upload=SimpleUploadedFile("plan.pdf", PDF), user=people.coordinator
    )
    kept, computed = _kept_and_computed(response_at)
    assert kept == computed, {k: (v, computed[k]) for k, v in kept.items() if v != computed[k]}
    evidence_delete(evidence=Evidence.objects.get(question=q), user=people.coordinator)
    kept_after, computed_after = _kept_and_computed(response_at)
    assert kept_after == computed_after
    assert kept_after != kept, (kept["PAR.NAT"], kept_after["PAR.NAT"])  # the document counted, then no longer


@pytest.mark.django_db
def test_the_rebuild_command_restores_progress_lost_or_out_of_date(response_at, people, capsys):
    _save(response_at, "PRV.SUP.01", {("", ""): "yes"}, people.coordinator)
    Response.objects.filter(pk=response_at.pk).update(progress={})
    response = Response.objects.select_related("survey", "organisation").get(pk=response_at.pk)
    assert progress_stored(response, survey_structure(response.survey, "state")) is None
    call_command("progress_rebuild", "--survey", "thb-2016")
    assert "Progress computed again for 1 response." in capsys.readouterr().out
    kept, computed = _kept_and_computed(response_at)
    assert kept == computed


def test_the_pages_show_kept_progress_without_reading_every_answer(client, response_at, people):
    client.force_login(people.coordinator)
    _save(response_at, "PRV.SUP.01", {("", ""): "yes"}, people.coordinator)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        page = client.get("/rounds/thb-2016/respond/AT/review/")
    assert page.status_code == 200
    every_answer = [
        q["sql"] for q in queries.captured_queries if '"responses_answer"' in q["sql"] and "question_id" not in q["sql"]
    ]
    assert not every_answer


def test_figures_per_year_count_as_answered_once_any_year_has_one_and_older_kept_progress_follows(response_at, people):
    """PRO.DATA.01 asks to leave a year empty when there is no figure: one year filled answers it (the coordinator
    who followed that help could never submit). Progress kept under the earlier rule (every year) is computed again,
    never shown as it was kept."""
    q = question(response_at.survey, "PRO.DATA.01")
    year = q.cells()[0].key
    _save(response_at, "PRO.DATA.01", {year: "12"}, people.coordinator)
    kept, computed = _kept_and_computed(response_at)
    assert kept == computed
    assert "PRO.DATA.01" not in kept["PRO.DATA"][2]

    # Progress kept by the earlier rule (no "rules" in it) still lists PRO.DATA.01 as missing: it is not trusted.
    response = Response.objects.select_related("survey", "organisation").get(pk=response_at.pk)
    old = dict(response.progress)
    old.pop("rules")
    old["sections"] = {
        key: {**entry, "missing": [*entry["missing"], q.pk]} if str(q.section_id) == key else entry
        for key, entry in old["sections"].items()
    }
    Response.objects.filter(pk=response.pk).update(progress=old)
    response.refresh_from_db()
    areas = survey_structure(response.survey, response.organisation.respondent_kind)
    assert progress_stored(response, areas) is None  # computed from the answers instead
    # The next save keeps it again under today's rule.
    _save(response_at, "PRV.SUP.01", {("", ""): "yes"}, people.coordinator)
    kept, computed = _kept_and_computed(response_at)
    assert kept == computed
    assert "PRO.DATA.01" not in kept["PRO.DATA"][2]
