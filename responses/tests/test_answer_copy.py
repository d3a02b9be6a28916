"""A copy of one's answers: every section in words on one printable page, the same as a PDF, for members and staff."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from responses.answer_copy import response_copy, response_copy_pdf
from responses.evidence import evidence_upload
from responses.models import Response
from responses.services import answers_save
from tests.otp_helpers import force_login_verified

from .conftest import question
from .test_workflow import answer_everything

BASE = "/rounds/thb-2016/respond/AT/"
FORMS = ("sexual_exploitation", "forced_labour_or_services")
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def save(response: Response, user, code: str, raw: dict) -> None:
    outcome = answers_save(
        response=response, question=question(response.survey, code), raw=raw, base_versions=None, user=user
    )
    assert outcome.ok, outcome.error


def article(html: str, code: str) -> str:
    """The part of the page about one question."""
    return html.split(f'data-question="{code}"')[1].split("</article>")[0]


def test_the_page_shows_each_answer_in_words_with_its_code_text_and_who_changed_it(client, response_at, people):
    save(response_at, people.contributor, "PRV.SUP.01", {("", ""): "in_process"})
    save(response_at, people.coordinator, "PRV.SUP.03", {("", ""): "A draft decree on public purchasing."})
    save(response_at, people.coordinator, "GEN.R.03", {("start", ""): "2012", ("end", ""): "2014"})
    client.force_login(people.viewer)
    page = client.get(BASE + "answers/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    sup = article(html, "PRV.SUP.01")
    assert 'data-answered="yes"' in sup
    assert "In process (being prepared or adopted)" in sup
    assert ">in_process<" not in sup
    assert "government buys goods and services" in sup
    assert f"Last changed by {people.contributor.email} on" in sup
    assert "A draft decree on public purchasing." in article(html, "PRV.SUP.03")
    years = article(html, "GEN.R.03")
    assert "First year" in years
    assert "2012" in years
    assert "2,012" not in years
    assert 'data-copy-status="in_progress"' in html
    assert "Not submitted yet" in html


def test_unanswered_questions_are_marked_and_hidden_ones_left_out(client, response_at, people):
    save(response_at, people.coordinator, "PRV.SUP.01", {("", ""): "no"})
    client.force_login(people.coordinator)
    html = client.get(BASE + "answers/").content.decode()
    assert 'data-question="PRV.SUP.03"' not in html  # shown only after "yes" or "in process"
    unanswered = article(html, "PRO.LEG.01")
    assert 'data-answered="no"' in unanswered
    assert "Not answered (required)" in unanswered
    assert 'data-question="PRT.DATA.01"' in html  # a State question ...
    assert 'data-area="NGO"' not in html  # ... and no area asked only of NGOs


def test_a_breakdown_is_a_compact_table_of_the_rows_with_figures_and_their_totals(client, response_at, people):
    save(
        response_at,
        people.coordinator,
        "PRT.DATA.01",
        {
            ("2013.female.adult.sexual_exploitation", "national"): "12",
            ("2013.female.adult.sexual_exploitation", "foreign"): "1500",
            ("2014.male.child.forced_labour_or_services", "foreign"): "3",
        },
    )
    copy = response_copy(response=response_at)
    item = next(q for a in copy.areas for s in a.sections for q in s.questions if q.question.code == "PRT.DATA.01")
    assert item.table is not None
    assert [(r.group, r.cells, r.total) for r in item.table.rows] == [
        ("2013", ["12", "1,500"], "1,512"),
        ("2014", ["", "3"], "3"),
    ]
    assert item.table.columns == ["Nationals", "Foreign nationals"]
    assert item.table.column_totals == ["12", "1,503"]
    assert item.table.grand_total == "1,515"
    assert item.table.rows_left_out == item.table.rows_total - 2
    assert item.table.rows_total > 100
    assert "Female, Adults (18 and over)" in item.table.rows[0].label
    client.force_login(people.coordinator)
    html = article(client.get(BASE + "answers/").content.decode(), "PRT.DATA.01")
    assert html.count("<tr>") == 2 + 2  # the header, two rows with figures and the totals
    assert "rows without any figure are left out" in html


def test_evidence_is_listed_by_file_name(client, response_at, people):
    save(response_at, people.coordinator, "PAR.NAT.03", {("in_force", ""): "yes"})  # the upload is asked then
    evidence_upload(
        response=response_at,
        question=question(response_at.survey, "PAR.NAT.06"),
        upload=SimpleUploadedFile("National-action-plan-2013.pdf", PDF_BYTES, content_type="application/pdf"),
        user=people.coordinator,
    )
    client.force_login(people.coordinator)
    html = article(client.get(BASE + "answers/").content.decode(), "PAR.NAT.06")
    assert "National-action-plan-2013.pdf" in html
    assert 'data-answered="yes"' in html


def test_the_links_to_the_copy_are_on_the_home_review_and_staff_pages(client, response_at, people):
    client.force_login(people.viewer)
    for page in ("", "review/"):
        assert f'href="{BASE}answers/" data-copy-link' in client.get(BASE + page).content.decode()
    force_login_verified(client, people.staff)
    listing = client.get("/staff/rounds/thb-2016/responses/").content.decode()
    assert f'href="{BASE}answers/" data-copy-link' in listing
    own = client.get(BASE + "answers/").content.decode()
    assert f'href="{BASE}answers.pdf" data-copy-pdf' in own


def test_the_page_needs_as_many_queries_for_a_full_response_as_for_one_answer(client, response_at, people):
    client.force_login(people.coordinator)
    save(response_at, people.coordinator, "PRV.SUP.01", {("", ""): "yes"})
    client.get(BASE + "answers/")  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(BASE + "answers/").status_code == 200
    answer_everything(response_at, people.contributor)
    save(response_at, people.coordinator, "PRT.DATA.01", {(f"2013.female.adult.{f}", "national"): "1" for f in FORMS})
    for name in ("a.pdf", "b.pdf"):
        evidence_upload(
            response=response_at,
            question=question(response_at.survey, "PAR.NAT.06"),
            upload=SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf"),
            user=people.viewer,
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(BASE + "answers/").status_code == 200
    assert response_at.answers.count() > 60
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_pdf_is_an_attachment_never_cached_and_holds_the_answers_in_dejavu(client, response_at, people):
    save(response_at, people.coordinator, "PRV.SUP.01", {("", ""): "in_process"})
    client.force_login(people.viewer)
    result = client.get(BASE + "answers.pdf")
    assert result.status_code == 200
    assert result["Content-Type"] == "application/pdf"
    assert result["Content-Disposition"] == 'attachment; filename="thb-2016-AT-answers.pdf"'
    assert "no-store" in result["Cache-Control"]
    assert result.content.startswith(b"%PDF-")
    text, fonts = _pdf_text_and_fonts(result.content)
    assert "PRV.SUP.01" in text
    assert "In process (being prepared or adopted)" in text
    assert "DejaVu" in fonts


def test_the_pdf_in_russian_shows_cyrillic_texts_and_labels(response_at, people):
    save(response_at, people.coordinator, "PRV.SUP.01", {("", ""): "yes"})
    response_at.submitted_at = timezone.now()
    pdf = response_copy_pdf(response=response_at, language="ru")
    text, fonts = _pdf_text_and_fonts(pdf)
    assert "Есть ли у государства политика в сфере" in " ".join(text.split())
    assert "Да" in text
    assert "DejaVu" in fonts
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "copy.pdf"
        path.write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info  # for screen readers: structure and reading order


def _pdf_text_and_fonts(pdf: bytes) -> tuple[str, str]:
    """The PDF's text and font list, read back with poppler-utils (installed by .ci/run)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "copy.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
        fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    return text, fonts
