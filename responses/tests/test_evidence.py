"""Evidence uploads: checked from their content, at most 10 MB, zip bombs refused, downloads only for the owners."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from responses.evidence import EvidenceError, evidence_upload
from responses.models import AnswerChange, Evidence
from tests.otp_helpers import force_login_verified

from .conftest import question

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _docx(inner_bytes: int = 1000) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "x" * inner_bytes)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_pdf_is_stored_with_its_type_checked_from_the_content(response_at, people):
    q = question(response_at.survey, "PAR.NAT.06")
    upload = SimpleUploadedFile("national plan.exe", PDF, content_type="application/x-msdownload")
    evidence = evidence_upload(response=response_at, question=q, upload=upload, user=people.coordinator)
    assert evidence.content_type == "application/pdf"
    assert evidence.original_name == "national_plan.pdf"  # the name follows the content, not what the browser said
    with evidence.file.open("rb") as stored:
        assert stored.read() == PDF
    assert AnswerChange.objects.filter(
        response=response_at, question=q, new_value="uploaded national_plan.pdf"
    ).exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00 an executable", "is not a PDF, Word, Excel, OpenDocument or image file"),
        (b"just text pretending to be a PDF", "is not a PDF, Word, Excel, OpenDocument or image file"),
        (b"", "is empty"),
    ],
)
def test_other_content_is_refused_whatever_its_name(response_at, people, content, message):
    q = question(response_at.survey, "PAR.NAT.06")
    with pytest.raises(EvidenceError, match=message):
        evidence_upload(
            response=response_at, question=q, upload=SimpleUploadedFile("plan.pdf", content), user=people.coordinator
        )
    assert not Evidence.objects.exists()


def test_a_file_over_10_mb_is_refused(response_at, people):
    q = question(response_at.survey, "PAR.NAT.06")
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024))
    with pytest.raises(EvidenceError, match="the limit is 10 MB"):
        evidence_upload(response=response_at, question=q, upload=big, user=people.coordinator)


def test_an_office_file_that_unpacks_to_more_than_100_mb_is_refused(response_at, people):
    q = question(response_at.survey, "PAR.NAT.06")
    bomb = _docx(inner_bytes=101 * 1024 * 1024)
    assert len(bomb) < 10 * 1024 * 1024
    with pytest.raises(EvidenceError, match="unpacks to more than 100 MB"):
        evidence_upload(
            response=response_at, question=q, upload=SimpleUploadedFile("plan.docx", bomb), user=people.coordinator
        )
    assert evidence_upload(
        response=response_at, question=q, upload=SimpleUploadedFile("plan.docx", _docx()), user=people.coordinator
    )


def test_only_file_questions_take_documents(response_at, people):
    with pytest.raises(EvidenceError):
        evidence_upload(
            response=response_at,
            question=question(response_at.survey, "PRV.SUP.01"),
            upload=SimpleUploadedFile("a.pdf", PDF),
            user=people.coordinator,
        )


def test_download_is_for_the_organisation_and_staff_only(client, response_at, people):
    q = question(response_at.survey, "PAR.NAT.06")
    evidence = evidence_upload(
        response=response_at, question=q, upload=SimpleUploadedFile("plan.pdf", PDF), user=people.coordinator
    )
    url = f"/evidence/{evidence.pk}/"
    for user, status in [
        (people.viewer, 200),
        (people.staff, 200),
        (people.other_coordinator, 404),
        (people.ngo_coordinator, 404),
    ]:
        force_login_verified(client, user)
        result = client.get(url)
        assert result.status_code == status, user
        if status == 200:
            assert b"".join(result.streaming_content) == PDF
            assert result["Content-Disposition"].startswith("attachment")
    client.logout()
    assert client.get(url).status_code == 302


def test_uploading_through_the_section_page_lists_the_document(client, response_at, people):
    client.force_login(people.coordinator)
    url = f"/rounds/{response_at.survey.slug}/respond/AT/autosave/PAR.NAT.06/"
    result = client.post(url, {"file|PAR.NAT.06": SimpleUploadedFile("plan.pdf", PDF)})
    assert result.status_code == 200
    assert b'data-evidence="plan.pdf"' in result.content
    refused = client.post(url, {"file|PAR.NAT.06": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00")})
    assert b"is not a PDF" in refused.content
    assert Evidence.objects.filter(response=response_at).count() == 1
