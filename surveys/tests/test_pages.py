"""The public pages: the list of rounds, the printable questionnaire of a round, its languages, and the admin's
question search."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from surveys.models import Question, Survey
from surveys.services import survey_set_status
from tests.otp_helpers import force_login_verified

from .factories import SurveyFactory, definition_text, minimal_definition


def _questionnaire_url(survey: Survey) -> str:
    return reverse("surveys:survey-questionnaire", args=[survey.slug])


def _question_blocks(html: str) -> dict[str, str]:
    """Each question's container in the page, by code (up to the next question's container)."""
    parts = re.split(r'(?=<div class="question card[^"]*" id="q-[^"]+" data-question=")', html)
    blocks = {}
    for part in parts[1:]:
        match = re.search(r'data-question="([^"]+)"', part)
        assert match is not None
        blocks[match.group(1)] = part
    return blocks


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(username="office", password="not-used-0123", is_staff=True)


@pytest.fixture
def thb_2016(load_shipped) -> Survey:
    return survey_set_status(survey=load_shipped("thb-2016"), status=Survey.Status.OPEN)


# --- home -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_lists_open_and_closed_rounds_with_a_link_to_each_questionnaire(client) -> None:
    open_round = SurveyFactory(status=Survey.Status.OPEN, title={"en": "The open round"})
    closed_round = SurveyFactory(status=Survey.Status.CLOSED, title={"en": "The closed round"})
    draft = SurveyFactory(status=Survey.Status.DRAFT, title={"en": "The draft round"})

    html = client.get(reverse("surveys:home")).content.decode()

    for survey in (open_round, closed_round):
        assert f'data-survey="{survey.slug}"' in html
        assert survey.title["en"] in html
        assert f'href="{_questionnaire_url(survey)}"' in html
    assert f'data-survey="{draft.slug}"' not in html
    assert "The draft round" not in html


@pytest.mark.django_db
def test_home_says_so_when_no_round_is_published(client) -> None:
    SurveyFactory(status=Survey.Status.DRAFT)

    response = client.get(reverse("surveys:home"))

    assert "No survey round has been published yet." in response.content.decode()


@pytest.mark.django_db
def test_staff_see_draft_rounds_on_the_home_page(client, staff_user) -> None:
    draft = SurveyFactory(status=Survey.Status.DRAFT)
    force_login_verified(client, staff_user)

    html = client.get(reverse("surveys:home")).content.decode()

    assert f'data-survey="{draft.slug}"' in html
    assert f'href="{_questionnaire_url(draft)}"' in html


# --- questionnaire ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_draft_questionnaire_is_hidden_from_anonymous_users_and_shown_to_staff(client, staff_user) -> None:
    draft = SurveyFactory(status=Survey.Status.DRAFT, title={"en": "Work in progress"})

    hidden = client.get(_questionnaire_url(draft))
    force_login_verified(client, staff_user)
    shown = client.get(_questionnaire_url(draft))

    assert hidden.status_code == 404
    assert shown.status_code == 200
    assert "Work in progress" in shown.content.decode()


@pytest.mark.django_db
def test_an_unknown_round_is_not_found(client) -> None:
    assert client.get(reverse("surveys:survey-questionnaire", args=["thb-1999"])).status_code == 404


@pytest.mark.django_db
def test_the_questionnaire_shows_every_question_of_thb_2016_in_order(client, thb_2016: Survey) -> None:
    response = client.get(_questionnaire_url(thb_2016))

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<h1 class="h2">{escape(thb_2016.title["en"])}</h1>' in html
    codes = list(Question.objects.filter(survey=thb_2016).values_list("code", flat=True))
    assert re.findall(r'data-question="([^"]+)"', html) == codes
    assert len(codes) >= 60
    assert "INVALID_TEMPLATE_VARIABLE" not in html


@pytest.mark.django_db
def test_the_questionnaire_shows_options_matrix_rows_and_commitments_of_each_question(client, thb_2016: Survey) -> None:
    html = client.get(_questionnaire_url(thb_2016)).content.decode()
    blocks = _question_blocks(html)

    questions = Question.objects.filter(survey=thb_2016).select_related("option_set")
    checked = {"options": 0, "rows": 0, "commitments": 0}
    for question in questions.prefetch_related("option_set__options"):
        block = blocks[question.code]
        assert question.code in block
        assert escape(question.text["en"]) in block
        for option in question.options_list():
            assert escape(option.label["en"]) in block, f"{question.code}: option {option.code} missing"
            checked["options"] += 1
        for row in question.rows:
            assert f"{escape(row['label']['en'])} <span" in block, f"{question.code}: row {row['code']} missing"
            checked["rows"] += 1
        if question.commitments:
            assert f"Commitments: {escape('; '.join(question.commitments))}" in block
            checked["commitments"] += 1
    assert all(checked.values()), checked


@pytest.mark.django_db
def test_the_matrix_pro_leg_04_is_a_table_with_one_line_per_row(client, thb_2016: Survey) -> None:
    block = _question_blocks(client.get(_questionnaire_url(thb_2016)).content.decode())["PRO.LEG.04"]

    assert "<table" in block
    body = block[block.index("<tbody>") : block.index("</tbody>")]
    assert body.count('<th scope="row">') == 2
    assert "sexual_exploitation" in body
    assert "labour_exploitation" in body
    assert body.count("<td") == 2 * 5  # one cell per row and YNP option


@pytest.mark.django_db
def test_the_questionnaire_lists_the_commitments_and_each_area_names_its_own(client, thb_2016: Survey) -> None:
    html = client.get(_questionnaire_url(thb_2016)).content.decode()

    listed = html[html.index("data-commitments") : html.index('data-area="')]
    assert listed.count("data-commitment=") == len(thb_2016.commitments)
    assert (
        'AP2003.IV</span> Prevention of trafficking in human beings <span class="text-body-secondary">— OSCE Action Plan to '
        "Combat Trafficking in Human Beings (PC.DEC/557, 2003), ch. IV</span>" in listed
    )
    for area in thb_2016.areas.all():
        codes = [c["code"] for c in thb_2016.commitments if c["area"] == area.code]
        section = html[html.index(f'data-area="{area.code}"') :]
        heading = section[: section.index("data-section=")]
        if codes:
            assert f"Commitments: {escape('; '.join(codes))}" in heading
        else:
            assert "Commitments:" not in heading


@pytest.mark.django_db
def test_choosing_french_shows_the_french_area_titles(client, thb_2016: Survey) -> None:
    url = _questionnaire_url(thb_2016)

    switched = client.post(reverse("set_language"), {"language": "fr", "next": url})
    html = client.get(url).content.decode()

    assert switched.status_code == 302
    assert '<html lang="fr">' in html
    french = [area for area in thb_2016.areas.all() if "fr" in area.title]
    assert french
    for area in french:
        assert f'<span class="question-code">{area.code}</span> {escape(area.title["fr"])}</h2>' in html
    assert f'<h1 class="h2">{escape(thb_2016.title["fr"])}</h1>' in html


@pytest.mark.django_db
def test_the_browsers_language_chooses_the_texts_and_english_fills_the_gaps(client, thb_2016: Survey) -> None:
    html = client.get(_questionnaire_url(thb_2016), headers={"accept-language": "fr"}).content.decode()
    blocks = _question_blocks(html)

    question = thb_2016.questions.get(code="PRO.LEG.01")
    assert escape(question.text["fr"]) in blocks["PRO.LEG.01"]
    assert escape(question.help_text["fr"]) in blocks["PRO.LEG.01"]
    english = client.get(_questionnaire_url(thb_2016), headers={"accept-language": "en"}).content.decode()
    assert escape(question.text["fr"]) not in english

    # A text without the reader's language falls back to English.
    question.help_text = {"en": question.help_text["en"]}
    question.save(update_fields=["help_text"])
    html = client.get(_questionnaire_url(thb_2016), headers={"accept-language": "fr"}).content.decode()
    assert escape(question.help_text["en"]) in _question_blocks(html)["PRO.LEG.01"]


@pytest.mark.django_db
def test_the_questionnaire_needs_as_many_queries_for_60_questions_as_for_3(client, load_text, thb_2016: Survey) -> None:
    data = minimal_definition()
    data["survey"]["slug"] = "thb-2098"
    data["areas"][0]["sections"][0]["items"] = data["areas"][0]["sections"][0]["items"][:3]
    load_text(definition_text(data))
    small = survey_set_status(survey=Survey.objects.get(slug="thb-2098"), status=Survey.Status.OPEN)
    assert small.questions.count() == 3
    assert thb_2016.questions.count() >= 60

    with CaptureQueriesContext(connection) as few:
        assert client.get(_questionnaire_url(small)).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get(_questionnaire_url(thb_2016)).status_code == 200

    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 6


# --- admin --------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_finds_a_question_by_its_code(admin_client, thb_2016: Survey) -> None:
    response = admin_client.get(reverse("admin:surveys_question_changelist"), {"q": "PRV.SUP.01"})

    html = response.content.decode()
    assert response.status_code == 200
    question = thb_2016.questions.get(code="PRV.SUP.01")
    assert reverse("admin:surveys_question_change", args=[question.pk]) in html
    assert list(response.context["cl"].result_list) == [question]
    assert ">PRO.LEG.01<" not in html
