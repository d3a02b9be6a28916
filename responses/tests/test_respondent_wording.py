"""What the response pages say to whom: the round by its title and sections by their titles (never only codes),
buttons and notices that depend on the reader's role and the response's status, the Office's comment on the card of a
returned response, and sections without a required question."""

from __future__ import annotations

import datetime as dt
import html as html_module
import re
from typing import Any

import pytest
from django.utils import timezone

from responses.models import Response
from responses.selectors import progress_of, survey_structure
from tests.otp_helpers import force_login_verified

from .conftest import People

HOME = "/rounds/thb-2016/respond/AT/"
TITLE = "OSCE survey on implementing anti-trafficking commitments, 2015/16 round"
SUBMITTED_AT = dt.datetime(2026, 12, 2, 7, 31, tzinfo=dt.UTC)


def visible_text(html: str) -> str:
    """The page as people read it (and its <title>): without tags, so without URLs and data-* attributes."""
    html = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S)
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def get(client: Any, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, url
    return page.content.decode()


def set_status(response: Response, status: str, people: People, **extra: Any) -> None:
    Response.objects.filter(pk=response.pk).update(
        status=status, submitted_at=SUBMITTED_AT, submitted_by=people.coordinator, **extra
    )


def review_links(page: str) -> list[str]:
    return [visible_text(found).strip() for found in re.findall(r"<a [^>]*data-review-link[^>]*>(.*?)</a>", page, re.S)]


def review_link(page: str) -> str:
    found = review_links(page)
    return found[0] if found else ""


# --- 2. words, not codes -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "section/GEN.R/", "section/PRO.LEG/", "review/", "answers/"])
def test_respondents_read_the_rounds_title_never_its_code(client, response_at, people: People, path: str) -> None:
    client.force_login(people.coordinator)
    page = get(client, HOME + path)
    assert "thb-2016" not in visible_text(page)
    title = re.search(r"<title>(.*?)</title>", page, flags=re.S)
    assert title is not None
    assert "thb-2016" not in title.group(1)
    assert 'href="/rounds/thb-2016/respond/AT/"' in page  # the addresses (contracts) stay as they are


def test_the_breadcrumb_and_the_page_title_name_the_organisation_and_the_round(client, response_at, people) -> None:
    client.force_login(people.coordinator)
    page = get(client, HOME)
    crumb = page[page.index('class="breadcrumb"') :][:800]
    assert f"Austria · {TITLE}" in visible_text(crumb)
    assert f"<title>Austria · {TITLE}" in page


def test_previous_and_next_section_buttons_name_the_sections(client, response_at, people) -> None:
    client.force_login(people.coordinator)
    page = get(client, HOME + "section/PRO.LEG/")
    previous = re.search(r'<a [^>]*data-previous-section="GEN.R"[^>]*>(.*?)</a>', page, flags=re.S)
    assert previous is not None
    assert visible_text(previous.group(1)).strip() == "← Previous section: Who is answering and for which period"
    assert "<title>Criminal law on trafficking · Austria" in page
    client.force_login(people.viewer)  # who cannot edit gets a link to the next section instead of "Save and continue"
    page = get(client, HOME + "section/PRO.LEG/")
    following = re.search(r'<a [^>]*data-next-section="PRO.ENF"[^>]*>(.*?)</a>', page, flags=re.S)
    assert following is not None
    assert visible_text(following.group(1)).strip() == "Next section: Police work and investigations →"


# --- 3. what the response home says to whom -------------------------------------------------------------------------


def test_the_coordinator_is_offered_review_and_submit_everyone_else_the_missing_answers(
    client, response_at, people: People
) -> None:
    client.force_login(people.coordinator)
    assert review_link(get(client, HOME)) == "Review and submit"
    # The last section twice (under its progress bar and at its end), every other section under its progress bar.
    assert review_links(get(client, HOME + "section/PAR.INT/")) == ["Review and submit"] * 2
    assert review_links(get(client, HOME + "section/PAR.NAT/")) == ["Review and submit"]
    for person in (people.contributor, people.viewer, people.staff):
        force_login_verified(client, person)
        page = get(client, HOME)
        assert review_link(page) == "Missing answers", person
        assert "Review and submit" not in page
        assert review_links(get(client, HOME + "section/PAR.INT/")) == ["Missing answers"] * 2
        assert review_links(get(client, HOME + "section/PAR.NAT/")) == ["Missing answers"]


def test_after_submitting_the_coordinator_reads_when_and_by_whom_and_no_days_left(
    client, response_at, people: People
) -> None:
    response_at.survey.closes_on = timezone.localdate() + dt.timedelta(days=45)
    response_at.survey.save(update_fields=["closes_on"])
    client.force_login(people.coordinator)
    assert "days left" in visible_text(get(client, HOME))
    set_status(response_at, Response.Status.SUBMITTED, people)

    page = get(client, HOME)
    text = visible_text(page)
    assert f"Submitted on 2 December 2026 by {people.coordinator.email}." in text
    assert "The Office will tell you by e-mail" in text
    assert "days left" not in text
    assert "data-deadline" not in page
    assert review_link(page) == ""  # nothing left to review before submitting
    assert "Review before submitting" not in text
    assert "All our answers" in text  # what was sent stays readable


def test_office_staff_are_not_told_what_the_office_will_do(client, response_at, people: People) -> None:
    set_status(response_at, Response.Status.SUBMITTED, people)
    force_login_verified(client, people.staff)
    text = visible_text(get(client, HOME))
    assert f"Submitted on 2 December 2026 by {people.coordinator.email}." in text
    assert "The Office may return it to you" not in text
    assert "tell you by e-mail" not in text
    assert "The Office has not decided yet" in text
    assert "Review and submit" not in text


def test_an_accepted_response_says_so_with_its_date_and_no_days_left(client, response_at, people: People) -> None:
    response_at.survey.closes_on = timezone.localdate() + dt.timedelta(days=45)
    response_at.survey.save(update_fields=["closes_on"])
    set_status(response_at, Response.Status.ACCEPTED, people, accepted_at=dt.datetime(2026, 12, 9, 9, tzinfo=dt.UTC))
    client.force_login(people.coordinator)
    text = visible_text(get(client, HOME))
    assert "Accepted by the Office on 9 December 2026." in text
    assert "days left" not in text
    assert "Review" not in text


# --- 4. (in test_prefill.py) 5. the Office's comment on the card ----------------------------------------------------


def test_the_card_of_a_returned_response_shows_the_offices_comment(client, response_at, people: People) -> None:
    Response.objects.filter(pk=response_at.pk).update(
        status=Response.Status.RETURNED, staff_comment="Please check PRT.DATA.01: the 2014 figures seem incomplete."
    )
    client.force_login(people.coordinator)
    page = get(client, "/my/")
    card = page[page.index('data-card="thb-2016:AT"') :][:3000]
    assert "Returned for changes" in card
    assert "Please check PRT.DATA.01: the 2014 figures seem incomplete." in visible_text(card)
    assert "Read the whole comment" not in card  # short: shown whole


def test_a_long_comment_is_cut_on_the_card_with_a_link_to_the_round_home(client, response_at, people: People) -> None:
    comment = "Please check the figures of every year. " * 20 + "THE END"
    Response.objects.filter(pk=response_at.pk).update(status=Response.Status.RETURNED, staff_comment=comment)
    client.force_login(people.coordinator)
    page = get(client, "/my/")
    card = page[page.index('data-card="thb-2016:AT"') :][:4000]
    box = card[card.index("data-card-comment") :][:1500]
    assert "Please check the figures of every year." in box
    assert "THE END" not in box
    assert f'<a href="{HOME}">Read the whole comment' in box
    assert "THE END" in get(client, HOME)  # the round home shows it whole


# --- 6. sections without a required question ------------------------------------------------------------------------


def test_a_section_without_required_questions_says_so_instead_of_an_empty_bar(
    client, round2016, people: People
) -> None:
    areas = survey_structure(round2016, "ngo")
    optional = [s.section.code for _a, sections in progress_of(areas, {}, {}).areas for s in sections if not s.required]
    assert optional, "the 2015/16 round has a section without required questions for NGOs"
    client.force_login(people.ngo_coordinator)
    page = get(client, "/rounds/thb-2016/respond/ngo-at-test/")
    for code in optional:
        item = page[page.index(f'data-section="{code}"') :]
        item = item[: item.index("</a>")]
        assert "No required questions" in item
        assert "0 / 0" not in item
        assert 'role="progressbar"' not in item
    required = next(s for _a, sections in progress_of(areas, {}, {}).areas for s in sections if s.required)
    item = page[page.index(f'data-section="{required.section.code}"') :]
    assert f"0 / {required.required}" in item[: item.index("</a>")]


def test_the_card_of_a_submitted_response_says_when_instead_of_the_days_left(
    client, response_at, people: People
) -> None:
    response_at.survey.closes_on = timezone.localdate() + dt.timedelta(days=45)
    response_at.survey.save(update_fields=["closes_on"])
    set_status(response_at, Response.Status.SUBMITTED, people)
    client.force_login(people.coordinator)
    page = get(client, "/my/")
    card = visible_text(page[page.index('data-card="thb-2016:AT"') :][:3000])
    assert "Submitted on 2 December 2026" in card
    assert "days left" not in card
