"""Evidence documents: uploads checked by their content (not their name), stored privately, served only to the
organisation and the Office."""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from pathlib import PurePath
from typing import IO, Any, cast

import filetype
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from surveys.models import Question

from .models import AnswerChange, Evidence, Response, Source
from .progress import progress_store
from .services import deadline_refusal

MAX_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# Detected type -> content type we serve it with.
ALLOWED = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "rtf": "application/rtf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "tif": "image/tiff",
}
ZIP_BASED = {"docx", "xlsx", "odt", "ods"}


class EvidenceError(ValueError):
    """An upload that cannot be accepted; the message says why."""


def check_upload(upload: UploadedFile) -> tuple[str, str]:
    """The detected extension and content type of an upload, or EvidenceError."""
    name = upload.name or "document"
    if upload.size is None or upload.size == 0:
        raise EvidenceError(_("“%(name)s” is empty.") % {"name": name})
    if upload.size > MAX_BYTES:
        raise EvidenceError(
            _("“%(name)s” is %(size).1f MB; the limit is 10 MB.") % {"name": name, "size": upload.size / 1024 / 1024}
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.extension not in ALLOWED:
        raise EvidenceError(
            _("“%(name)s” is not a PDF, Word, Excel, OpenDocument or image file (checked from its content).")
            % {"name": name}
        )
    if kind.extension in ZIP_BASED:
        try:
            with zipfile.ZipFile(cast(IO[bytes], upload)) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
        except zipfile.BadZipFile as exc:
            raise EvidenceError(_("“%(name)s” is a damaged office file.") % {"name": name}) from exc
        finally:
            upload.seek(0)
        if unpacked > MAX_UNPACKED_BYTES:
            raise EvidenceError(_("“%(name)s” unpacks to more than 100 MB and is refused.") % {"name": name})
    return kind.extension, ALLOWED[kind.extension]


def _refusal_under_lock(response: Response, now: dt.datetime | None, user: Any) -> str:
    """Lock the response row and say why respondents may no longer change its documents ("" if they may)."""
    locked = (
        Response.objects.select_for_update(of=("self",)).select_related("survey", "organisation").get(pk=response.pk)
    )
    if locked.is_locked_for_respondents:
        return _("This response has been submitted: the document was not saved.")
    return deadline_refusal(locked, now, user=user)


def evidence_upload(
    *, response: Response, question: Question, upload: UploadedFile, user: Any, now: dt.datetime | None = None
) -> Evidence:
    """Store a checked document; refused once the response is submitted or its deadline passed (under its lock)."""
    if not question.answer_type.stores_files or question.survey_id != response.survey_id:
        raise EvidenceError(_("This question does not take documents."))
    extension, content_type = check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    stem = PurePath(get_valid_filename(upload.name or "document")).stem[:80] or "document"
    original = f"{stem}.{extension}"
    with transaction.atomic():
        if refusal := _refusal_under_lock(response, now, user):
            raise EvidenceError(refusal)
        evidence = Evidence(
            response=response,
            question=question,
            original_name=original,
            content_type=content_type,
            size=upload.size or 0,
            sha256=digest.hexdigest(),
            uploaded_by=user,
        )
        evidence.file.save(original, upload, save=False)
        evidence.save()
        _record(response, question, "", f"uploaded {original}", user)
        progress_store([response])
    return evidence


def evidence_delete(*, evidence: Evidence, user: Any, now: dt.datetime | None = None) -> None:
    """Remove a document; refused (EvidenceError) once the response is submitted or its deadline passed."""
    with transaction.atomic():
        if refusal := _refusal_under_lock(evidence.response, now, user):
            raise EvidenceError(refusal)
        _record(evidence.response, evidence.question, f"uploaded {evidence.original_name}", "", user)
        evidence.file.delete(save=False)
        evidence.delete()
        progress_store([evidence.response])


def _record(response: Response, question: Question, old: str, new: str, user: Any) -> None:
    """Uploads and removals go into the response's history like any other change."""
    AnswerChange.objects.create(
        response=response,
        question=question,
        row="file",
        column="",
        old_value=old,
        new_value=new,
        version=0,
        changed_by=user,
        source=Source.WEB,
    )
    Response.objects.filter(pk=response.pk).update(last_activity_at=timezone.now())
    if response.status == Response.Status.NOT_STARTED:
        Response.objects.filter(pk=response.pk, status=Response.Status.NOT_STARTED).update(
            status=Response.Status.IN_PROGRESS
        )
