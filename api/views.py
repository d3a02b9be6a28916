"""The read-only API for BI tools (/api/v1/): lists of rounds, questions, organisations, responses and answers, and
the stored report of a round. Who sees what is the one access policy's answer (responses/access.py): staff see
everything; a coordinator's token sees the rounds that are not drafts, their own organisations, and only their
organisations' responses and answers; reports are the Office's.

`?lang=en|fr|de|it|ru|es` chooses the language of every label and sentence (default: the request's language).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from responses.access import AccessPolicy

from . import filters, serializers
from .selectors import (
    api_answers,
    api_organisations,
    api_questions,
    api_report,
    api_responses,
    api_rounds,
    hidden_answers,
    questions_by_id,
)

LANGUAGES = [code for code, _name in settings.LANGUAGES]
LANG = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    enum=LANGUAGES,
    description="Language of the labels and sentences (default: the request's Accept-Language, else English)",
)


class LanguageMixin:
    """`?lang=` activates that language for the request; anything else than the six answers 400 naming them."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        lang = request.query_params.get("lang")
        if lang is None:
            return
        if lang not in LANGUAGES:
            raise ValidationError(
                {
                    "lang": [
                        _("“%(value)s” is not a language of the site; choose one of: %(choices)s.")
                        % {"value": lang, "choices": ", ".join(LANGUAGES)}
                    ]
                }
            )
        # Given back in finalize_response: the language must not outlive the request on the thread.
        self._outer_language = translation.get_language()
        translation.activate(lang)
        request.LANGUAGE_CODE = lang

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        outer = getattr(self, "_outer_language", None)
        if outer is not None:
            response.headers["Content-Language"] = translation.get_language()
            translation.activate(outer)
        return response

    def policy(self) -> AccessPolicy:
        return AccessPolicy.for_request(self.request)  # type: ignore[attr-defined]


@extend_schema(parameters=[LANG], tags=["rounds"])
class RoundList(LanguageMixin, generics.ListAPIView):
    """Survey rounds (drafts only for staff), each with its areas."""

    serializer_class = serializers.Round
    filterset_class = filters.RoundFilter

    def get_queryset(self) -> Any:
        return api_rounds(policy=self.policy())


@extend_schema(parameters=[LANG], tags=["questions"])
class QuestionList(LanguageMixin, generics.ListAPIView):
    """Questions of the rounds, with their text, options and rows in the requested language."""

    serializer_class = serializers.Question
    filterset_class = filters.QuestionFilter

    def get_queryset(self) -> Any:
        return api_questions(policy=self.policy())


@extend_schema(parameters=[LANG], tags=["organisations"])
class OrganisationList(LanguageMixin, generics.ListAPIView):
    """Organisations: all of them for staff, one's own for a coordinator."""

    serializer_class = serializers.Organisation
    filterset_class = filters.OrganisationFilter

    def get_queryset(self) -> Any:
        return api_organisations(policy=self.policy())


@extend_schema(parameters=[LANG], tags=["responses"])
class ResponseList(LanguageMixin, generics.ListAPIView):
    """Responses with their status: every organisation's for staff, one's own organisations' for a coordinator."""

    serializer_class = serializers.Response
    filterset_class = filters.ResponseFilter

    def get_queryset(self) -> Any:
        return api_responses(policy=self.policy())


@extend_schema(parameters=[LANG], tags=["answers"])
class AnswerList(LanguageMixin, generics.ListAPIView):
    """Answers in long form: one row per answer cell (organisation, question, row, column, value, value label).
    An answer to a question that the organisation's own answers hide (show-if) is left out, as in the report and the
    raw data; a page may then hold fewer rows than page_size, and `next` still leads on."""

    serializer_class = serializers.Answer
    filterset_class = filters.AnswerFilter

    def get_queryset(self) -> Any:
        return api_answers(policy=self.policy())

    def list(self, request: Request, *args: Any, **kwargs: Any) -> ApiResponse:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset())) or []  # always paged
        questions = questions_by_id(answer.question_id for answer in page)
        hidden = hidden_answers(page, questions)  # left out after paging, so the cursor still moves on in order
        page = [answer for answer in page if answer.pk not in hidden]
        data = serializers.Answer(page, many=True, context={"questions": questions, "request": request}).data
        return self.get_paginated_response(data)


@extend_schema(
    parameters=[
        LANG,
        OpenApiParameter(
            "basis",
            OpenApiTypes.STR,
            enum=["final", "provisional"],
            description="final (default): submitted and accepted answers; provisional: answers in progress too",
        ),
    ],
    responses={200: serializers.Report},
    tags=["reports"],
)
class RoundReport(LanguageMixin, APIView):
    """The built report of a round (Office staff only): response counts, headline sentences, counts by option,
    number summaries and implementation scores. 404 until a report of that basis has been built."""

    def get(self, request: Request, slug: str) -> ApiResponse:
        policy = self.policy()
        basis = request.query_params.get("basis", "final")
        if basis not in ("final", "provisional"):
            raise ValidationError(
                {"basis": [_("“%(value)s” is not a basis; choose final or provisional.") % {"value": basis}]}
            )
        survey = policy.rounds().filter(slug=slug).first() if policy.is_staff else None
        if survey is None:
            raise NotFound(_("No such round."))
        data = api_report(survey=survey, provisional=basis == "provisional", language=translation.get_language())
        if data is None:
            raise NotFound(_("No report of this round has been built on this basis yet."))
        return ApiResponse(serializers.Report(data).data)
