"""A response's life: in progress, submitted only when complete and by a coordinator, returned, accepted, locked."""

from __future__ import annotations

from typing import Any

import pytest

from responses.models import Response, ResponseEvent
from responses.selectors import response_progress, survey_structure
from responses.services import WorkflowError, answers_save, response_accept, response_return, response_submit
from surveys import answer_types as at
from surveys.models import Question


def _valid_raw(question: Question) -> dict[tuple[str, str], Any]:
    raw: dict[tuple[str, str], Any] = {}
    for spec in question.cells():
        if spec.kind in (at.CHOICE, at.CHOICES):
            first = spec.choice_codes()[0]
            raw[spec.key] = [first] if spec.kind == at.CHOICES else first
        elif spec.kind in (at.INTEGER, at.DECIMAL):
            raw[spec.key] = "1"
        elif spec.kind == at.YEAR:
            raw[spec.key] = str(question.survey.reference_start)
        elif spec.kind == at.DATE:
            raw[spec.key] = "2013-01-31"
        else:
            raw[spec.key] = "Answer text"
        if question.type == "integer_matrix":
            break  # one figure answers a breakdown table
    return raw


def answer_everything(response: Response, user: Any, skip: tuple[str, ...] = ()) -> None:
    """Answer every required visible question of the response's questionnaire with a valid value."""
    for area in survey_structure(response.survey, response.organisation.respondent_kind):
        for section in area.sections.all():
            for question in section.questions.all():
                if question.code in skip or question.type == "file":
                    continue
                outcome = answers_save(
                    response=response, question=question, raw=_valid_raw(question), base_versions=None, user=user
                )
                assert outcome.ok, (question.code, outcome.error)


def test_submitting_is_refused_until_every_required_answer_is_given(response_at, people):
    answer_everything(response_at, people.coordinator, skip=("PRV.SUP.01",))
    progress = response_progress(response_at)
    assert [q.code for _s, q in progress.missing] == ["PRV.SUP.01"]
    with pytest.raises(WorkflowError, match="1 required answers are still missing"):
        response_submit(response=response_at, user=people.coordinator)
    response_at.refresh_from_db()
    assert response_at.status == Response.Status.IN_PROGRESS


def test_a_complete_response_is_submitted_once_even_when_submitted_twice(response_at, people):
    answer_everything(response_at, people.coordinator)
    response_submit(response=response_at, user=people.coordinator)
    response_submit(response=response_at, user=people.coordinator)  # a double click
    response_at.refresh_from_db()
    assert response_at.status == Response.Status.SUBMITTED
    assert response_at.submitted_by == people.coordinator
    assert ResponseEvent.objects.filter(response=response_at, to_status=Response.Status.SUBMITTED).count() == 1


def test_returned_response_is_resubmitted_then_accepted_and_locked(response_at, people):
    answer_everything(response_at, people.coordinator)
    response_submit(response=response_at, user=people.coordinator)
    with pytest.raises(WorkflowError):
        response_return(response=response_at, user=people.staff, comment="  ")
    response_return(response=response_at, user=people.staff, comment="Please add the 2014 figures.")
    response_at.refresh_from_db()
    assert (response_at.status, response_at.staff_comment) == (Response.Status.RETURNED, "Please add the 2014 figures.")
    response_submit(response=response_at, user=people.coordinator)
    response_at.refresh_from_db()
    assert response_at.status == Response.Status.RESUBMITTED
    response_accept(response=response_at, user=people.staff)
    response_at.refresh_from_db()
    assert response_at.status == Response.Status.ACCEPTED
    assert response_at.is_locked_for_respondents
    assert [e.to_status for e in ResponseEvent.objects.filter(response=response_at)] == [
        "submitted",
        "returned",
        "resubmitted",
        "accepted",
    ]


def test_only_staff_return_or_accept(response_at, people):
    from django.core.exceptions import PermissionDenied

    answer_everything(response_at, people.coordinator)
    response_submit(response=response_at, user=people.coordinator)
    with pytest.raises(PermissionDenied):
        response_accept(response=response_at, user=people.coordinator)
    with pytest.raises(PermissionDenied):
        response_return(response=response_at, user=people.coordinator, comment="no")


def test_a_response_in_progress_cannot_be_accepted(response_at, people):
    with pytest.raises(WorkflowError, match="Only a submitted response"):
        response_accept(response=response_at, user=people.staff)


def test_contributor_cannot_submit_through_the_page(client, response_at, people):
    answer_everything(response_at, people.coordinator)
    client.force_login(people.contributor)
    page = client.get(f"/rounds/{response_at.survey.slug}/respond/AT/review/")
    assert page.status_code == 200
    assert b"data-submit" not in page.content
    assert client.get(f"/rounds/{response_at.survey.slug}/respond/AT/submit/").status_code == 403
    assert client.post(f"/rounds/{response_at.survey.slug}/respond/AT/submit/", {"confirm": "yes"}).status_code == 403
    response_at.refresh_from_db()
    assert response_at.status == Response.Status.IN_PROGRESS


def test_coordinator_submits_through_the_page_and_then_cannot_change_answers(client, response_at, people):
    answer_everything(response_at, people.coordinator)
    client.force_login(people.coordinator)
    result = client.post(f"/rounds/{response_at.survey.slug}/respond/AT/submit/", {"confirm": "yes"})
    assert result.status_code == 302
    response_at.refresh_from_db()
    assert response_at.status == Response.Status.SUBMITTED
    save = client.post(
        f"/rounds/{response_at.survey.slug}/respond/AT/autosave/PRV.SUP.01/",
        {"PRV.SUP.01||": "no", "v|PRV.SUP.01||": "1", "o|PRV.SUP.01||": "yes"},
    )
    assert save.status_code == 403
    assert response_at.answers.get(question__code="PRV.SUP.01").value_text == "yes"
    section = client.get(f"/rounds/{response_at.survey.slug}/respond/AT/section/PRV.SUP/")
    assert b"data-readonly" in section.content
    assert b"disabled" in section.content


def test_review_page_links_each_missing_answer(client, response_at, people):
    answer_everything(response_at, people.coordinator, skip=("PRO.LEG.01", "PRT.ID.01"))
    client.force_login(people.coordinator)
    page = client.get(f"/rounds/{response_at.survey.slug}/respond/AT/review/").content.decode()
    assert 'data-missing-question="PRO.LEG.01"' in page
    assert f"/rounds/{response_at.survey.slug}/respond/AT/section/PRO.LEG/#q-PRO.LEG.01" in page
    assert 'data-missing-question="PRT.ID.01"' in page
    assert 'data-missing-question="PRV.SUP.01"' not in page
    assert "disabled" in page.split("data-submit")[0].rsplit("<button", 1)[1]
