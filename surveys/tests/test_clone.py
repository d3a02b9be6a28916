"""Cloning a round: the service, the clone_survey command and the admin's clone view all start a draft round with
the same codes whose previous round is the source, refuse a slug that is taken, and leave the source alone."""

from __future__ import annotations

import pytest
from django.core.management import CommandError
from django.db.models import RestrictedError
from django.urls import reverse

from surveys.definitions import DefinitionError
from surveys.models import Option, OptionSet, Question, Survey
from surveys.services import survey_clone, survey_export_definition, survey_export_text, survey_set_status
from tests.otp_helpers import force_login_verified

from .factories import MINIMAL_DEFINITION


@pytest.fixture
def source(load_shipped) -> Survey:
    survey = load_shipped("thb-2016")
    return survey_set_status(survey=survey, status=Survey.Status.OPEN)


@pytest.fixture
def staff_superuser(django_user_model):
    return django_user_model.objects.create_user(
        username="office", email="office@example.org", password="not-used-0123", is_staff=True, is_superuser=True
    )


def _question_codes(survey: Survey) -> list[str]:
    return list(Question.objects.filter(survey=survey).values_list("code", flat=True))


def _option_codes(survey: Survey) -> dict[str, list[str]]:
    return {
        option_set.code: list(option_set.options.values_list("code", flat=True))
        for option_set in OptionSet.objects.filter(survey=survey).prefetch_related("options")
    }


def _source_state(survey: Survey) -> tuple[str, object, int]:
    survey.refresh_from_db()
    return (
        survey_export_text(survey=survey),
        survey.updated_at,
        Option.objects.filter(option_set__survey=survey).count(),
    )


def _assert_is_a_clone_of(clone: Survey, source: Survey) -> None:
    assert clone.status == Survey.Status.DRAFT
    assert clone.previous == source
    assert (clone.opens_on, clone.closes_on) == (None, None)
    assert _question_codes(clone) == _question_codes(source)
    assert _option_codes(clone) == _option_codes(source)
    # Everything but the round's own description is the same: areas, sections, texts, rows, dimensions, show_if.
    clone_definition, source_definition = (
        survey_export_definition(survey=clone),
        survey_export_definition(survey=source),
    )
    assert clone_definition["areas"] == source_definition["areas"]
    assert clone_definition["option_sets"] == source_definition["option_sets"]


@pytest.mark.django_db
def test_the_clone_service_starts_a_draft_round_with_the_same_codes(source: Survey) -> None:
    before = _source_state(source)

    clone = survey_clone(source=source, slug="thb-2026", title={"en": "2025/26 round"})

    _assert_is_a_clone_of(clone, source)
    assert clone.title == {"en": "2025/26 round"}
    assert (clone.reference_start, clone.reference_end) == (source.reference_start, source.reference_end)
    assert _source_state(source) == before
    assert Survey.objects.get(pk=source.pk).status == Survey.Status.OPEN


@pytest.mark.django_db
def test_a_clone_without_a_title_keeps_the_sources_translated_titles(source: Survey) -> None:
    clone = survey_clone(source=source, slug="thb-2026")

    assert clone.title == source.title
    assert set(clone.title) >= {"en", "fr"}


@pytest.mark.django_db
def test_the_clone_service_refuses_a_slug_that_is_taken(source: Survey, load_text) -> None:
    load_text(MINIMAL_DEFINITION)  # thb-2099
    before = _source_state(source)
    counts = Survey.objects.count(), Question.objects.count()

    with pytest.raises(DefinitionError) as info:
        survey_clone(source=source, slug="thb-2099")

    assert [str(p) for p in info.value.problems] == ["slug: a round 'thb-2099' exists already"]
    assert (Survey.objects.count(), Question.objects.count()) == counts
    assert _source_state(source) == before


@pytest.mark.django_db
def test_the_clone_service_refuses_an_invalid_slug_with_the_rule(source: Survey) -> None:
    with pytest.raises(DefinitionError) as info:
        survey_clone(source=source, slug="THB 2026")

    assert [p.path for p in info.value.problems] == ["survey.slug"]
    assert "lowercase letters, digits and hyphens" in info.value.problems[0].message
    assert not Survey.objects.filter(slug__iexact="THB 2026").exists()


@pytest.mark.django_db
def test_the_clone_command_creates_the_draft_and_says_so(source: Survey, run_command) -> None:
    before = _source_state(source)

    output = run_command("clone_survey", "thb-2016", "thb-2026", "--title", "2025/26 round")

    clone = Survey.objects.get(slug="thb-2026")
    _assert_is_a_clone_of(clone, source)
    assert clone.title == {"en": "2025/26 round"}
    assert output.stdout.strip() == (
        f"thb-2026: created from thb-2016 (questions: {source.questions.count()}), status draft"
    )
    assert _source_state(source) == before


@pytest.mark.django_db
def test_the_clone_command_refuses_a_taken_slug_with_a_clear_message(source: Survey, run_command) -> None:
    before = _source_state(source)

    with pytest.raises(CommandError, match=r"^slug: a round 'thb-2016' exists already$"):
        run_command("clone_survey", "thb-2016", "thb-2016")

    assert Survey.objects.count() == 1
    assert _source_state(source) == before


@pytest.mark.django_db
def test_the_clone_command_names_an_unknown_source(run_command) -> None:
    with pytest.raises(CommandError, match=r"^no round 'thb-1999'$"):
        run_command("clone_survey", "thb-1999", "thb-2026")

    assert not Survey.objects.exists()


@pytest.mark.django_db
def test_staff_clone_a_round_from_the_admin(source: Survey, client, staff_superuser) -> None:
    force_login_verified(client, staff_superuser)
    url = reverse("admin:surveys_survey_clone", args=[source.pk])
    before = _source_state(source)

    form_page = client.get(url)
    response = client.post(url, {"slug": "thb-2026", "title": "2025/26 round"}, follow=True)

    assert form_page.status_code == 200
    assert form_page.context["form"].initial["title"] == source.title["en"]
    clone = Survey.objects.get(slug="thb-2026")
    assert response.redirect_chain == [(reverse("admin:surveys_survey_change", args=[clone.pk]), 302)]
    assert "Round thb-2026 created from thb-2016." in [str(m) for m in response.context["messages"]]
    _assert_is_a_clone_of(clone, source)
    assert clone.title == {"en": "2025/26 round"}
    assert _source_state(source) == before


@pytest.mark.django_db
def test_the_admin_clone_form_refuses_a_taken_slug(source: Survey, client, staff_superuser) -> None:
    force_login_verified(client, staff_superuser)
    before = _source_state(source)

    response = client.post(
        reverse("admin:surveys_survey_clone", args=[source.pk]), {"slug": "thb-2016", "title": "Again"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"slug": ["A round with this slug exists already."]}
    assert "A round with this slug exists already." in response.content.decode()
    assert Survey.objects.count() == 1
    assert _source_state(source) == before


@pytest.mark.django_db
def test_the_admin_clone_action_leads_to_the_clone_form(source: Survey, client, staff_superuser) -> None:
    force_login_verified(client, staff_superuser)

    response = client.post(
        reverse("admin:surveys_survey_changelist"), {"action": "clone_round", "_selected_action": [source.pk]}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:surveys_survey_clone", args=[source.pk])


@pytest.mark.django_db
def test_staff_without_the_add_permission_cannot_clone(source: Survey, client, django_user_model) -> None:
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user(username="viewer", password="not-used-0123", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_survey"))
    force_login_verified(client, viewer)

    response = client.post(
        reverse("admin:surveys_survey_clone", args=[source.pk]), {"slug": "thb-2026", "title": "Nope"}
    )

    assert response.status_code == 403
    assert not Survey.objects.filter(slug="thb-2026").exists()


@pytest.mark.django_db
def test_a_clone_made_by_mistake_can_be_deleted_with_its_questions(source: Survey) -> None:
    clone = survey_clone(source=source, slug="thb-2026")
    before = _source_state(source)

    clone.delete()

    assert not Survey.objects.filter(slug="thb-2026").exists()
    assert not Question.objects.filter(survey__slug="thb-2026").exists()
    assert _source_state(source) == before


@pytest.mark.django_db
def test_an_option_set_that_questions_use_cannot_be_deleted_on_its_own(source: Survey) -> None:
    option_set = OptionSet.objects.get(survey=source, code="YNP")

    with pytest.raises(RestrictedError):
        option_set.delete()

    assert OptionSet.objects.filter(pk=option_set.pk).exists()
