"""What the API answers, field by field: the OpenAPI schema (/api/schema/) is generated from these classes, so each
field says its type. Labels are in the language of the request (`?lang=`, else the browser's), codes always stay.

The serializers run no query: the views load every row a page needs first (api/selectors.py).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from surveys import answer_types as at
from surveys.i18n import pick


class CodeLabel(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


def _code_labels(items: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"code": item["code"], "label": pick(item.get("label"))} for item in items]


class Area(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField(source="title_text")


class Round(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField(source="title_text")
    status = serializers.CharField(help_text="draft, open or closed")
    status_label = serializers.CharField(source="get_status_display")
    reference_start = serializers.IntegerField(help_text="First year of the reference period")
    reference_end = serializers.IntegerField(help_text="Last year of the reference period")
    opens_on = serializers.DateField(allow_null=True)
    closes_on = serializers.DateField(allow_null=True)
    for_states = serializers.BooleanField()
    for_ngos = serializers.BooleanField()
    previous = serializers.CharField(source="previous.slug", allow_null=True, default=None, help_text="Slug")
    areas = Area(many=True, source="areas.all")


class Question(serializers.Serializer):
    round = serializers.CharField(source="survey.slug")
    code = serializers.CharField()
    area = serializers.CharField(source="section.area.code")
    section = serializers.CharField(source="section.code")
    type = serializers.CharField(help_text="The answer type (single_select, matrix, integer_per_year, …)")
    audience = serializers.CharField(help_text="Who is asked: state, ngo or both")
    required = serializers.BooleanField()
    scored = serializers.BooleanField(help_text="Counts towards the area's implementation score")
    text = serializers.CharField(source="text_in_language")
    help_text = serializers.CharField(source="help_in_language")
    options = serializers.SerializerMethodField()
    rows = serializers.SerializerMethodField()
    commitments = serializers.ListField(
        child=serializers.CharField(),
        help_text="Codes of the round's commitments the question relates to (AP2003.IV, ADD2013.PREV, …)",
    )

    @extend_schema_field(CodeLabel(many=True))
    def get_options(self, question: Any) -> list[dict[str, str]]:
        return [{"code": option.code, "label": option.label_text} for option in question.options_list()]

    @extend_schema_field(CodeLabel(many=True))
    def get_rows(self, question: Any) -> list[dict[str, str]]:
        return _code_labels(question.rows)


class Organisation(serializers.Serializer):
    code = serializers.CharField(help_text="ISO 3166 alpha-2 for States and Partners; a slug for NGOs")
    name = serializers.CharField()
    kind = serializers.CharField(help_text="state, partner or ngo")
    kind_label = serializers.CharField(source="get_kind_display")
    country = serializers.CharField(
        source="country.code", allow_null=True, default=None, help_text="For an NGO: the State it works in"
    )
    aliases = serializers.ListField(child=serializers.CharField(), help_text="Former or other names")
    regions = serializers.ListField(child=serializers.CharField(), source="region_codes")


class Response(serializers.Serializer):
    id = serializers.IntegerField()
    round = serializers.CharField(source="survey.slug")
    organisation = serializers.CharField(source="organisation.code")
    organisation_name = serializers.CharField(source="organisation.name")
    kind = serializers.CharField(source="organisation.kind", help_text="state, partner or ngo")
    status = serializers.CharField(help_text="not_started, in_progress, submitted, returned, resubmitted or accepted")
    status_label = serializers.CharField(source="get_status_display")
    submitted_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    last_activity_at = serializers.DateTimeField(allow_null=True)


class Answer(serializers.Serializer):
    """One answer cell. `value` is the canonical text that exports write and imports read (multiple choices: option
    codes joined with `;`); `value_number` / `value_date` repeat it typed for numbers and dates."""

    id = serializers.IntegerField()
    round = serializers.CharField(source="response.survey.slug")
    organisation = serializers.CharField(source="response.organisation.code")
    kind = serializers.CharField(source="response.organisation.kind", help_text="state, partner or ngo")
    status = serializers.CharField(source="response.status", help_text="The status of the response")
    question = serializers.SerializerMethodField()
    row = serializers.CharField(help_text="Row code; empty for a question with one row")
    column = serializers.CharField(help_text="Column code; empty for a question with one column")
    cell_label = serializers.SerializerMethodField()
    cell_kind = serializers.SerializerMethodField()
    value = serializers.SerializerMethodField()
    value_number = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True, coerce_to_string=False)
    value_date = serializers.DateField(allow_null=True)
    value_label = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField()

    def _question(self, answer: Any) -> Any:
        return self.context["questions"][answer.question_id]

    @extend_schema_field(serializers.CharField(help_text="Question code"))
    def get_question(self, answer: Any) -> str:
        return str(self._question(answer).code)

    def _typed(self, answer: Any) -> tuple[str, Any]:
        words = self._question(answer).words
        kind = words.kind((answer.row, answer.column))
        return kind, at.read_value(answer, kind)

    @extend_schema_field(serializers.CharField(help_text="The cell's name in words; empty for a one-value question"))
    def get_cell_label(self, answer: Any) -> str:
        return str(self._question(answer).words.cell((answer.row, answer.column)))

    @extend_schema_field(serializers.CharField(help_text="text, integer, decimal, year, date, choice or choices"))
    def get_cell_kind(self, answer: Any) -> str:
        return self._typed(answer)[0]

    @extend_schema_field(serializers.CharField())
    def get_value(self, answer: Any) -> str:
        kind, value = self._typed(answer)
        return at.to_text(kind, value)

    @extend_schema_field(serializers.CharField(help_text="The value in words (option labels)"))
    def get_value_label(self, answer: Any) -> str:
        _kind, value = self._typed(answer)
        return str(self._question(answer).words.value((answer.row, answer.column), value))


class StatusCounts(serializers.Serializer):
    eligible = serializers.IntegerField()
    counted = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())


class ResponseRates(serializers.Serializer):
    states = StatusCounts()
    ngos = StatusCounts()


class Headline(serializers.Serializer):
    question = serializers.CharField()
    area = serializers.CharField()
    sentence = serializers.CharField(help_text="In the language of the request")
    yes = serializers.IntegerField()
    in_process = serializers.IntegerField(allow_null=True, required=False)
    partially = serializers.IntegerField(allow_null=True, required=False)
    no = serializers.IntegerField(allow_null=True, required=False)
    answered = serializers.IntegerField()
    eligible = serializers.IntegerField()


class ChoiceCount(serializers.Serializer):
    question = serializers.CharField()
    row = serializers.CharField()
    kind = serializers.CharField(help_text="state or ngo")
    option = serializers.CharField()
    count = serializers.IntegerField()
    answered = serializers.IntegerField()
    eligible = serializers.IntegerField()


class NumberSummary(serializers.Serializer):
    question = serializers.CharField()
    row = serializers.CharField()
    column = serializers.CharField()
    kind = serializers.CharField(help_text="state or ngo")
    count = serializers.IntegerField()
    sum = serializers.FloatField(allow_null=True)
    median = serializers.FloatField(allow_null=True)
    min = serializers.FloatField(allow_null=True)
    max = serializers.FloatField(allow_null=True)


class Score(serializers.Serializer):
    organisation = serializers.CharField()
    name = serializers.CharField()
    area = serializers.CharField()
    score = serializers.FloatField(allow_null=True, help_text="0 to 1")
    items = serializers.IntegerField()


class RegionScore(serializers.Serializer):
    region = serializers.CharField()
    name = serializers.CharField()
    area = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    states = serializers.IntegerField()


class AreaMedian(serializers.Serializer):
    area = serializers.CharField()
    median = serializers.FloatField(allow_null=True)


class Report(serializers.Serializer):
    """The stored report of a round, as the last build left it (README "Reports and headline figures")."""

    round = serializers.CharField()
    basis = serializers.CharField(help_text="final (submitted and accepted answers) or provisional (in progress too)")
    statuses = serializers.ListField(child=serializers.CharField(), help_text="The response statuses counted")
    built_at = serializers.DateTimeField()
    response_rates = ResponseRates()
    headlines = Headline(many=True)
    choice_counts = ChoiceCount(many=True)
    number_summaries = NumberSummary(many=True)
    scores = Score(many=True)
    region_scores = RegionScore(many=True)
    area_medians = AreaMedian(many=True)
