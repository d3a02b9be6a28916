"""The draft of the published chapter: the .docx read back with python-docx, the command, the job and the pages.

The small 2015/16 round of test_excel (Austria, Germany and France submitted, Italy in progress, two NGOs
submitted) is answered once for the class, its final and provisional reports built, and the English, Russian and
provisional drafts written through `draft_report`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from docx.document import Document as DocumentObject
from docx.table import Table
from PIL import Image

from reports.document import write_draft
from reports.drafts import DOCX, draft_report_create, draft_report_execute, draft_report_write
from reports.headlines import sentence
from reports.models import DraftReport, JobStatus, Report, ReportRun
from reports.selectors import report_stored
from reports.services import report_run_execute
from responses.tests.factories import UserFactory
from surveys.models import Survey
from tests.otp_helpers import force_login_verified

from .test_excel import build_round

SUP01_EN = (
    "2 of 3 responding participating States reported a public procurement policy to reduce the risk of buying goods "
    "or services made with trafficked labour."
)
YES, NO, IN_PROCESS = "Yes", "No", "In process (being prepared or adopted)"


@dataclass
class World:
    survey: Survey
    docs: dict[str, DocumentObject] = field(default_factory=dict)


def draft(tmp: Path, name: str, *args: str) -> DocumentObject:
    target = tmp / f"{name}.docx"
    out = io.StringIO()
    call_command("draft_report", "--survey", "thb-2016", "-o", str(target), *args, stdout=out)
    assert f"Wrote {target}" in out.getvalue()
    return Document(str(target))


def build_reports(survey: Survey) -> None:
    for provisional in (False, True):
        run = ReportRun.objects.create(survey=survey, include_in_progress=provisional)
        assert report_run_execute(run_id=run.pk) == JobStatus.DONE


@pytest.fixture(scope="class")
def world(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Built once for the class inside a transaction rolled back at its end; each test adds a savepoint."""
    media = tmp_path_factory.mktemp("draft-media")
    out = tmp_path_factory.mktemp("draft-out")
    with override_settings(MEDIA_ROOT=str(media)):
        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
        try:
            with django_db_blocker.unblock():
                built = World(build_round())
                build_reports(built.survey)
                built.docs["en"] = draft(out, "en", "--lang", "en")
                built.docs["ru"] = draft(out, "ru", "--lang", "ru")
                built.docs["provisional"] = draft(out, "provisional", "--lang", "en", "--include-in-progress")
            yield built
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)


@pytest.fixture
def w(world: World, db: None, settings: Any, tmp_path: Path) -> World:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return world


def paragraphs(doc: DocumentObject) -> list[str]:
    return [p.text for p in doc.paragraphs if p.text.strip()]


def table_after(doc: DocumentObject, code: str) -> Table:
    """The first table after the paragraph that is the question's code (the note under its heading)."""
    body = doc.element.body
    seen = False
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p" and "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")) == code:
            seen = True
        elif tag == "tbl" and seen:
            return Table(child, doc._body)
    raise AssertionError(f"no table after {code}")


def rows_of(table: Table) -> dict[str, list[str]]:
    return {row.cells[0].text: [c.text for c in row.cells[1:]] for row in table.rows}


class TestDraftDocument:
    def test_english_draft_has_the_title_the_response_count_headlines_and_tables(self, w: World) -> None:
        doc = w.docs["en"]
        texts = paragraphs(doc)
        assert texts[0] == "OSCE survey on implementing anti-trafficking commitments, 2015/16 round"
        assert doc.paragraphs[0].style.name == "Title"
        assert "Responses were received from 3 participating States and 2 NGOs." in texts
        assert not any("PROVISIONAL" in t for t in texts)
        assert SUP01_EN in texts
        assert any(
            t.startswith("1 of 3 responding participating States reported")
            and t.endswith("; 1 more reported it in process.")
            for t in texts
        )
        headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
        assert "Preventing trafficking" in headings
        # Asked of both: AT no, DE in process, FR yes; both NGOs yes.
        table = rows_of(table_after(doc, "PRV.SUP.02"))
        assert table["Option"] == ["States n", "States %", "NGOs n", "NGOs %"]
        assert table[YES] == ["1", "33%", "2", "100%"]
        assert table[NO] == ["1", "33%", "0", "0%"]
        assert table[IN_PROCESS] == ["1", "33%", "0", "0%"]
        assert table["Answered / eligible"] == ["3 / 3", "", "2 / 2", ""]
        # A States-only question has no NGO columns.
        assert rows_of(table_after(doc, "PRV.SUP.01"))[YES] == ["2", "67%"]

    def test_each_table_has_a_bar_chart_with_its_description(self, w: World) -> None:
        doc = w.docs["en"]
        shapes = list(doc.inline_shapes)
        option_tables = [t for t in doc.tables if t.rows[0].cells[0].text == "Option"]
        assert option_tables
        assert len(shapes) == len(option_tables)
        descriptions = [s._inline.docPr.get("descr") for s in shapes]
        assert all(
            d.startswith("Bar chart of the shares of States and NGOs choosing each option: ") for d in descriptions
        )
        blob = doc.part.related_parts[shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
        image = Image.open(io.BytesIO(blob))
        assert image.format == "PNG"
        assert image.width == 1400

    def test_the_key_figures_part_has_each_chain_with_its_table_and_sentences(self, w: World) -> None:
        # Investigations opened: Austria 10, 20 and 30 in 2012-2014, Germany 5 in 2012; no one gave later steps.
        doc = w.docs["en"]
        assert "Key figures" in [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
        assert "Criminal justice: investigations, prosecutions, convictions" in [
            p.text for p in doc.paragraphs if p.style.name == "Heading 2"
        ]
        assert (
            "In 2012, 2 participating States reported figures on investigations opened: 15 in all. No participating "
            "State reported figures on persons prosecuted. No participating State reported figures on persons "
            "convicted."
        ) in paragraphs(doc)
        assert "In 2014, 1 participating State reported figures on investigations opened: 30 in all." in " ".join(
            paragraphs(doc)
        )
        table = next(
            t
            for t in doc.tables
            if [c.text for c in t.rows[0].cells][:2] == ["Year", "Step"]
            and t.rows[1].cells[1].text == "investigations opened"
        )
        rows = [[c.text for c in row.cells] for row in table.rows[1:]]
        assert rows[0] == ["2012", "investigations opened", "2", "15", "7.5", "–"]
        assert ["2012", "persons prosecuted", "0", "–", "–", "–"] in rows
        russian = " ".join(paragraphs(w.docs["ru"]))
        assert (
            "В 2012 году 2 государства-участника сообщили данные по показателю «начатые расследования»: всего 15."
            in (russian)
        )

    def test_russian_draft_speaks_russian(self, w: World) -> None:
        doc = w.docs["ru"]
        texts = paragraphs(doc)
        assert texts[0].startswith("Опрос ОБСЕ")
        assert "Ответы получены от 3 государств-участников и 2 НПО." in texts
        report = report_stored(survey=w.survey)
        assert report is not None
        row = next(r for r in report.data["headlines"] if r["question"] == "PRV.SUP.01")
        question = next(q for q in report.data["questions"] if q["code"] == "PRV.SUP.01")
        russian = sentence(row, question, "ru")
        assert russian.startswith("2 из 3 ответивших государств-участников")
        assert russian in texts
        assert "Предупреждение торговли людьми" in [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
        table = rows_of(table_after(doc, "PRV.SUP.02"))
        assert table["Вариант"][:2] == ["Государства, n", "Государства, %"]
        assert table["Да"][:3] == ["1", "33 %", "2"]

    def test_provisional_draft_says_so_on_its_first_page_and_counts_answers_in_progress(self, w: World) -> None:
        doc = w.docs["provisional"]
        first = doc.paragraphs[1]
        assert first.text.startswith("PROVISIONAL: these figures include answers that are still in progress")
        assert first.runs[0].bold
        texts = paragraphs(doc)
        assert "Responses were received from 4 participating States and 2 NGOs." in texts
        assert rows_of(table_after(doc, "PRV.SUP.01"))[YES] == ["3", "75%"]

    def test_the_change_since_the_previous_round_names_the_states_as_the_directory_does(
        self, w: World, tmp_path: Path
    ) -> None:
        report = report_stored(survey=w.survey)
        assert report is not None
        data = {
            **report.data,
            "built_at": report.built_at.isoformat(),
            "changes": [
                {
                    "question": "PRV.SUP.01",
                    "previous_yes": 1,
                    "current_yes": 2,
                    "previous_answered": 3,
                    "current_answered": 3,
                }
            ],
            "state_changes": [
                {"organisation": "DE", "question": "PRV.SUP.01", "previous": "no", "current": "yes"},
                {"organisation": "AT", "question": "PRV.SUP.01", "previous": "in_process", "current": "yes"},
            ],
        }
        target = tmp_path / "change.docx"
        write_draft(
            target,
            report=data,
            language="en",
            state_names={"AT": "Austria", "DE": "Germany"},
            previous_title="The 2011 round",
        )
        texts = paragraphs(Document(str(target)))
        assert (
            "In the previous round (The 2011 round), 1 of 3 responding participating States answered “yes”. "
            "In this round, 2 of 3 responding participating States answered “yes”."
        ) in texts
        changed = texts.index("2 participating States changed their answer since the previous round:")
        assert texts[changed + 1 : changed + 3] == [f"Austria: {IN_PROCESS} → {YES}", f"Germany: {NO} → {YES}"]

    def test_a_draft_reads_the_stored_report_in_a_fixed_number_of_queries(self, w: World, tmp_path: Path) -> None:
        with CaptureQueriesContext(connection) as queries:
            draft_report_write(tmp_path / "x.docx", survey=w.survey, language="fr", include_in_progress=False)
        assert len(queries.captured_queries) == 2  # the report and the States' names (this round has no previous)
        assert not any('"responses_answer"' in q["sql"] for q in queries.captured_queries)

    # --- the command -----------------------------------------------------------------------------------------------

    def test_command_errors_name_the_choices(self, w: World, tmp_path: Path) -> None:
        target = str(tmp_path / "x.docx")
        with pytest.raises(CommandError, match=r"no round 'thb-1999' \(rounds: thb-2016\)"):
            call_command("draft_report", "--survey", "thb-1999", "--lang", "en", "-o", target)
        with pytest.raises(CommandError, match=r"unknown language 'xx' \(languages: en, fr, de, it, ru, es\)"):
            call_command("draft_report", "--survey", "thb-2016", "--lang", "xx", "-o", target)
        with pytest.raises(CommandError, match="does not exist"):
            call_command("draft_report", "--survey", "thb-2016", "--lang", "en", "-o", str(tmp_path / "no" / "x.docx"))
        Report.objects.filter(survey=w.survey, include_in_progress=True).delete()
        with pytest.raises(CommandError, match=r"no provisional report yet: build one first \(python manage.py"):
            call_command("draft_report", "--survey", "thb-2016", "--lang", "en", "-o", target, "--include-in-progress")
        assert not Path(target).exists()

    # --- the job and the staff pages -------------------------------------------------------------------------------

    def test_staff_start_a_draft_follow_it_and_download_it(
        self, w: World, client: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        staff = UserFactory(is_staff=True)
        force_login_verified(client, staff)
        start = reverse("reports:draft-report-start", args=["thb-2016"])
        page = client.get(start)
        assert page.status_code == 200
        assert b'name="language"' in page.content
        assert b"INVALID_TEMPLATE_VARIABLE" not in page.content

        with django_capture_on_commit_callbacks() as callbacks:
            response = client.post(start, {"language": "ru", "include_in_progress": "on"})
        job = DraftReport.objects.latest("pk")
        assert response.status_code == 302
        assert response["Location"] == reverse("reports:draft-report-status", args=[job.pk])
        assert (job.language, job.include_in_progress, job.requested_by, job.status) == ("ru", True, staff, "queued")
        waiting = client.get(response["Location"])
        assert b'hx-trigger="every 2s"' in waiting.content
        assert b"INVALID_TEMPLATE_VARIABLE" not in waiting.content
        partial = client.get(response["Location"], headers={"HX-Request": "true"})
        assert b"<html" not in partial.content

        assert len(callbacks) == 1
        callbacks[0]()  # the commit: the task runs (in-process)
        job.refresh_from_db()
        assert job.status == "done", job.error
        assert job.report_built_at == report_stored(survey=w.survey, include_in_progress=True).built_at  # type: ignore[union-attr]
        done = client.get(response["Location"], headers={"HX-Request": "true"})
        assert b"hx-trigger" not in done.content
        download = reverse("reports:draft-report-download", args=[job.pk])
        assert download.encode() in done.content

        file = client.get(download)
        assert file.status_code == 200
        assert file["Content-Type"] == DOCX
        assert re.search(
            r'attachment; filename="thb-2016-draft-provisional-ru-\d{8}-\d{4}', file["Content-Disposition"]
        )
        doc = Document(io.BytesIO(b"".join(file.streaming_content)))
        assert "Ответы получены от 4 государств-участников и 2 НПО." in paragraphs(doc)
        assert paragraphs(doc)[1].startswith("ПРЕДВАРИТЕЛЬНО")

        listing = client.get(start)
        assert f'data-draft-report="{job.pk}"'.encode() in listing.content
        assert download.encode() in listing.content

    def test_a_bad_form_or_a_round_without_a_report_is_shown_again(self, w: World, client: Any) -> None:
        before = DraftReport.objects.count()
        force_login_verified(client, UserFactory(is_staff=True))
        start = reverse("reports:draft-report-start", args=["thb-2016"])
        response = client.post(start, {"language": "xx"})
        assert response.status_code == 400
        assert b"xx" in response.content
        Report.objects.filter(survey=w.survey, include_in_progress=False).delete()
        response = client.post(start, {"language": "en"})
        assert response.status_code == 400
        assert b"has no report yet: build one first" in response.content
        assert DraftReport.objects.count() == before

    def test_a_draft_job_fails_with_the_reason_when_the_report_is_gone(self, w: World) -> None:
        job = draft_report_create(survey=w.survey, user=None, language="en", include_in_progress=False)
        Report.objects.filter(survey=w.survey, include_in_progress=False).delete()
        assert draft_report_execute(draft_id=job.pk) == JobStatus.FAILED
        job.refresh_from_db()
        assert "has no report yet: build one first" in job.error
        assert not job.file


def test_questions_about_the_respondent_are_no_findings_of_the_draft(tmp_path: Path) -> None:
    """Which language a State answered in is counted in the report but is not a finding: no table, no chart."""
    options = [{"code": "en", "label": {"en": "English"}}, {"code": "ru", "label": {"en": "Russian"}}]
    question = {"area": "GEN", "section": "GEN.R", "type": "single_select", "audience": "both", "rows": []}
    report = {
        "survey": {"slug": "x", "title": {"en": "A round"}, "previous": None},
        "basis": {"statuses": ["submitted"], "provisional": False},
        "built_at": "2026-11-28T00:10:00+01:00",
        "areas": [{"code": "GEN", "title": {"en": "About the respondent"}, "scored_questions": []}],
        "questions": [
            {
                **question,
                "code": "GEN.R.04",
                "text": {"en": "Language of answering"},
                "options": options,
                "about_respondent": True,
            },
            {**question, "code": "GEN.R.09", "text": {"en": "Is there a hotline?"}, "options": options},
        ],
        "response_rates": {"states": {"counted": 2, "eligible": 2}, "ngos": {"counted": 0, "eligible": 0}},
        "choice_counts": [
            {"question": code, "row": "", "kind": "state", "option": "en", "count": 2, "answered": 2, "eligible": 2}
            for code in ("GEN.R.04", "GEN.R.09")
        ],
    }
    target = tmp_path / "draft.docx"
    write_draft(target, report=report, language="en", state_names={})
    headings = [p.text for p in Document(str(target)).paragraphs if p.style.name == "Heading 2"]
    assert "Is there a hotline?" in headings
    assert "Language of answering" not in headings
