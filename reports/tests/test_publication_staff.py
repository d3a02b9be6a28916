"""The staff page that publishes a round's results: confirmations, refusals that say why (open round, a report
older than the round's closing or its responses, a question that cannot be shown by State), the tick needed when
NGO figures moved by 1 or 2 since the last publication, and the NGO threshold it states.

The answered, closed round and its reports are test_publication's (built once per module); each test runs in a
savepoint of its own.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from reports.models import Publication, Report
from reports.publication.services import (
    NgoChangesUnconfirmed,
    ReportOutOfDate,
    publication_publish,
)
from responses.models import Answer, Response
from responses.tests.factories import UserFactory
from surveys.models import Survey
from surveys.services import survey_set_status
from tests.otp_helpers import force_login_verified

from .test_publication import answered_round, build  # noqa: F401  (the answered round, built once per module)


@pytest.fixture
def survey(answered_round: Survey, db: None) -> Survey:  # noqa: F811
    return Survey.objects.get(pk=answered_round.pk)


@pytest.fixture
def staff(db: None) -> Any:
    return UserFactory.create(is_staff=True, email="publisher@osce.example.org")


def test_staff_publish_after_confirming_and_withdraw(survey: Survey, staff: Any, client: Client) -> None:
    force_login_verified(client, staff)
    url = reverse("reports:publication-manage", args=[survey.slug])
    html = client.get(url).content.decode()
    assert 'value="PRV.SUP.01"' in html
    assert 'value="NGO.P.03"' not in html
    assert 'value="GEN.R.02"' not in html
    refused = client.post(url, {"public_questions": ["PRV.SUP.01"]})
    assert refused.status_code == 200
    assert "Tick the confirmation to publish the results." in refused.content.decode()
    assert not Publication.objects.exists()
    assert client.post(url, {"public_questions": ["PRV.SUP.01"], "confirm": "on"}).status_code == 302
    assert Publication.objects.get().public_questions == ["PRV.SUP.01"]
    html = client.get(url).content.decode()
    assert "data-published" in html
    assert "publisher@osce.example.org" in html
    withdraw = reverse("reports:publication-withdraw", args=[survey.slug])
    unconfirmed = client.post(withdraw, {})
    assert unconfirmed.status_code == 200
    assert "Tick the confirmation to withdraw the results." in unconfirmed.content.decode()
    assert client.post(withdraw, {"confirm": "on"}).status_code == 302
    assert Publication.objects.get().withdrawn_at is not None


def test_staff_see_why_an_open_round_cannot_be_published(survey: Survey, staff: Any, client: Client) -> None:
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.OPEN)
    force_login_verified(client, staff)
    url = reverse("reports:publication-manage", args=[survey.slug])
    html = client.get(url).content.decode()
    assert "data-publication-refusal" in html
    assert "data-publish-form" not in html
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 200
    assert "is still open" in response.content.decode()
    assert not Publication.objects.exists()


def test_staff_withdrawing_what_is_not_published_read_why(survey: Survey, staff: Any, client: Client) -> None:
    force_login_verified(client, staff)
    response = client.post(reverse("reports:publication-withdraw", args=[survey.slug]), {"confirm": "on"})
    assert response.status_code == 200
    assert "nothing to withdraw" in response.content.decode()


def test_a_report_built_before_the_round_closed_is_refused_with_a_build_button(
    survey: Survey, staff: Any, client: Client
) -> None:
    built = Report.objects.get(survey=survey, include_in_progress=False).built_at
    assert built < timezone.now()
    Survey.objects.filter(pk=survey.pk).update(closed_at=timezone.now())
    survey.refresh_from_db()
    with pytest.raises(ReportOutOfDate, match=r"before the round closed on .*: build it again first"):
        publication_publish(survey=survey, user=staff)
    force_login_verified(client, staff)
    url = reverse("reports:publication-manage", args=[survey.slug])
    html = client.get(url).content.decode()
    refusal = html.split("data-publication-refusal")[1].split("</form>")[0]
    assert "does not count late submissions" in refusal
    assert f'action="{reverse("reports:report-build", args=[survey.slug])}"' in refusal
    assert 'data-build-report="final"' in refusal
    assert "data-publish-form" not in html
    assert client.post(url, {"confirm": "on"}).status_code == 200
    assert not Publication.objects.exists()
    build(survey)
    publication_publish(survey=survey, user=staff)
    assert Publication.objects.exists()


def test_closing_a_round_records_when(survey: Survey) -> None:
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.OPEN, closed_at=None)
    survey.refresh_from_db()
    before = timezone.now()
    survey_set_status(survey=survey, status=Survey.Status.CLOSED)
    survey.refresh_from_db()
    assert survey.closed_at is not None
    assert survey.closed_at >= before


def test_a_response_changed_since_the_report_was_built_is_refused(survey: Survey, staff: Any) -> None:
    Response.objects.get(survey=survey, organisation__code="DE").save()  # its answers or status changed
    with pytest.raises(ReportOutOfDate, match="1 response has changed since the final report was built"):
        publication_publish(survey=survey, user=staff, public_questions=["PRV.SUP.01"])
    assert not Publication.objects.exists()


def test_publishing_again_when_ngo_figures_moved_by_one_needs_a_tick(
    survey: Survey, staff: Any, client: Client
) -> None:
    publication_publish(survey=survey, user=staff)
    Answer.objects.filter(response__organisation__code="ngo-rome", question__code="PRT.ID.01").update(value_text="yes")
    build(survey)
    with pytest.raises(NgoChangesUnconfirmed, match=r"NGO figures of PRT\.ID\.01 changed by 1 or 2"):
        publication_publish(survey=survey, user=staff)
    force_login_verified(client, staff)
    url = reverse("reports:publication-manage", args=[survey.slug])
    html = client.get(url).content.decode()
    warning = html.split("data-ngo-changes")[1].split("</ul>")[0]
    assert 'data-ngo-change="PRT.ID.01"' in warning
    assert 'data-ngo-change="PRV.SUP.01"' not in warning  # States only: their figures may move freely
    unticked = client.post(url, {"confirm": "on"})
    assert unticked.status_code == 200
    assert "Tick this to publish again although the NGO figures" in unticked.content.decode()
    assert Publication.objects.get().events.count() == 1
    assert client.post(url, {"confirm": "on", "accept_ngo_changes": "on"}).status_code == 302
    assert Publication.objects.get().events.count() == 2


def test_an_unchanged_report_publishes_again_without_the_ngo_tick(survey: Survey, staff: Any, client: Client) -> None:
    publication_publish(survey=survey, user=staff)
    force_login_verified(client, staff)
    url = reverse("reports:publication-manage", args=[survey.slug])
    assert "data-ngo-changes" not in client.get(url).content.decode()
    assert client.post(url, {"confirm": "on"}).status_code == 302


@pytest.mark.parametrize("code", ["NOPE<script>", "GEN.R.02"])
def test_a_question_that_cannot_be_shown_by_state_is_named_on_the_form(
    survey: Survey, staff: Any, client: Client, code: str
) -> None:
    force_login_verified(client, staff)
    url = reverse("reports:publication-manage", args=[survey.slug])
    response = client.post(url, {"public_questions": ["PRV.SUP.01", code], "confirm": "on"})
    assert response.status_code == 200
    html = response.content.decode()
    error = html.split('id="public-questions-error"')[1].split("</div>")[0]
    assert f"“{escape(code)}” cannot be shown State by State: tick only questions from this list." in error
    assert "NOPE<script>" not in html
    assert 'aria-describedby="public-questions-error"' in html
    assert 'class="form-check-input is-invalid"' in html
    ticked = html.split('value="PRV.SUP.01"')[1].split(">")[0]
    assert "is-invalid" in ticked
    assert "checked" in ticked
    assert not Publication.objects.exists()


def test_the_staff_page_states_the_ngo_threshold_in_force(
    survey: Survey, staff: Any, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("reports.publication.snapshot.MIN_NGO_ANSWERS", 5)
    force_login_verified(client, staff)
    html = client.get(reverse("reports:publication-manage", args=[survey.slug])).content.decode()
    assert "the NGO figures of a question that fewer than 5 NGOs answered are left out" in html
