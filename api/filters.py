"""The filters of the API's lists (django-filter): each by code, as people know the things (round slug,
organisation code, question code), never by database id. A value that is not one of a filter's choices answers 400
naming the filter and the choices.

Their descriptions are in English, as the rest of the OpenAPI schema (field names, codes): the schema is the API's
technical contract, read by the people who write queries against it."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import QuerySet

from accounts.models import Organisation
from responses.models import Answer, Response
from surveys.models import Question, RespondentKind, Survey


class RoundFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Survey.Status.choices, help_text="Only rounds with this status.")

    class Meta:
        model = Survey
        fields = ["status"]


class QuestionFilter(filters.FilterSet):
    round = filters.CharFilter(field_name="survey__slug", help_text="Only the questions of this round (its slug).")
    kind = filters.ChoiceFilter(
        choices=RespondentKind.choices,
        method="asked_of",
        help_text="Only the questions this kind of respondent is asked (state or ngo).",
    )
    area = filters.CharFilter(field_name="section__area__code", help_text="Only the questions of this area (its code).")
    scored = filters.BooleanFilter(help_text="Only questions that count (true) or do not count (false) towards scores.")

    class Meta:
        model = Question
        fields = ["round", "kind", "area", "scored"]

    def asked_of(self, queryset: QuerySet[Question], name: str, value: Any) -> QuerySet[Question]:
        return queryset.filter(audience__in=Question.audiences_for(value))


class OrganisationFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Organisation.Kind.choices, help_text="Only organisations of this kind.")
    country = filters.CharFilter(
        field_name="country__code", help_text="Only the NGOs working in this participating State (its code)."
    )

    class Meta:
        model = Organisation
        fields = ["kind", "country"]


class ResponseFilter(filters.FilterSet):
    round = filters.CharFilter(field_name="survey__slug", help_text="Only the responses to this round (its slug).")
    organisation = filters.CharFilter(
        field_name="organisation__code", help_text="Only the responses of this organisation (its code)."
    )
    status = filters.MultipleChoiceFilter(
        choices=Response.Status.choices, help_text="Only responses with this status (repeat for several)."
    )
    kind = filters.ChoiceFilter(
        field_name="organisation__kind",
        choices=Organisation.Kind.choices,
        help_text="Only the responses of this kind of organisation.",
    )

    class Meta:
        model = Response
        fields = ["round", "organisation", "status", "kind"]


class AnswerFilter(filters.FilterSet):
    round = filters.CharFilter(
        field_name="response__survey__slug", help_text="Only the answers to this round (its slug)."
    )
    organisation = filters.CharFilter(
        field_name="response__organisation__code", help_text="Only the answers of this organisation (its code)."
    )
    question = filters.CharFilter(
        field_name="question__code", help_text="Only the answers to this question (its code)."
    )
    status = filters.MultipleChoiceFilter(
        field_name="response__status",
        choices=Response.Status.choices,
        help_text="Only the answers of responses with this status (repeat for several).",
    )
    kind = filters.ChoiceFilter(
        field_name="response__organisation__kind",
        choices=Organisation.Kind.choices,
        help_text="Only the answers of this kind of organisation.",
    )

    class Meta:
        model = Answer
        fields = ["round", "organisation", "question", "status", "kind"]
