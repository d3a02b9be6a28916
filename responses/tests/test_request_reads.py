"""What the answering requests read: access in one query, and a budget of queries per autosave.

The access check (round, organisation, its response, the person's membership, the deadline extension) is what
every answering request starts with; it must not cost a query per fact (docs: PERFORMANCE_PROFILE.md, hotspot 7).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from responses.models import Answer, AnswerChange

AUTOSAVE = "/rounds/thb-2016/respond/AT/autosave/PRV.SUP.01/"
SECTION = "/rounds/thb-2016/respond/AT/section/PRV.SUP/"


def _checks_of(queries: CaptureQueriesContext, table: str) -> list[str]:
    """The reads of `table` before the save's transaction begins (the save locks the response row again)."""
    found = []
    for query in queries.captured_queries:
        if query["sql"].startswith("SAVEPOINT"):
            break
        if query["sql"].startswith("SELECT") and f'"{table}"' in query["sql"]:
            found.append(query["sql"])
    return found


def test_an_autosave_reads_organisation_response_and_membership_in_one_query(client, response_at, people):
    client.force_login(people.coordinator)
    client.get(SECTION)  # the session and the person's first page
    with CaptureQueriesContext(connection) as queries:
        result = client.post(AUTOSAVE, {"PRV.SUP.01||": "yes", "v|PRV.SUP.01||": "0", "o|PRV.SUP.01||": ""})
    assert result.status_code == 200
    assert 'data-save-state="saved"' in result.content.decode()
    memberships = _checks_of(queries, "responses_membership")
    assert len(memberships) == 1, memberships
    assert '"responses_organisation"' in memberships[0]
    assert "responses_response" in memberships[0]
    assert "responses_deadlineextension" in memberships[0]
    assert len(_checks_of(queries, "responses_organisation")) == 1


def test_a_viewer_still_cannot_autosave_and_staff_still_read_other_organisations(client, response_at, people):
    client.force_login(people.viewer)
    assert client.post(AUTOSAVE, {"PRV.SUP.01||": "yes"}).status_code == 403
    client.force_login(people.other_coordinator)
    assert client.post(AUTOSAVE, {"PRV.SUP.01||": "yes"}).status_code == 404
    assert client.get(SECTION).status_code == 404


def _statements(queries: CaptureQueriesContext) -> list[str]:
    """The statements sent, without transaction control (BEGIN, COMMIT, savepoints), as bench.request_cpu counts."""
    control = ("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT")
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(control)]


@pytest.mark.django_db(transaction=True)
def test_an_autosave_sends_at_most_seven_statements_and_writes_neither_session_nor_asks_for_devices(
    client, response_at, people
):
    """The budget of the issue on performance (queries per autosave <= 8 on PostgreSQL; 7 since the response's row
    is written with the answer), with the round's structure cached as in production (committed: a transactional
    test): session, person, round, organisation with its response and membership, the response locked, the answers
    it needs, then the answer with its history and the response's progress in one statement. SQLite reads the
    answers after the lock, and writes the answer, its history and the response, in statements of their own."""
    client.force_login(people.coordinator)
    client.get(SECTION)  # the session and the person's first page; the structure snapshot is built here
    for version, value in enumerate(("no", "yes", "in_process")):
        with CaptureQueriesContext(connection) as queries:
            result = client.post(
                AUTOSAVE, {"PRV.SUP.01||": value, "v|PRV.SUP.01||": str(version), "o|PRV.SUP.01||": ""}
            )
        assert 'data-save-state="saved"' in result.content.decode()
    statements = _statements(queries)
    # SQLite: the answers after the lock, and the answer and its history, in statements of their own.
    assert len(statements) <= (7 if connection.vendor == "postgresql" else 10), "\n".join(s[:150] for s in statements)
    assert not [sql for sql in statements if "django_session" in sql and sql.startswith("UPDATE")]
    assert not [sql for sql in statements if "otp_totp_totpdevice" in sql]
    assert Answer.objects.get(response=response_at, question__code="PRV.SUP.01").value_text == "in_process"
    assert AnswerChange.objects.filter(response=response_at, question__code="PRV.SUP.01").count() == 3


@pytest.mark.django_db(transaction=True)
def test_an_autosave_writes_the_answer_its_history_and_the_response_in_one_statement(client, response_at, people):
    """On PostgreSQL, the first answer of a response (it becomes "in progress") and a later change each write the
    answer, its history and the response's progress, status and last activity in one statement, and all of it is
    stored. Kept progress of another structure is first computed again from the answers, the new one written first."""
    from django.utils import timezone

    from responses.models import Response

    client.force_login(people.coordinator)
    client.get(SECTION)
    Response.objects.filter(pk=response_at.pk).update(status=Response.Status.NOT_STARTED)
    started = timezone.now()
    for version, value in enumerate(("yes", "no")):
        with CaptureQueriesContext(connection) as queries:
            result = client.post(
                AUTOSAVE, {"PRV.SUP.01||": value, "v|PRV.SUP.01||": str(version), "o|PRV.SUP.01||": ""}
            )
        assert 'data-save-state="saved"' in result.content.decode()
        writes = [sql for sql in _statements(queries) if not sql.startswith("SELECT")]
        if connection.vendor == "postgresql":  # SQLite: a statement each (what is stored is the same)
            assert len(writes) == 1, writes
            assert 'UPDATE "responses_response"' in writes[0]
            assert '"responses_answerchange"' in writes[0]
        stored = Response.objects.get(pk=response_at.pk)
        assert stored.status == Response.Status.IN_PROGRESS
        assert stored.last_activity_at >= started
        question_id = Answer.objects.get(response=response_at, question__code="PRV.SUP.01").question_id
        missing = [pk for entry in stored.progress["sections"].values() for pk in entry["missing"]]
        assert question_id not in missing  # the progress written with the answer counts it
    assert AnswerChange.objects.filter(response=response_at, question__code="PRV.SUP.01").count() == 2

    # Progress kept for an older structure: the answer is written first, the progress computed again from it.
    Response.objects.filter(pk=response_at.pk).update(progress={"version": -1, "sections": {}})
    Answer.objects.filter(response=response_at, question__code="PRV.SUP.01").delete()
    client.post(AUTOSAVE, {"PRV.SUP.01||": "in_process", "v|PRV.SUP.01||": "0", "o|PRV.SUP.01||": ""})
    stored = Response.objects.get(pk=response_at.pk)
    assert stored.progress["version"] == stored.survey.structure_version
    missing = [pk for entry in stored.progress["sections"].values() for pk in entry["missing"]]
    assert question_id not in missing


def _tables_read(queries: CaptureQueriesContext) -> set[str]:
    return {
        table
        for table in ("responses_pendingcell", "responses_evidence")
        for q in queries.captured_queries
        if q["sql"].startswith(f'SELECT "{table}".')  # its own read (the access read only asks EXISTS)
    }


def test_pages_read_documents_and_kept_texts_only_where_the_access_read_found_some(
    client, response_at, people, settings, tmp_path
):
    """Most responses have neither documents nor mistyped texts kept: the section and review pages then skip both
    reads. Once a document is uploaded and a figure mistyped, the same pages read and show them."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from responses.models import PendingCell

    from .test_evidence import PDF

    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(people.coordinator)
    section = "/rounds/thb-2016/respond/AT/section/PAR.NAT/"
    review = "/rounds/thb-2016/respond/AT/review/"
    client.get(section)  # the structure snapshot and the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(section).status_code == 200
    assert _tables_read(queries) == set()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(review).status_code == 200
    assert _tables_read(queries) == set()

    autosave = "/rounds/thb-2016/respond/AT/autosave/"
    uploaded = client.post(autosave + "PAR.NAT.06/", {"file|PAR.NAT.06": SimpleUploadedFile("plan.pdf", PDF)})
    assert b'data-evidence="plan.pdf"' in uploaded.content
    cell = "PRT.DATA.01|2013.female.adult.sexual_exploitation|foreign"
    assert client.post(autosave + "PRT.DATA.01/", {cell: "12a", "o|" + cell: ""}).status_code == 200
    assert PendingCell.objects.filter(response=response_at).exists()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(section).content.decode()
    assert _tables_read(queries) == {"responses_evidence", "responses_pendingcell"}
    assert 'data-evidence="plan.pdf"' in page
    with CaptureQueriesContext(connection) as queries:
        page = client.get(review).content.decode()
    assert "data-pending-cell=" in page
    assert "responses_pendingcell" in _tables_read(queries)


def test_a_page_shown_again_after_a_save_lists_the_document_that_save_added(
    client, response_at, people, settings, tmp_path
):
    """The access read found no document, then the posted page uploaded one beside a mistyped date: the page shown
    again with the error must list the new document (it reads again after a save)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from responses.models import Evidence

    from .test_evidence import PDF

    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(people.coordinator)
    section = "/rounds/thb-2016/respond/AT/section/PAR.NAT/"
    posted = client.post(
        section,
        {
            "PAR.NAT.03|in_force|": "yes",
            "o|PAR.NAT.03|in_force|": "",
            "PAR.NAT.07||": "not a date",
            "o|PAR.NAT.07||": "",
            "file|PAR.NAT.06": SimpleUploadedFile("plan.pdf", PDF),
        },
    )
    assert posted.status_code == 422  # shown again: the date is not valid
    assert Evidence.objects.filter(response=response_at).count() == 1
    assert 'data-evidence="plan.pdf"' in posted.content.decode()
