"""End to end: the shipped 2015/16 round, answers imported from a long-format CSV, a report built by the command.

Tests that run `build_reports` are transactional: the command queues the build when its transaction commits and
waits for it, so it needs real commits (in production it runs in autocommit, like here). Celery runs eagerly.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Organisation
from oscethb.celery import app as celery_app
from reports import services
from reports.jobs import MAX_RETRIES
from reports.models import JobStatus, Report, ReportRun
from reports.selectors import answers_frame, question_list, respondents_frame
from reports.tasks import build_report
from responses.models import Response
from responses.services import answers_save
from responses.tests.factories import OrganisationFactory
from surveys.models import Question, Survey
from surveys.services import survey_set_status

HEADER = "organisation,question,row,column,value\n"

# Three States and two NGOs, submitted. Czechia by its former name, as paper returns often have it.
SUBMITTED_2016 = """\
AT,PRV.SUP.01,,,yes
DE,PRV.SUP.01,,,yes
Czech Republic,PRV.SUP.01,,,no
AT,PRT.ID.01,,,yes
DE,PRT.ID.01,,,no
CZ,PRT.ID.01,,,in_process
ngo-at-shelter,PRT.ID.01,,,yes
ngo-de-help,PRT.ID.01,,,yes
AT,PRO.ENF.04,,,partially
DE,PRO.ENF.04,,,yes
AT,PRO.LEG.02,,,sexual_exploitation;forced_labour_or_services
DE,PRO.LEG.02,,,forced_labour_or_services
AT,PRO.LEG.04,sexual_exploitation,,yes
AT,PRO.LEG.04,labour_exploitation,,in_process
AT,PRO.DATA.01,,2012,10
DE,PRO.DATA.01,,2012,30
CZ,PRO.DATA.01,,2013,5
ngo-at-shelter,NGO.P.03,,,partially
"""
# France has started but not submitted.
IN_PROGRESS_2016 = """\
FR,PRV.SUP.01,,,in_process
FR,PRT.ID.01,,,yes
"""

SUP = "a public procurement policy to reduce the risk of buying goods or services made with trafficked labour"
NRM = "a National Referral Mechanism for identifying victims and referring them to assistance"
TRAINING = "regular specialized training on trafficking for police officers, prosecutors and judges"


def load_round(slug: str) -> Survey:
    call_command("load_survey", f"surveys/definitions/{slug}.yaml", stdout=io.StringIO())
    Survey.objects.filter(slug=slug).update(status=Survey.Status.OPEN)
    return Survey.objects.get(slug=slug)


def import_csv(tmp_path: Path, name: str, rows: str, slug: str = "thb-2016", submit: bool = True) -> str:
    path = tmp_path / name
    path.write_text(HEADER + rows, encoding="utf-8")
    out = io.StringIO()
    args = [str(path), "--survey", slug] + (["--submit"] if submit else [])
    call_command("import_responses", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def make_ngos() -> None:
    OrganisationFactory(code="ngo-at-shelter", name="Shelter Austria", country=Organisation.objects.get(code="AT"))
    OrganisationFactory(code="ngo-de-help", name="Help Germany", country=Organisation.objects.get(code="DE"))


def build(*extra: str, slug: str = "thb-2016") -> list[str]:
    out = io.StringIO()
    call_command("build_reports", "--survey", slug, *extra, stdout=out, stderr=io.StringIO())
    return out.getvalue().splitlines()


def without_built_at(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "built_at"}


@pytest.fixture
def round2016(db: None, tmp_path: Path) -> Survey:
    survey = load_round("thb-2016")
    make_ngos()
    assert "5 organisations" in import_csv(tmp_path, "submitted.csv", SUBMITTED_2016)
    import_csv(tmp_path, "in-progress.csv", IN_PROGRESS_2016, submit=False)
    statuses = dict(Response.objects.filter(survey=survey).values_list("organisation__code", "status"))
    assert statuses == {
        "AT": "submitted",
        "DE": "submitted",
        "CZ": "submitted",
        "FR": "in_progress",
        "ngo-at-shelter": "submitted",
        "ngo-de-help": "submitted",
    }
    return survey


# --- the command's output --------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_build_counts_exactly_what_the_file_holds_and_leaves_in_progress_answers_out(round2016: Survey) -> None:
    lines = build()
    assert lines[0].startswith("thb-2016: report built ")
    assert "PROVISIONAL" not in lines[0]
    assert lines[1] == "Responses counted: 3 of 57 participating States, 2 of 2 NGOs"
    assert (
        f"PRV.SUP.01: 2 of 3 (yes 2, no 1, in_process 0, not_applicable 0, no_information 0) - 2 of 3 responding "
        f"participating States reported {SUP}."
    ) in lines
    assert (
        f"PRT.ID.01: 1 of 3 (yes 1, no 1, in_process 1, not_applicable 0, no_information 0) - 1 of 3 responding "
        f"participating States reported {NRM}; 1 more reported it in process."
    ) in lines
    assert (
        f"PRO.ENF.04: 1 of 3 (yes 1, partially 1, no 0, no_information 0) - 1 of 3 responding participating States "
        f"reported {TRAINING}; 1 more reported it in part."
    ) in lines
    # Every scored question has its line, answered or not.
    scored = Question.objects.filter(survey=round2016, scored=True).count()
    assert len(lines) == 2 + scored
    assert any(line.startswith("PRO.LEG.01: 0 of 3 (yes 0, no 0, in_process 0,") for line in lines)

    report = Report.objects.get(survey=round2016, include_in_progress=False)
    data = report.data
    assert data["basis"] == {"statuses": ["submitted", "resubmitted", "accepted"], "provisional": False}
    states = data["response_rates"]["states"]
    assert states["eligible"] == 57
    assert states["counted"] == 3
    assert states["by_status"] == {
        "not_started": 53,
        "in_progress": 1,
        "submitted": 3,
        "returned": 0,
        "resubmitted": 0,
        "accepted": 0,
    }
    assert data["response_rates"]["ngos"]["counted"] == 2

    def count(question: str, option: str, kind: str = "state", row: str = "") -> tuple[int, int, int]:
        (match,) = [
            r
            for r in data["choice_counts"]
            if (r["question"], r["option"], r["kind"], r["row"]) == (question, option, kind, row)
        ]
        return match["count"], match["answered"], match["eligible"]

    assert count("PRO.LEG.02", "forced_labour_or_services") == (2, 2, 3)
    assert count("PRO.LEG.02", "sexual_exploitation") == (1, 2, 3)
    assert count("PRO.LEG.02", "forced_begging") == (0, 2, 3)
    assert count("PRO.LEG.04", "in_process", row="labour_exploitation") == (1, 1, 3)
    assert count("PRT.ID.01", "yes", kind="ngo") == (2, 2, 2)
    assert count("NGO.P.03", "partially", kind="ngo") == (1, 1, 2)
    assert not [r for r in data["choice_counts"] if r["question"] == "NGO.P.03" and r["kind"] != "ngo"]
    numbers = {(r["column"], r["kind"]): (r["count"], r["sum"], r["median"]) for r in data["number_summaries"]}
    assert numbers == {("2012", "state"): (2, 40.0, 20.0), ("2013", "state"): (1, 5.0, 5.0)}
    scores = {(r["organisation"], r["area"]): (r["score"], r["items"]) for r in data["scores"]}
    assert scores == {
        ("AT", "PRO"): (0.5, 1),
        ("DE", "PRO"): (1.0, 1),
        ("AT", "PRT"): (1.0, 1),
        ("CZ", "PRT"): (0.5, 1),
        ("DE", "PRT"): (0.0, 1),
        ("AT", "PRV"): (1.0, 1),
        ("CZ", "PRV"): (0.0, 1),
        ("DE", "PRV"): (1.0, 1),
    }
    assert {(r["country"], r["question"], r["agree"]) for r in data["state_vs_ngo"]} == {
        ("AT", "PRT.ID.01", 1.0),
        ("DE", "PRT.ID.01", 0.0),
    }
    assert data["agreement_by_area"] == [{"area": "PRT", "pairs": 2, "agreement": 0.5}]
    assert data["changes"] == []
    assert data["state_changes"] == []
    eu = {r["area"]: (r["score"], r["states"]) for r in data["region_scores"] if r["region"] == "eu_members"}
    assert eu == {"PRO": (0.75, 2), "PRT": (0.5, 3), "PRV": (0.6667, 3)}


@pytest.mark.django_db(transaction=True)
def test_include_in_progress_counts_france_and_marks_the_report_provisional(round2016: Survey) -> None:
    final = build()
    lines = build("--include-in-progress")
    assert lines[0].startswith("thb-2016: report built ")
    assert lines[0].endswith(" (PROVISIONAL: includes answers in progress)")
    assert lines[1] == "Responses counted: 4 of 57 participating States, 2 of 2 NGOs"
    assert (
        f"PRV.SUP.01: 2 of 4 (yes 2, no 1, in_process 1, not_applicable 0, no_information 0) - 2 of 4 responding "
        f"participating States reported {SUP}; 1 more reported it in process."
    ) in lines
    provisional = Report.objects.get(survey=round2016, include_in_progress=True)
    assert provisional.data["basis"] == {
        "statuses": ["submitted", "resubmitted", "accepted", "in_progress", "returned"],
        "provisional": True,
    }
    # The final report is a separate row, unchanged by the provisional build.
    assert Report.objects.filter(survey=round2016).count() == 2
    assert Report.objects.get(survey=round2016, include_in_progress=False).data["basis"]["provisional"] is False
    assert final[1] == "Responses counted: 3 of 57 participating States, 2 of 2 NGOs"


@pytest.mark.django_db(transaction=True)
def test_two_builds_give_the_same_report(round2016: Survey) -> None:
    build()
    first = Report.objects.get(survey=round2016, include_in_progress=False)
    build()
    second = Report.objects.get(survey=round2016, include_in_progress=False)
    assert second.pk == first.pk  # swapped in place, one row per round and basis
    assert second.run_id != first.run_id
    assert second.built_at >= first.built_at
    assert without_built_at(second.data) == without_built_at(first.data)
    assert second.data["built_at"].startswith(f"{timezone.localtime(second.built_at):%Y-%m-%dT%H:%M:%S}")
    assert ReportRun.objects.filter(survey=round2016, status=JobStatus.DONE, trigger="command").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_failing_build_marks_the_run_failed_and_keeps_the_previous_report(
    round2016: Survey, monkeypatch: pytest.MonkeyPatch
) -> None:
    build()
    previous = Report.objects.get(survey=round2016, include_in_progress=False)

    def broken(**kwargs: Any) -> dict[str, Any]:
        raise ValueError("an answer nobody can count")

    monkeypatch.setattr(services, "report_compute", broken)
    with pytest.raises(CommandError, match=r"failed: ValueError: an answer nobody can count"):
        build()
    run = ReportRun.objects.filter(survey=round2016).order_by("-pk").first()
    assert run is not None
    assert run.status == JobStatus.FAILED
    assert run.error == "ValueError: an answer nobody can count"
    assert run.message == "failed"
    assert run.finished_at is not None
    report = Report.objects.get(survey=round2016, include_in_progress=False)
    assert report.run_id == previous.run_id
    assert report.built_at == previous.built_at
    assert report.data == previous.data


# --- retries, caps and triggers (tasks run eagerly; no command, so no commit is needed) -------------------------


def flaky(monkeypatch: pytest.MonkeyPatch, failures: int) -> list[int]:
    """report_compute raising a transient OperationalError `failures` times, then working; returns the call log.

    Eager Celery re-applies a retried task only when eager errors do not propagate (with propagation, the Retry
    escapes `delay`), so this switches propagation off, as a worker would run the retries.
    """
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    real = services.report_compute
    calls: list[int] = []

    def compute(**kwargs: Any) -> dict[str, Any]:
        calls.append(1)
        if len(calls) <= failures:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(services, "report_compute", compute)
    return calls


def test_a_transient_error_is_retried_and_the_build_completes(
    round2016: Survey, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    calls = flaky(monkeypatch, failures=2)
    run = ReportRun.objects.create(survey=round2016)
    result = build_report.delay(run.pk)
    assert result.get() == JobStatus.DONE
    run.refresh_from_db()
    assert run.status == JobStatus.DONE
    assert run.attempts == 3  # two failed tries and the one that worked
    assert run.error == ""
    assert len(calls) == 3
    retries = [r for r in caplog.records if "transient error, retrying" in r.getMessage()]
    assert len(retries) == 2
    assert Report.objects.get(survey=round2016, include_in_progress=False).run_id == run.pk


def test_a_transient_error_that_persists_gives_up_after_the_cap(
    round2016: Survey, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = flaky(monkeypatch, failures=100)
    run = ReportRun.objects.create(survey=round2016)
    assert build_report.delay(run.pk).get() == JobStatus.FAILED
    run.refresh_from_db()
    assert run.status == JobStatus.FAILED
    # Retries and redeliveries share one budget: MAX_ATTEMPTS tries in all, then the run is failed with the cause.
    assert MAX_RETRIES + 1 == services.MAX_ATTEMPTS
    assert len(calls) == services.MAX_ATTEMPTS
    assert run.attempts == services.MAX_ATTEMPTS
    assert run.error.startswith(f"Gave up after {services.MAX_ATTEMPTS} attempts")
    assert "server closed the connection unexpectedly" in run.error  # the cause is kept
    assert not Report.objects.filter(survey=round2016).exists()


def test_a_run_claimed_more_than_max_attempts_times_is_marked_failed(round2016: Survey) -> None:
    # Its worker died MAX_ATTEMPTS times mid-build (the run stayed "running"); the broker delivers it once more.
    run = ReportRun.objects.create(survey=round2016, status=JobStatus.RUNNING, attempts=services.MAX_ATTEMPTS)
    assert build_report.delay(run.pk).get() == JobStatus.FAILED
    run.refresh_from_db()
    assert run.status == JobStatus.FAILED
    assert run.attempts == services.MAX_ATTEMPTS + 1
    assert run.error.startswith(f"Stopped after {services.MAX_ATTEMPTS} attempts")
    assert not Report.objects.filter(survey=round2016).exists()


def test_a_finished_run_is_not_built_again(round2016: Survey) -> None:
    run = ReportRun.objects.create(survey=round2016, status=JobStatus.DONE, attempts=1)
    assert build_report.delay(run.pk).get() == "skipped"
    assert build_report.delay(run.pk + 1000).get() == "gone"
    run.refresh_from_db()
    assert run.attempts == 1
    assert not Report.objects.filter(survey=round2016).exists()


def test_closing_the_round_queues_a_rebuild(round2016: Survey, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        survey_set_status(survey=round2016, status=Survey.Status.CLOSED)
    assert callbacks  # the rebuild is queued after the commit (the structure version's own callback runs there too)
    run = ReportRun.objects.get(survey=round2016)  # one run, queued once
    assert run.trigger == "round closed"
    assert run.include_in_progress is False
    assert run.status == JobStatus.DONE, run.error
    report = Report.objects.get(survey=round2016, include_in_progress=False)
    assert report.run_id == run.pk
    assert report.data["response_rates"]["states"]["counted"] == 3


def test_opening_a_round_queues_no_rebuild(db: None, django_capture_on_commit_callbacks: Any) -> None:
    survey = load_round("thb-2016")
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.DRAFT)
    survey.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        survey_set_status(survey=survey, status=Survey.Status.OPEN)
    assert not ReportRun.objects.exists()


# --- reading in bulk -------------------------------------------------------------------------------------------


def test_selectors_leave_in_progress_answers_out_unless_asked(round2016: Survey) -> None:
    questions = question_list(round2016)
    final = answers_frame(round2016, False, questions)
    provisional = answers_frame(round2016, True, questions)
    assert "FR" not in set(final["organisation"])
    assert set(final["organisation"]) == {"AT", "DE", "CZ", "ngo-at-shelter", "ngo-de-help"}
    assert len(final) == 18  # one row per answer cell of the file
    assert len(provisional) == 20
    france = provisional[provisional["organisation"] == "FR"]
    assert sorted(zip(france["question"], france["text"], strict=True)) == [
        ("PRT.ID.01", "yes"),
        ("PRV.SUP.01", "in_process"),
    ]
    ngo = final[final["organisation"] == "ngo-at-shelter"].iloc[0]
    assert (ngo["kind"], ngo["country"]) == ("ngo", "AT")
    multi = final[(final["organisation"] == "AT") & (final["question"] == "PRO.LEG.02")].iloc[0]
    assert multi["cell_kind"] == "choices"
    assert list(multi["choices"]) == ["sexual_exploitation", "forced_labour_or_services"]
    year = final[(final["organisation"] == "AT") & (final["question"] == "PRO.DATA.01")].iloc[0]
    assert (year["column"], year["cell_kind"], year["number"]) == ("2012", "integer", 10.0)

    people = respondents_frame(round2016, False).set_index("organisation")
    assert people.loc["FR", "status"] == "in_progress"
    assert not people.loc["FR", "counted"]
    assert people.loc["AT", "counted"]
    assert people.loc["MD", "status"] == "not_started"
    assert people.loc["ngo-at-shelter", "country"] == "AT"
    assert respondents_frame(round2016, True).set_index("organisation").loc["FR", "counted"]
    assert len(people) == 57 + 2


def test_a_returned_response_counts_only_in_the_provisional_report(round2016: Survey) -> None:
    Response.objects.filter(survey=round2016, organisation__code="DE").update(status=Response.Status.RETURNED)
    questions = question_list(round2016)
    assert "DE" not in set(answers_frame(round2016, False, questions)["organisation"])
    assert "DE" in set(answers_frame(round2016, True, questions)["organisation"])


def test_a_cleared_answer_is_not_counted_as_answered(round2016: Survey) -> None:
    question = Question.objects.of_round(round2016).select_related("option_set").get(code="PRV.SUP.01")
    response = Response.objects.get(survey=round2016, organisation__code="CZ")
    response.status = Response.Status.IN_PROGRESS  # returned to clear it, say
    response.save()
    assert answers_save(response=response, question=question, raw={("", ""): ""}, base_versions=None, user=None).ok
    Response.objects.filter(pk=response.pk).update(status=Response.Status.RESUBMITTED)
    data = services.report_compute(survey=round2016, include_in_progress=False)
    (headline,) = [h for h in data["headlines"] if h["question"] == "PRV.SUP.01"]
    assert (headline["yes"], headline["no"], headline["answered"], headline["eligible"]) == (2, 0, 2, 3)
    frame = answers_frame(round2016, False, question_list(round2016))
    assert not ((frame["organisation"] == "CZ") & (frame["question"] == "PRV.SUP.01")).any()


def _states_answering(survey: Survey, codes: list[str]) -> None:
    question = Question.objects.of_round(survey).select_related("option_set").get(code="PRV.SUP.01")
    other = Question.objects.of_round(survey).get(code="PRO.DATA.01")
    for code in codes:
        response, _created = Response.objects.get_or_create(
            survey=survey, organisation=Organisation.objects.get(code=code)
        )
        assert answers_save(
            response=response, question=question, raw={("", ""): "yes"}, base_versions=None, user=None
        ).ok
        assert answers_save(
            response=response, question=other, raw={("", "2012"): "3", ("", "2013"): "4"}, base_versions=None, user=None
        ).ok
        Response.objects.filter(pk=response.pk).update(status=Response.Status.SUBMITTED)


def test_the_build_reads_answers_in_a_constant_number_of_queries(db: None) -> None:
    survey = load_round("thb-2016")
    _states_answering(survey, ["AT", "DE"])
    with CaptureQueriesContext(connection) as two:
        small = services.report_compute(survey=survey, include_in_progress=False)
    _states_answering(survey, ["FR", "IT", "ES", "PL"])
    ngo = OrganisationFactory(code="ngo-query-count", country=Organisation.objects.get(code="PL"))
    Response.objects.create(survey=survey, organisation=ngo, status=Response.Status.SUBMITTED)
    with CaptureQueriesContext(connection) as six:
        large = services.report_compute(survey=survey, include_in_progress=False)
    assert small["response_rates"]["states"]["counted"] == 2
    assert large["response_rates"]["states"]["counted"] == 6
    assert len(six) == len(two), [q["sql"] for q in six.captured_queries]
    assert len(two) < 20


# --- comparing with the previous round ------------------------------------------------------------------------


def test_changes_since_the_previous_round(db: None, tmp_path: Path) -> None:
    load_round("thb-2016")
    survey = load_round("thb-2021")
    assert survey.previous is not None
    assert survey.previous.slug == "thb-2016"
    import_csv(tmp_path, "2016.csv", "AT,PRV.SUP.01,,,no\nDE,PRV.SUP.01,,,yes\nCZ,PRV.SUP.01,,,yes\nAT,GEN.R.04,,,en\n")
    import_csv(
        tmp_path,
        "2021.csv",
        "AT,PRV.SUP.01,,,yes\nDE,PRV.SUP.01,,,yes\nCZ,PRV.SUP.01,,,no\nFR,PRV.SUP.01,,,yes\nAT,GEN.R.04,,,fr\n",
        slug="thb-2021",
    )
    import_csv(tmp_path, "2021-open.csv", "IT,PRV.SUP.01,,,no\n", slug="thb-2021", submit=False)
    data = services.report_compute(survey=survey, include_in_progress=False)
    assert data["survey"]["previous"] == "thb-2016"
    changes = {c["question"]: c for c in data["changes"]}
    assert changes["PRV.SUP.01"] == {
        "question": "PRV.SUP.01",
        "previous_yes": 2,
        "current_yes": 3,
        "previous_answered": 3,
        "current_answered": 4,
        "both_states": ["AT", "CZ", "DE"],  # FR answered only now; IT's answer is in progress
    }
    # Only codes of both rounds: PRO.LEG.05 is new in 2020/21.
    assert "PRO.LEG.05" not in changes
    # Questions about the respondent (which State, the language of answering) are no change of practice.
    assert "GEN.R.01" not in changes
    assert "GEN.R.04" not in changes
    assert all(c["question"] != "GEN.R.04" for c in data["state_changes"])  # Austria answered in French this time
    assert data["state_changes"] == [
        {"organisation": "AT", "question": "PRV.SUP.01", "previous": "no", "current": "yes"},
        {"organisation": "CZ", "question": "PRV.SUP.01", "previous": "yes", "current": "no"},
    ]
    # The in-progress answer of Italy counts in the provisional report; the previous round is never provisional.
    provisional = services.report_compute(survey=survey, include_in_progress=True)
    assert {c["question"]: c for c in provisional["changes"]}["PRV.SUP.01"]["current_answered"] == 5
    assert {c["question"]: c for c in provisional["changes"]}["PRV.SUP.01"]["previous_answered"] == 3
