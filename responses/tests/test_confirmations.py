"""Nothing changes status on one click: submitting and accepting ask first, returning needs a comment, and the Office
can reopen a submitted or accepted response for a reason that is kept in its record."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import Membership, Role
from responses.models import Response, ResponseEvent
from responses.services import WorkflowError, response_accept, response_reopen, response_submit
from tests.otp_helpers import force_login_verified

from .test_workflow import answer_everything

BASE = "/rounds/thb-2016/respond/AT/"


@pytest.fixture
def submitted(response_at, people):
    answer_everything(response_at, people.coordinator)
    return response_submit(response=response_at, user=people.coordinator)


@pytest.fixture
def staff_client(client, people):
    force_login_verified(client, people.staff)
    return client


# --- submitting -----------------------------------------------------------------------------------------------


def test_submit_page_lists_answered_and_missing_per_section_with_links(client, response_at, people):
    answer_everything(response_at, people.coordinator, skip=("PRO.LEG.01", "PRT.ID.01"))
    client.force_login(people.coordinator)
    page = client.get(BASE + "submit/")
    html = page.content.decode()
    assert page.status_code == 200
    assert page["Cache-Control"].count("no-store") == 1
    assert '<tr data-summary-section="PRO.LEG">' in html
    pro_leg = html.split('data-summary-section="PRO.LEG"')[1].split("</tr>")[0]
    assert "3 / 4" in pro_leg
    assert ">1</td>" in pro_leg
    assert "data-missing-total>2<" in html
    assert f"{BASE}section/PRO.LEG/#q-PRO.LEG.01" in html
    assert 'data-missing-question="PRT.ID.01"' in html
    assert "data-confirm-submit" not in html  # nothing to confirm while answers are missing


def test_submit_page_of_a_complete_response_asks_to_confirm_and_a_get_changes_nothing(client, response_at, people):
    answer_everything(response_at, people.coordinator)
    client.force_login(people.coordinator)
    html = client.get(BASE + "submit/").content.decode()
    assert 'name="confirm" value="yes" data-confirm-submit' in html
    assert "data-missing-total>0<" in html
    response_at.refresh_from_db()
    assert response_at.status == Response.Status.IN_PROGRESS


def test_posting_submit_without_the_confirm_button_submits_nothing(client, response_at, people):
    answer_everything(response_at, people.coordinator)
    client.force_login(people.coordinator)
    result = client.post(BASE + "submit/", {})
    assert result.status_code == 400
    assert "Confirm with the button to go ahead; nothing was changed." in result.content.decode()
    response_at.refresh_from_db()
    assert response_at.status == Response.Status.IN_PROGRESS
    assert not ResponseEvent.objects.filter(response=response_at).exists()


def test_confirming_submits_once(client, response_at, people):
    answer_everything(response_at, people.coordinator)
    client.force_login(people.coordinator)
    assert client.post(BASE + "submit/", {"confirm": "yes"}).status_code == 302
    assert client.post(BASE + "submit/", {"confirm": "yes"}).status_code == 302  # a double click
    response_at.refresh_from_db()
    assert response_at.status == Response.Status.SUBMITTED
    assert ResponseEvent.objects.filter(response=response_at).count() == 1


@pytest.mark.parametrize("who", ["contributor", "viewer", "staff"])
def test_only_a_coordinator_opens_or_confirms_the_submission(client, response_at, people, who):
    answer_everything(response_at, people.coordinator)
    if who == "staff":
        force_login_verified(client, people.staff)
    else:
        client.force_login(getattr(people, who))
    assert client.get(BASE + "submit/").status_code == 403
    assert client.post(BASE + "submit/", {"confirm": "yes"}).status_code == 403
    response_at.refresh_from_db()
    assert response_at.status == Response.Status.IN_PROGRESS


def test_review_page_leads_to_the_confirmation_not_to_a_submission(client, response_at, people):
    answer_everything(response_at, people.coordinator)
    client.force_login(people.coordinator)
    html = client.get(BASE + "review/").content.decode()
    assert f'href="{BASE}submit/" data-submit' in html
    assert f'action="{BASE}submit/"' not in html


# --- accepting and returning ----------------------------------------------------------------------------------


def test_accept_asks_to_confirm_and_a_post_without_confirm_changes_nothing(staff_client, submitted):
    page = staff_client.get(BASE + "accept/")
    assert page.status_code == 200
    assert "data-confirm-accept" in page.content.decode()
    refused = staff_client.post(BASE + "accept/", {})
    assert refused.status_code == 400
    submitted.refresh_from_db()
    assert submitted.status == Response.Status.SUBMITTED
    assert staff_client.post(BASE + "accept/", {"confirm": "yes"}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Response.Status.ACCEPTED


def test_the_response_home_offers_accept_as_a_link_to_the_confirmation(staff_client, submitted, people):
    html = staff_client.get(BASE).content.decode()
    assert f'href="{BASE}accept/" data-accept' in html
    # A submitted response goes back by the return form on the page; reopening is offered once it is accepted
    # (the staff walk could not tell "Return for changes" from "Reopen for changes…" side by side).
    assert "data-reopen" not in html
    assert "data-return-comment" in html
    response_accept(response=submitted, user=people.staff)
    accepted = staff_client.get(BASE).content.decode()
    assert f'href="{BASE}reopen/" data-reopen' in accepted
    assert "data-return-comment" not in accepted


def test_returning_without_a_comment_is_refused_next_to_the_field(staff_client, submitted):
    result = staff_client.post(BASE + "return/", {"comment": "   "})
    html = result.content.decode()
    assert result.status_code == 400
    assert "Write a comment saying what should change: the organisation sees it." in html
    assert 'aria-invalid="true"' in html
    submitted.refresh_from_db()
    assert submitted.status == Response.Status.SUBMITTED


def test_returning_with_a_comment_returns(staff_client, submitted):
    assert staff_client.post(BASE + "return/", {"comment": "Add the 2014 figures."}).status_code == 302
    submitted.refresh_from_db()
    assert (submitted.status, submitted.staff_comment) == (Response.Status.RETURNED, "Add the 2014 figures.")


@pytest.mark.parametrize("action", ["return", "accept", "reopen"])
def test_the_office_is_told_before_and_after_a_decision_that_no_one_will_be_mailed(
    staff_client, submitted, people, action
):
    """The staff walk returned a response of a State without a coordinator: the page said "returned to the
    organisation", and only the server's log said that no mail went out."""
    data = {
        "return": {"comment": "Add the 2014 figures."},
        "accept": {"confirm": "yes"},
        "reopen": {"reason": "The ministry corrected the 2014 figures."},
    }[action]
    assert "data-nobody-told" not in staff_client.get(BASE + f"{action}/").content.decode()  # Austria has one
    Membership.objects.filter(user=people.coordinator).update(role=Role.CONTRIBUTOR)
    page = staff_client.get(BASE + f"{action}/").content.decode()
    assert "Austria: no one will be told by e-mail" in page
    # The response's home too, whose return form sends without a page between.
    assert "Austria: no one will be told by e-mail" in staff_client.get(BASE).content.decode()
    assert 'class="alert-link" href="/organisations/AT/people/"' in page  # readable on the warning's yellow
    done = staff_client.post(BASE + f"{action}/", data, follow=True).content.decode()
    assert "Austria: no one was told by e-mail" in done
    submitted.refresh_from_db()
    assert submitted.status != Response.Status.SUBMITTED  # the decision is taken all the same


def test_a_decision_mailed_to_a_coordinator_has_no_warning(staff_client, submitted):
    done = staff_client.post(BASE + "return/", {"comment": "Add the 2014 figures."}, follow=True).content.decode()
    assert "The response is returned to the organisation with your comment." in done
    assert "no one was told" not in done


@pytest.mark.parametrize("who", ["coordinator", "contributor", "viewer"])
def test_members_cannot_accept_return_or_reopen(client, submitted, people, who):
    client.force_login(getattr(people, who))
    for url, data in (("accept/", {"confirm": "yes"}), ("return/", {"comment": "x"}), ("reopen/", {"reason": "x"})):
        assert client.get(BASE + url).status_code == 404
        assert client.post(BASE + url, data).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == Response.Status.SUBMITTED


# --- reopening -------------------------------------------------------------------------------------------------


def test_reopening_with_an_empty_reason_is_refused_with_a_message(staff_client, submitted, people):
    response_accept(response=submitted, user=people.staff)
    result = staff_client.post(BASE + "reopen/", {"reason": "  "})
    assert result.status_code == 400
    assert "Give the reason for reopening: the organisation sees it." in result.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Response.Status.ACCEPTED


def test_reopening_an_accepted_response_lets_the_organisation_edit_again(staff_client, client, submitted, people):
    response_accept(response=submitted, user=people.staff)
    assert staff_client.post(BASE + "reopen/", {"reason": "The 2014 figures were revised."}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Response.Status.RETURNED
    assert submitted.accepted_at is None
    event = ResponseEvent.objects.filter(response=submitted).last()
    assert (event.from_status, event.to_status, event.comment, event.by) == (
        "accepted",
        "returned",
        "The 2014 figures were revised.",
        people.staff,
    )
    history = staff_client.get(BASE + "history/").content.decode()
    assert "The 2014 figures were revised." in history

    client.force_login(people.coordinator)
    home = client.get(BASE).content.decode()
    assert "The 2014 figures were revised." in home
    save = client.post(
        BASE + "autosave/GEN.R.02/", {"GEN.R.02||": "Revised", "v|GEN.R.02||": "1", "o|GEN.R.02||": "Answer text"}
    )
    assert save.status_code == 200
    assert submitted.answers.get(question__code="GEN.R.02").value_text == "Revised"
    assert client.post(BASE + "submit/", {"confirm": "yes"}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Response.Status.RESUBMITTED


def test_a_submitted_response_can_be_reopened_but_not_one_in_progress(response_at, people):
    with pytest.raises(WorkflowError, match="Only a submitted or accepted response"):
        response_reopen(response=response_at, user=people.staff, reason="Why not")
    answer_everything(response_at, people.coordinator)
    response_submit(response=response_at, user=people.coordinator)
    response_reopen(response=response_at, user=people.staff, reason="Wrong year range")
    response_at.refresh_from_db()
    assert (response_at.status, response_at.staff_comment) == (Response.Status.RETURNED, "Wrong year range")


def test_only_staff_reopen(submitted, people):
    with pytest.raises(PermissionDenied):
        response_reopen(response=submitted, user=people.coordinator, reason="Please")
    with pytest.raises(WorkflowError, match="Give the reason"):
        response_reopen(response=submitted, user=people.staff, reason=" \n ")


def test_a_response_whose_deadline_passed_is_reopened_only_after_an_extension(submitted, people):
    """Reopened after its deadline the organisation could change nothing: staff are told to extend first."""
    import datetime as dt

    from responses.deadlines import deadline_extend
    from surveys.models import Survey

    Survey.objects.filter(pk=submitted.survey_id).update(closes_on=dt.date.today() - dt.timedelta(days=3))
    submitted.survey.refresh_from_db()
    with pytest.raises(WorkflowError, match="give it a later deadline first"):
        response_reopen(response=submitted, user=people.staff, reason="Figures for 2014 missing")
    submitted.refresh_from_db()
    assert submitted.status == Response.Status.SUBMITTED

    deadline_extend(
        survey=submitted.survey,
        organisation=submitted.organisation,
        until=dt.date.today() + dt.timedelta(days=14),
        reason="Figures for 2014 missing",
        user=people.staff,
    )
    response_reopen(response=submitted, user=people.staff, reason="Figures for 2014 missing")
    submitted.refresh_from_db()
    assert submitted.status == Response.Status.RETURNED
