"""Staff pages in words: the victims table (PRT.DATA.01) grouped and totalled instead of one line per cell, options,
fields and years by their labels on the question and country pages, statuses in words on the status board."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Organisation
from responses.models import Response
from responses.services import answers_save, response_get_or_create
from surveys.models import Survey

from . import test_dashboards as base
from .test_dashboards import SLUG, build, org, question

# The dashboards tests' round, answers and Office staff, shared as fixtures.
survey, ngo, answered, staff, staff_client = base.survey, base.ngo, base.answered, base.staff, base.staff_client

TABLE = "PRT.DATA.01"
AT_FIGURES = {
    ("2012.female.adult.sexual_exploitation", "national"): 5,
    ("2012.female.adult.sexual_exploitation", "foreign"): 7,
    ("2013.male.child.domestic_servitude", "foreign"): 3,
}
DE_FIGURES = {("2012.female.adult.sexual_exploitation", "national"): 10}


def save(survey: Survey, organisation: Organisation, code: str, raw: dict[tuple[str, str], Any]) -> None:
    response = response_get_or_create(survey=survey, organisation=organisation)
    outcome = answers_save(response=response, question=question(survey, code), raw=raw, base_versions=None, user=None)
    assert outcome.ok, outcome


@pytest.fixture
def worded(answered: Survey, django_capture_on_commit_callbacks: Callable[..., Any]) -> Survey:
    """AT (submitted) and DE (accepted) gave figures in the victims table; AT answered a multiple choice and the
    plan question (several fields); a report is built."""
    Response.objects.filter(survey=answered).update(status=Response.Status.IN_PROGRESS)
    save(answered, org("AT"), TABLE, AT_FIGURES)
    save(answered, org("DE"), TABLE, DE_FIGURES)
    save(answered, org("AT"), "PRO.LEG.02", {("", ""): ["sexual_exploitation", "forced_begging"]})
    save(answered, org("AT"), "PAR.NAT.03", {("in_force", ""): "in_process", ("start_year", ""): 2010})
    save(answered, org("AT"), "GEN.R.03", {("start", ""): 2012, ("end", ""): 2014})
    Response.objects.filter(survey=answered, organisation__code__in=["AT", "ngo-at-one"]).update(
        status=Response.Status.SUBMITTED
    )
    Response.objects.filter(survey=answered, organisation__code="DE").update(status=Response.Status.ACCEPTED)
    Response.objects.filter(survey=answered, organisation__code="FR").update(status=Response.Status.RESUBMITTED)
    Response.objects.filter(survey=answered, organisation__code="IT").update(status=Response.Status.IN_PROGRESS)
    Response.objects.filter(survey=answered, organisation__code="PL").update(status=Response.Status.RETURNED)
    build(answered, django_capture_on_commit_callbacks)
    return answered


def page(client: Client, name: str, *args: str) -> str:
    result = client.get(reverse(name, args=[SLUG, *args]))
    assert result.status_code == 200
    return htmllib.unescape(result.content.decode())


def line(html: str, group: str, code: str) -> list[str]:
    found = re.search(rf'data-breakdown-line="{group}:{code}">(.*?)</tr>', html, re.S)
    assert found, (group, code)
    return re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", found.group(1))


def test_the_victims_table_is_grouped_by_year_and_totalled_by_sex_age_form_and_citizenship(
    worded: Survey, staff_client: Client
) -> None:
    html = page(staff_client, "reports:dashboard-question", TABLE)
    assert "2012.female" not in html
    assert "2013.male.child.domestic_servitude" not in html
    assert "PRT.DATA.01" in html  # the code stays as the reference
    breakdown = html[html.index("data-breakdowns") :]
    # Years are the columns, then the total; each line: label, 2012, 2013, 2014, total.
    assert re.search(r"<th[^>]*>Year</th><th[^>]*>2012</th><th[^>]*>2013</th><th[^>]*>2014</th>", breakdown)
    assert line(breakdown, "sex", "female") == ["Female", "22", "—", "—", "22"]
    assert line(breakdown, "sex", "male") == ["Male", "—", "3", "—", "3"]
    assert line(breakdown, "age", "child")[0] == "Children (under 18)"
    assert line(breakdown, "form", "domestic_servitude") == ["Domestic servitude", "—", "3", "—", "3"]
    assert line(breakdown, "citizenship", "foreign") == ["Foreign nationals", "7", "3", "—", "10"]
    for title in ("Sex", "Age group", "Form of exploitation", "Citizenship"):
        assert f">{title}</th>" in breakdown
    assert re.search(r"data-total>25<", breakdown)
    for group in ("sex", "age", "form", "citizenship"):  # every group adds up to the same total
        block = re.search(rf'data-breakdown-group="{group}">(.*?)</tbody>', breakdown, re.S)
        assert block
        subtotals = re.findall(r"data-subtotal>([\d—]+)<", block.group(1))
        assert sum(int(s) for s in subtotals if s != "—") == 25, group
    # Each State's own figures in a few words, not 360 cells.
    at_line = re.search(r'<tr data-organisation="AT">(.*?)</tr>', html, re.S)
    assert at_line
    assert "Total:</span> 15" in at_line.group(1)
    assert "2013:</span> 3" in at_line.group(1)


def test_several_fields_and_year_ranges_are_named_by_their_labels(worded: Survey, staff_client: Client) -> None:
    plan = page(staff_client, "reports:dashboard-question", "PAR.NAT.03")
    assert "Is a plan or strategy in force?" in plan
    assert "In process (being prepared or adopted)" in plan
    assert "First year the plan covers:</span> 2010" in plan
    assert "in_force" not in re.sub(r'(data-[a-z-]+|id)="[^"]*"', "", plan)
    assert "in_process" not in re.sub(r'(data-[a-z-]+|id)="[^"]*"|"codes": \[[^]]*\]', "", plan)
    years = page(staff_client, "reports:dashboard-question", "GEN.R.03")
    assert "First year:</span> 2012" in years
    assert "Last year:</span> 2014" in years


def test_the_country_page_shows_labels_and_the_grouped_table(worded: Survey, staff_client: Client) -> None:
    html = page(staff_client, "reports:dashboard-country", "AT")
    assert "2012.female" not in html
    start = html.index(f'<tr data-answer-question="{TABLE}">')
    table = html[start : html.index("</table>\n</div>", start)]
    assert re.search(r"data-total>15<", table)
    assert line(table, "citizenship", "national") == ["Nationals", "5", "—", "—", "5"]
    multi = re.search(r'<tr data-answer-question="PRO.LEG.02">(.*?)</tr>', html, re.S)
    assert multi
    assert "Sexual exploitation; Forced begging" in multi.group(1)
    plan = re.search(r'<tr data-answer-question="PAR.NAT.03">(.*?)</tr>', html, re.S)
    assert plan
    assert "Is a plan or strategy in force?: In process (being prepared or adopted)" in plan.group(1)
    assert "Response status:" in html
    assert ">Submitted</span>" in html


def test_the_status_board_shows_statuses_in_words(worded: Survey, staff_client: Client) -> None:
    html = page(staff_client, "reports:dashboard-round")
    italy = re.search(r'<tr data-state="IT" data-status="in_progress">(.*?)</tr>', html, re.S)
    assert italy
    assert ">In progress</span>" in italy.group(1)
    poland = re.search(r'<tr data-state="PL" data-status="returned">(.*?)</tr>', html, re.S)
    assert poland
    assert ">Returned for changes</span>" in poland.group(1)
    visible = re.sub(r'(data-[a-z-]+|value|name|id|for|href|class)="[^"]*"|<script.*?</script>', "", html, flags=re.S)
    for code in ("in_progress", "not_started", "resubmitted"):
        assert code not in visible, code
    assert '<option value="in_progress">In progress</option>' in html
