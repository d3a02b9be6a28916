"""Findings by commitment: the report stores the round's commitments and each question's; the grouping (a pure
function over the stored report) feeds the dashboard page, the workbook's Commitments sheet and the draft report's
"Findings by commitment" part, in the reader's language."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from docx import Document

from reports.commitments import commitment_findings, commitment_sentence
from reports.document import write_draft
from reports.models import JobStatus, ReportRun
from reports.selectors import regions, report_stored
from reports.services import report_run_execute
from reports.workbook import write_summary
from responses.tests.factories import UserFactory
from surveys.models import Survey
from tests.otp_helpers import force_login_verified

from .test_draft_report import SUP01_EN
from .test_excel import build_round

# The hand-made report of the pure tests: two commitments; PRV.SUP.01 is scored, PRV.SUP.03 a text.
REPORT: dict[str, Any] = {
    "documents": {"ADD2013": {"title": {"en": "Addendum (2013)", "fr": "Additif (2013)"}}},
    "commitments": [
        {
            "code": "ADD2013.PREV",
            "title": {"en": "Prevention", "fr": "Prévention"},
            "document": "ADD2013",
            "paragraph": {"en": "prevention section", "fr": "section sur la prévention"},
            "area": "PRV",
        },
        {
            "code": "ADD2013.PART",
            "title": {"en": "Partnerships"},
            "document": "ADD2013",
            "paragraph": "",
            "area": "PAR",
        },
    ],
    "areas": [{"code": "PRV", "title": {"en": "Prevention"}}, {"code": "PAR", "title": {"en": "Partnerships"}}],
    "questions": [
        {
            "code": "PRV.SUP.01",
            "area": "PRV",
            "text": {"en": "Procurement?"},
            "headline": {"en": "a procurement policy", "fr": "une politique d'achats"},
            "commitments": ["ADD2013.PREV"],
        },
        {"code": "PRV.SUP.03", "area": "PRV", "text": {"en": "Describe it."}, "commitments": ["ADD2013.PREV"]},
        {"code": "PAR.NAT.01", "area": "PAR", "text": {"en": "Co-ordinator?"}, "commitments": []},
    ],
    "headlines": [
        {"question": "PRV.SUP.01", "area": "PRV", "yes": 15, "in_process": 11, "partially": 0, "eligible": 52},
    ],
}


# --- the grouping -----------------------------------------------------------------------------------------------


def test_each_commitment_holds_its_questions_and_the_findings_of_the_scored_ones() -> None:
    first, second = commitment_findings(REPORT, "en")

    assert (first["code"], first["title"], first["document_title"], first["paragraph"], first["area_title"]) == (
        "ADD2013.PREV",
        "Prevention",
        "Addendum (2013)",
        "prevention section",
        "Prevention",
    )
    assert [q["code"] for q in first["questions"]] == ["PRV.SUP.01", "PRV.SUP.03"]
    assert first["findings"] == [
        {
            "question": "PRV.SUP.01",
            "sentence": "15 of 52 responding participating States reported a procurement policy; 11 more reported it "
            "in process.",
            "line": "Commitment ADD2013.PREV: 15 of 52 responding participating States reported a procurement policy; "
            "11 more reported it in process.",
            "yes": 15,
            "in_process": 11,
            "partially": 0,
            "eligible": 52,
        }
    ]
    assert (second["questions"], second["findings"]) == ([], [])


def test_the_findings_are_whole_sentences_in_the_readers_language() -> None:
    first, second = commitment_findings(REPORT, "fr")

    assert (first["title"], first["document_title"], first["paragraph"], second["title"]) == (
        "Prévention",
        "Additif (2013)",
        "section sur la prévention",
        "Partnerships",
    )
    line = first["findings"][0]["line"]
    assert line.startswith("Engagement ADD2013.PREV : Sur les 52 États participants ayant répondu, 15 ont signalé ")
    assert "une politique d'achats" in line
    assert commitment_sentence("AP2003.IV", "…", "ru") == "Обязательство AP2003.IV: …"


def test_a_report_built_before_commitments_were_stored_has_none() -> None:
    older = {key: value for key, value in REPORT.items() if key not in ("commitments", "documents")}

    assert commitment_findings(older, "en") == []


# --- the stored report, the page, the workbook and the draft --------------------------------------------------------

PREV_LINE = f"Commitment ADD2013.PREV: {SUP01_EN}"


@pytest.fixture
def built(db: None) -> Survey:
    survey = build_round()
    run = ReportRun.objects.create(survey=survey, include_in_progress=False)
    assert report_run_execute(run_id=run.pk) == JobStatus.DONE
    return survey


def test_the_report_stores_the_commitments_and_each_questions_codes(built: Survey) -> None:
    report = report_stored(survey=built)
    assert report is not None
    data = report.data

    assert [c["code"] for c in data["commitments"]] == [c["code"] for c in built.commitments]
    assert set(data["commitments"][0]) == {"code", "title", "document", "paragraph", "area"}
    assert data["documents"]["AP2003"]["title"]["en"].startswith("OSCE Action Plan")
    questions = {q["code"]: q for q in data["questions"]}
    assert questions["PRV.SUP.01"]["commitments"] == ["ADD2013.PREV", "VILNIUS2011"]


def test_staff_read_the_findings_by_commitment_on_the_dashboard(built: Survey, client: Client) -> None:
    force_login_verified(client, UserFactory(is_staff=True))
    overview = client.get(reverse("reports:dashboard-round", args=[built.slug])).content.decode()
    url = reverse("reports:dashboard-commitments", args=[built.slug])
    assert f'href="{url}"' in overview

    html = client.get(url).content.decode()

    block = html[html.index('data-commitment="ADD2013.PREV"') :]
    block = block[: block.index("</section>")]
    assert "Prevention: recommended actions of the 2013 Addendum" in block
    assert "Addendum to the OSCE Action Plan to Combat Trafficking in Human Beings: One Decade Later" in block
    assert "prevention section" in block
    assert PREV_LINE in block
    assert 'data-finding="PRV.SUP.01"' in block
    assert html.count("data-commitment=") == len(built.commitments)


def test_the_workbook_has_a_commitments_sheet_with_one_block_per_commitment(built: Survey) -> None:
    report = report_stored(survey=built)
    assert report is not None
    stream = io.BytesIO()
    write_summary(stream, report_data=report.data, raw_rows=iter(()), language="en", regions=regions())

    book = openpyxl.load_workbook(io.BytesIO(stream.getvalue()))
    sheet = book["Commitments"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]

    assert rows[0][0] == "Findings by commitment"
    headings = [
        row[0] for row in rows if row[0] and str(row[0]).split(" ")[0] in {c["code"] for c in built.commitments}
    ]
    assert len(headings) == len(built.commitments)
    start = next(
        i for i, row in enumerate(rows) if row[0] == "ADD2013.PREV Prevention: recommended actions of the 2013 Addendum"
    )
    sup01 = next(row for row in rows[start:] if row[0] == "PRV.SUP.01")
    assert sup01[1:6] == [PREV_LINE, 2, 0, 0, 3]
    # Printed, the finding wraps in its column in a row as tall as its lines (it overlapped the next row before).
    at = next(i for i, row in enumerate(rows[start:], start + 1) if row[0] == "PRV.SUP.01")
    assert sheet.cell(at, 2).alignment.wrap_text
    assert sheet.row_dimensions[at].height >= 2 * 15
    assert sheet.cell(at, 1).alignment.vertical == "top"  # the code level with the finding's first line


@pytest.mark.parametrize(
    ("stored", "note"),
    [
        ({"commitments": []}, "This round's definition lists no commitments."),
        (
            {},  # built before commitments were stored: no key at all
            "This report was built before commitments were stored in reports. Build it again to see its findings by "
            "commitment.",
        ),
    ],
)
def test_the_commitments_sheet_tells_a_round_without_commitments_from_an_older_report(
    built: Survey, stored: dict[str, Any], note: str
) -> None:
    report = report_stored(survey=built)
    assert report is not None
    data = {key: value for key, value in report.data.items() if key != "commitments"} | stored
    stream = io.BytesIO()
    write_summary(stream, report_data=data, raw_rows=iter(()), language="en", regions=regions())

    sheet = openpyxl.load_workbook(io.BytesIO(stream.getvalue()))["Commitments"]
    texts = [value for row in sheet.iter_rows(values_only=True) for value in row if isinstance(value, str)]

    assert note in texts
    assert not any("Build it again" in text for text in texts if text != note)


def test_the_draft_report_has_a_findings_by_commitment_part(built: Survey) -> None:
    report = report_stored(survey=built)
    assert report is not None
    stream = io.BytesIO()
    write_draft(stream, report={**report.data, "built_at": "2026-12-01T10:00:00+01:00"}, language="en", state_names={})

    paragraphs = [(p.style.name, p.text) for p in Document(io.BytesIO(stream.getvalue())).paragraphs if p.text.strip()]

    part = paragraphs[paragraphs.index(("Heading 1", "Findings by commitment")) :]
    assert ("Heading 2", "ADD2013.PREV Prevention: recommended actions of the 2013 Addendum") in part
    after = part[part.index(("Heading 2", "ADD2013.PREV Prevention: recommended actions of the 2013 Addendum")) :]
    assert after[1][1] == (
        "Addendum to the OSCE Action Plan to Combat Trafficking in Human Beings: One Decade Later (PC.DEC/1107, "
        "2013), prevention section"
    )
    assert ("List Bullet", PREV_LINE) in after


def test_the_commitments_sheet_and_its_findings_are_in_the_workbooks_language(built: Survey) -> None:
    report = report_stored(survey=built)
    assert report is not None
    stream = io.BytesIO()
    write_summary(stream, report_data=report.data, raw_rows=iter(()), language="ru", regions=regions())

    book = openpyxl.load_workbook(io.BytesIO(stream.getvalue()))
    sheet = book["Обязательства"]
    texts = [value for row in sheet.iter_rows(values_only=True) for value in row if isinstance(value, str)]

    assert texts[0] == "Выводы по обязательствам"
    assert any(t.startswith("Обязательство ADD2013.PREV: ") for t in texts)
    assert "ADD2013.PREV Предупреждение: рекомендуемые меры Дополнения 2013 года" in texts
    # The source's words are Russian too (the shipped definition gives each paragraph in the six languages).
    assert any("раздел о предупреждении" in t for t in texts)
    assert not any("prevention section" in t for t in texts)
