"""Publishing a round's results: the refusals, the snapshot, and what the public page shows and never shows.

A small 2015/16 round is answered once for the module: Austria, Germany and France submitted; Italy in progress;
three NGOs with distinctive names submitted. The round is closed and its final report built; each test publishes
in a savepoint of its own.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from oscethb.catalogues import TRANSLATED
from reports.headlines import sentence
from reports.models import JobStatus, Publication, PublicationEvent, Report, ReportRun
from reports.publication.services import (
    PublicationRefused,
    publication_publish,
    publication_withdraw,
)
from reports.services import report_run_execute
from responses.models import Response
from responses.tests.factories import UserFactory
from surveys.models import Question, Survey
from tests.otp_helpers import force_login_verified
from tests.scenario import Scenario
from tests.test_page_languages import _stored_texts, untranslated

NGOS = {"ngo-vienna": "Stop Trafficking Vienna", "ngo-paris": "La Strada Paris", "ngo-rome": "Free Passage Roma"}
WHERE = {"GEN.R.01": {("", ""): "AT"}}  # about the respondent: which State the response covers
ANSWERS: dict[str, dict[str, dict[tuple[str, str], Any]]] = {
    "AT": {
        **WHERE,
        "PRV.SUP.01": {("", ""): "yes"},
        "PRT.ID.01": {("", ""): "yes"},
        "GEN.R.02": {("", ""): "SECRET-AT"},
        "PRO.LEG.04": {("sexual_exploitation", ""): "yes", ("labour_exploitation", ""): "no"},  # a matrix
    },
    "DE": {"PRV.SUP.01": {("", ""): "no"}, "PRT.ID.01": {("", ""): "in_process"}},
    "FR": {"PRV.SUP.01": {("", ""): "yes"}, "PRT.ID.01": {("", ""): "no"}},
    "IT": {"PRV.SUP.01": {("", ""): "in_process"}},  # in progress: never public
    "ngo-vienna": {
        **WHERE,
        "PRT.ID.01": {("", ""): "no"},
        "NGO.P.03": {("", ""): "yes"},
        "GEN.R.02": {("", ""): "NGO-SECRET"},
    },
    "ngo-paris": {**WHERE, "PRT.ID.01": {("", ""): "yes"}},
    "ngo-rome": {**WHERE, "PRT.ID.01": {("", ""): "no"}},
}
SUBMITTED = ("AT", "DE", "FR", *NGOS)


def build(survey: Survey, *, provisional: bool = False) -> None:
    run = ReportRun.objects.create(survey=survey, include_in_progress=provisional)
    assert report_run_execute(run_id=run.pk) == JobStatus.DONE


def reopened(survey: Survey) -> Scenario:
    """The round opened again for more answers, in a scenario that knows it."""
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.OPEN)
    survey.refresh_from_db()
    scenario = Scenario()
    scenario.rounds[survey.slug] = survey
    return scenario


def close_and_build(survey: Survey) -> None:
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED)
    survey.refresh_from_db()
    build(survey)


@pytest.fixture(scope="module")
def answered_round(django_db_setup: None, django_db_blocker: Any) -> Iterator[Survey]:
    """The answered, closed round with its final and provisional reports, rolled back at the module's end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with django_db_blocker.unblock():
            s = Scenario().round("thb-2016")
            for code in ("AT", "DE", "FR", "IT"):
                s.state(code)
            for code, name in NGOS.items():
                s.ngo(code, name=name, country="AT")
            for org, answers in ANSWERS.items():
                s.answers(org, answers)
            Response.objects.filter(survey=s.survey, organisation__code__in=SUBMITTED).update(status="submitted")
            Survey.objects.filter(pk=s.survey.pk).update(status=Survey.Status.CLOSED)
            s.survey.refresh_from_db()
            build(s.survey)
            build(s.survey, provisional=True)
            yield s.survey
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def survey(answered_round: Survey, db: None) -> Survey:
    """The round as stored now (a test may have changed the module's object before its savepoint was undone)."""
    return Survey.objects.get(pk=answered_round.pk)


@pytest.fixture
def staff(db: None) -> Any:
    return UserFactory.create(is_staff=True, email="publisher@osce.example.org")


def page(client: Client, survey: Survey, language: str = "en") -> str:
    """The public page's main content (the rest holds a fresh CSRF token per request)."""
    client.cookies["django_language"] = language
    response = client.get(reverse("reports:public-round", args=[survey.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'lang="{language}"' in html
    return html[html.index("<main") : html.index("</main>")]


def test_publishing_is_refused_while_the_round_is_open(survey: Survey, staff: Any) -> None:
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.OPEN)
    survey.refresh_from_db()
    with pytest.raises(PublicationRefused, match=r"only after the round is closed; .* is still open"):
        publication_publish(survey=survey, user=staff)
    assert not Publication.objects.exists()


def test_publishing_is_refused_without_a_final_report(survey: Survey, staff: Any) -> None:
    Report.objects.filter(survey=survey, include_in_progress=False).delete()
    assert Report.objects.filter(survey=survey, include_in_progress=True).exists()  # the provisional one is no use
    with pytest.raises(PublicationRefused, match="No final report has been built"):
        publication_publish(survey=survey, user=staff)
    assert not Publication.objects.exists()


# a text question; a question asked of NGOs only; a question about the respondent (which State)
@pytest.mark.parametrize("code", ["GEN.R.02", "NGO.P.03", "GEN.R.01"])
def test_only_choice_questions_asked_of_states_can_be_shown_by_state(survey: Survey, staff: Any, code: str) -> None:
    with pytest.raises(PublicationRefused, match=f"{code} cannot be shown by State"):
        publication_publish(survey=survey, user=staff, public_questions=[code])


def test_withdrawing_what_is_not_published_is_refused(survey: Survey, staff: Any) -> None:
    with pytest.raises(PublicationRefused, match="not published"):
        publication_withdraw(survey=survey, user=staff)


def test_the_public_page_shows_figures_and_never_an_ngo(survey: Survey, staff: Any, client: Client) -> None:
    publication_publish(survey=survey, user=staff, public_questions=["PRV.SUP.01"])
    html = page(client, survey)
    assert "2 of 3 responding participating States reported a public procurement policy" in html
    assert "Participating States that responded: 3 of " in html
    figures = html.split('data-figures="PRT.ID.01"')[1].split("</table>")[0]
    assert 'data-kind="ngo"' in figures
    assert "2 of 3 (67%)" in figures
    matrix = html.split('data-figures="PRO.LEG.04"')[1].split("</table>")[0]
    assert 'data-row="sexual_exploitation"' in matrix
    assert 'data-row="labour_exploitation"' in matrix
    for code, name in NGOS.items():
        assert name not in html
        assert code not in html
    assert "NGO-SECRET" not in html
    assert "SECRET-AT" not in html


def test_ngo_figures_of_a_question_few_ngos_answered_are_left_out(survey: Survey, staff: Any, client: Client) -> None:
    publication_publish(survey=survey, user=staff)
    publication = Publication.objects.get()
    assert "NGO.P.03" in publication.data["ngo_withheld"]
    assert not [r for r in publication.data["choice_counts"] if r["question"] == "NGO.P.03"]
    block = page(client, survey).split('data-public-question="NGO.P.03"')[1].split("data-public-question")[0]
    assert "data-ngo-withheld" in block
    assert "data-figures" not in block


def test_only_questions_marked_public_list_the_states_answers(survey: Survey, staff: Any, client: Client) -> None:
    publication_publish(survey=survey, user=staff, public_questions=["PRV.SUP.01"])
    html = page(client, survey)
    marked = html.split('data-state-answers="PRV.SUP.01"')[1].split("</details>")[0]
    assert "<td>Austria</td><td>Yes</td>" in marked
    assert "<td>Germany</td><td>No</td>" in marked
    assert "<td>Italy</td>" not in html  # in progress: not counted, not shown
    assert 'data-state-answers="PRT.ID.01"' not in html
    assert html.count("<td>Austria</td>") == 1


def test_a_rebuild_changes_nothing_public_until_published_again(survey: Survey, staff: Any, client: Client) -> None:
    publication_publish(survey=survey, user=staff)
    before = page(client, survey)
    Response.objects.filter(survey=survey, organisation__code="IT").update(status="submitted")
    build(survey)
    assert page(client, survey) == before
    publication_publish(survey=survey, user=staff)
    after = page(client, survey)
    assert "2 of 4 responding participating States reported a public procurement policy" in after
    assert "2 of 3 responding participating States reported a public procurement policy" in before
    actions = list(PublicationEvent.objects.values_list("action", flat=True))
    assert actions == ["republished", "published"]


def test_nothing_is_public_before_publishing_or_after_withdrawing(survey: Survey, staff: Any, client: Client) -> None:
    url = reverse("reports:public-round", args=[survey.slug])
    assert client.get(url).status_code == 404
    assert "data-published-results" not in client.get("/").content.decode()
    publication_publish(survey=survey, user=staff)
    assert client.get(url).status_code == 200
    assert reverse("reports:public-results") in client.get("/").content.decode()
    listing = client.get(reverse("reports:public-results")).content.decode()
    assert reverse("reports:public-round", args=[survey.slug]) in listing
    publication_withdraw(survey=survey, user=staff)
    assert client.get(url).status_code == 404
    assert "data-published-results" not in client.get("/").content.decode()
    assert survey.slug not in client.get(reverse("reports:public-results")).content.decode()


def test_the_public_page_speaks_the_readers_language(survey: Survey, staff: Any, client: Client) -> None:
    publication_publish(survey=survey, user=staff, public_questions=["PRV.SUP.01"])
    html = page(client, survey, "fr")
    report = Report.objects.get(survey=survey, include_in_progress=False).data
    (headline,) = [h for h in report["headlines"] if h["question"] == "PRV.SUP.01"]
    question = next(q for q in report["questions"] if q["code"] == "PRV.SUP.01")
    french = sentence(headline, question, "fr")
    assert french != sentence(headline, question, "en")
    assert f'<li data-headline="PRV.SUP.01">{escape(french)} ' in html
    figures = html.split('data-figures="PRV.SUP.01"')[1].split("</table>")[0]
    assert '<th scope="row" class="fw-normal">Oui</th>' in figures
    states = html.split('data-state-answers="PRV.SUP.01"')[1].split("</details>")[0]
    # the State names of the round's own list (GEN.R.01's options), not the directory's English names
    assert "<td>Allemagne</td><td>Non</td>" in states
    assert "<td>Autriche</td><td>Oui</td>" in states
    assert states.index("Allemagne") < states.index("Autriche") < states.index("France")
    assert "Austria" not in html


def test_the_public_page_reads_the_same_number_of_queries_however_much_is_shown(
    survey: Survey, staff: Any, client: Client
) -> None:
    publication_publish(survey=survey, user=staff, public_questions=["PRV.SUP.01"])
    page(client, survey)
    with CaptureQueriesContext(connection) as few:
        small = page(client, survey)
    # More States answer more questions, and more of them are published State by State.
    scenario = reopened(survey)
    for code in ("BE", "NL", "PL", "SE"):
        scenario.state(code).answers(
            code, {"PRV.SUP.01": {("", ""): "no"}, "PRT.ID.01": {("", ""): "yes"}, "PRV.SUP.02": {("", ""): "yes"}}
        )
        Response.objects.filter(survey=survey, organisation__code=code).update(status="submitted")
    close_and_build(survey)
    publication_publish(survey=survey, user=staff, public_questions=["PRV.SUP.01", "PRT.ID.01", "PRV.SUP.02"])
    page(client, survey)
    with CaptureQueriesContext(connection) as many:
        large = page(client, survey)
    assert large.count("<td>Sweden</td>") == 3
    assert "<td>Sweden</td>" not in small
    assert len(many) == len(few)


def test_the_public_page_reads_its_snapshot_once_and_a_304_not_at_all(
    survey: Survey, staff: Any, client: Client
) -> None:
    publication_publish(survey=survey, user=staff)
    url = reverse("reports:public-round", args=[survey.slug])
    client.get(url)

    def snapshot_reads(queries: CaptureQueriesContext) -> int:
        return sum('"reports_publication"."data"' in q["sql"] for q in queries.captured_queries)

    with CaptureQueriesContext(connection) as full:
        etag = client.get(url)["ETag"]
    assert snapshot_reads(full) == 1
    with CaptureQueriesContext(connection) as unchanged:
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert snapshot_reads(unchanged) == 0


def test_an_unchanged_page_answers_not_modified(survey: Survey, staff: Any, client: Client) -> None:
    publication_publish(survey=survey, user=staff)
    url = reverse("reports:public-round", args=[survey.slug])
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    publication_publish(survey=survey, user=staff)
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_public_page_with_figures_and_states_answers_is_wholly_translated(
    survey: Survey, staff: Any, client: Client, language: str
) -> None:
    """The access table's world answers no choice question: here the page has figures, bars, a withheld NGO
    figure and a table of States' answers, and none of its interface texts is left in English."""
    publication_publish(survey=survey, user=staff, public_questions=["PRV.SUP.01"])
    english, other = page(client, survey), page(client, survey, language)
    assert untranslated(english, other, language, _stored_texts()) == []


def test_questions_about_the_respondent_are_never_public(survey: Survey, staff: Any, client: Client) -> None:
    """GEN.R.01 ("which participating State does this response cover?") counted among NGOs would say where a few
    named NGOs work: it is neither counted on the page nor offered for State-by-State publication."""
    force_login_verified(client, staff)
    assert (
        'value="GEN.R.01"' not in client.get(reverse("reports:publication-manage", args=[survey.slug])).content.decode()
    )
    publication_publish(survey=survey, user=staff)
    data = Publication.objects.get().data
    assert "GEN.R.01" not in {q["code"] for q in data["questions"]}
    assert not [row for row in data["choice_counts"] if row["question"] == "GEN.R.01"]
    assert "GEN.R.01" not in data["ngo_withheld"]
    client.logout()
    html = page(client, survey)
    assert "GEN.R.01" not in html
    assert "Which participating State does this response cover?" not in html


def test_a_question_with_a_show_if_rule_is_never_shown_by_state(survey: Survey, staff: Any, client: Client) -> None:
    """Germany answered PRT.ID.01 but, with this rule, its own "no" to PRV.SUP.01 hides it: the report does not
    count that answer, so it may not be published either."""
    Question.objects.filter(survey=survey, code="PRT.ID.01").update(show_if={"question": "PRV.SUP.01", "in": ["yes"]})
    build(survey)
    with pytest.raises(PublicationRefused, match=r"PRT\.ID\.01 cannot be shown by State"):
        publication_publish(survey=survey, user=staff, public_questions=["PRT.ID.01"])
    force_login_verified(client, staff)
    html = client.get(reverse("reports:publication-manage", args=[survey.slug])).content.decode()
    assert 'value="PRV.SUP.01"' in html
    assert 'value="PRT.ID.01"' not in html


def test_a_publication_taken_before_loses_the_questions_about_the_respondent(
    survey: Survey, staff: Any, client: Client
) -> None:
    """Migration 0007 of reports, on a live publication whose snapshot still counts GEN.R.01 among NGOs."""
    publication_publish(survey=survey, user=staff, public_questions=["PRV.SUP.01"])
    report = Report.objects.get(survey=survey, include_in_progress=False).data
    publication = Publication.objects.get()
    publication.data["questions"] += [q for q in report["questions"] if q["code"] == "GEN.R.01"]
    publication.data["choice_counts"] += [r for r in report["choice_counts"] if r["question"] == "GEN.R.01"]
    publication.save()
    url = reverse("reports:public-round", args=[survey.slug])
    etag = client.get(url)["ETag"]
    assert 'data-public-question="GEN.R.01"' in page(client, survey)
    migration = importlib.import_module("reports.migrations.0007_publication_without_respondent_questions")
    migration.forwards(django_apps, None)
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200  # a browser's cached copy is stale
    html = page(client, survey)
    assert 'data-public-question="GEN.R.01"' not in html
    assert 'data-state-answers="PRV.SUP.01"' in html
