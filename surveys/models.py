"""What the Office asks: survey rounds, their areas, sections, questions and option sets.

Texts are stored as {language: text} mappings (see `surveys.i18n`); codes are stable contracts that imports,
reports and comparisons across rounds rely on.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property

from django.db import models
from django.db.models.query import ModelIterable
from django.utils.translation import gettext_lazy as _

from . import answer_types as at
from .i18n import pick, pick_text

# A breakdown-table dimension whose values are the years of the round's reference period.
REFERENCE_PERIOD = "reference_period"


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Audience(models.TextChoices):
    STATE = "state", _("Participating States")
    NGO = "ngo", _("NGOs")
    BOTH = "both", _("States and NGOs")


class RespondentKind(models.TextChoices):
    """Who answers: a State's coordinators or an NGO. Partners for Co-operation answer as States when invited."""

    STATE = "state", _("Participating State")
    NGO = "ngo", _("NGO")


# Which of a round's flags says whether it asks a kind of organisation (`Organisation.Kind` or `RespondentKind`
# values): Partners for Co-operation answer the State questionnaire, so a round that asks States asks them too.
_ASKS_FLAG = {"state": "for_states", "partner": "for_states", "ngo": "for_ngos"}


class SurveyQuerySet(models.QuerySet["Survey"]):
    def asking(self, kind: str) -> SurveyQuerySet:
        """The rounds that ask this kind of organisation (the bulk form of `Survey.asks`)."""
        return self.filter(**{_ASKS_FLAG[kind]: True})


class Survey(TimeStamped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    slug = models.SlugField(_("slug"), unique=True, max_length=50)
    title = models.JSONField(_("title"), default=dict)
    description = models.JSONField(_("description"), default=dict, blank=True)
    reference_start = models.PositiveSmallIntegerField(
        _("start of the reference period"), help_text=_("First year of the reference period")
    )
    reference_end = models.PositiveSmallIntegerField(
        _("end of the reference period"), help_text=_("Last year of the reference period")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    # When the round last became closed (None: never, or closed before this was recorded): a report built before
    # it does not count late submissions, so results are not published from it.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    for_states = models.BooleanField(
        _("for participating States"), default=True, help_text=_("Participating States answer this round")
    )
    for_ngos = models.BooleanField(_("for NGOs"), default=True, help_text=_("NGOs answer this round"))
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous round"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_rounds",
    )
    documents = models.JSONField(
        _("documents"), default=dict, blank=True, help_text=_("Source documents of the commitments, by key")
    )
    commitments = models.JSONField(
        _("commitments"),
        default=list,
        blank=True,
        help_text=_("Commitments findings are reported by: code, title, document, paragraph, area"),
    )
    key_figures = models.JSONField(
        _("key figures"),
        default=list,
        blank=True,
        help_text=_("Chains of number questions that reports relate step by step: [{code, title, steps}]"),
    )

    # Bumped in the same transaction as every change to what the round asks (surveys/structure.py): the
    # per-process snapshots of the round's structure are keyed by it, so every process sees a change at its next
    # request without any message between processes.
    structure_version = models.PositiveIntegerField(_("structure version"), default=0, editable=False)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["-reference_end", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reference_start__lte=models.F("reference_end")),
                name="survey_reference_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(for_states=True) | models.Q(for_ngos=True), name="survey_has_respondents"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slug}: {self.title_text}"

    @property
    def title_text(self) -> str:
        return pick(self.title)

    @property
    def description_text(self) -> str:
        return pick(self.description)

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.reference_start, self.reference_end + 1))

    def asks(self, kind: str) -> bool:
        """Whether the round asks this kind of organisation: state, partner (answers as a State) or ngo."""
        return bool(getattr(self, _ASKS_FLAG[kind]))

    @property
    def commitment_list(self) -> list[dict[str, str]]:
        """The round's commitments with their title and document title in the active language, in file order."""
        documents = self.documents or {}
        return [
            {
                "code": c["code"],
                "title": pick(c.get("title")),
                "document": c.get("document", ""),
                "document_title": pick((documents.get(c.get("document", "")) or {}).get("title")),
                "paragraph": pick_text(c.get("paragraph")),
                "area": c.get("area", ""),
            }
            for c in self.commitments or []
        ]

    @property
    def respondent_kinds(self) -> list[str]:
        """The kinds of respondent the round asks (state, ngo), in that order."""
        return [kind for kind in RespondentKind.values if self.asks(kind)]


class Titled:
    """Translated title and description of a coded part of the questionnaire (an area, a section)."""

    code: str
    title: dict[str, str]
    description: dict[str, str]

    def __str__(self) -> str:
        return f"{self.code} {self.title_text}"

    @property
    def title_text(self) -> str:
        return pick(self.title)

    @property
    def description_text(self) -> str:
        return pick(self.description)


class Area(Titled, TimeStamped):
    """An area of the questionnaire; its commitments are those of the round naming it (`commitment_codes`)."""

    survey = models.ForeignKey(Survey, verbose_name=_("round"), on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(_("code"), max_length=10)
    title = models.JSONField(_("title"), default=dict)
    description = models.JSONField(_("description"), default=dict, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["survey", "position"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="area_code_unique_in_survey")]

    @property
    def commitment_codes(self) -> list[str]:
        """Codes of the round's commitments that belong to this area (reads the round, cached by a prefetch)."""
        return [c["code"] for c in self.survey.commitments or [] if c.get("area") == self.code]


class Section(Titled, TimeStamped):
    survey = models.ForeignKey(Survey, verbose_name=_("round"), on_delete=models.CASCADE, related_name="sections")
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(_("code"), max_length=20)
    title = models.JSONField(_("title"), default=dict)
    description = models.JSONField(_("description"), default=dict, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["survey", "area__position", "position"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="section_code_unique_in_survey")]


class OptionSet(TimeStamped):
    survey = models.ForeignKey(Survey, verbose_name=_("round"), on_delete=models.CASCADE, related_name="option_sets")
    code = models.CharField(_("code"), max_length=60)
    inline = models.BooleanField(
        _("inline"), default=False, help_text=_("Written inside its question in the definition file")
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("option set")
        verbose_name_plural = _("option sets")
        ordering = ["survey", "position"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="option_set_code_unique_in_survey")]

    def __str__(self) -> str:
        return self.code


class Option(TimeStamped):
    option_set = models.ForeignKey(
        OptionSet, verbose_name=_("option set"), on_delete=models.CASCADE, related_name="options"
    )
    code = models.CharField(_("code"), max_length=60)
    label = models.JSONField(_("label"), default=dict)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["option_set", "position"]
        constraints = [models.UniqueConstraint(fields=["option_set", "code"], name="option_code_unique_in_set")]

    def __str__(self) -> str:
        return f"{self.code} ({self.label_text})"

    @property
    def label_text(self) -> str:
        return pick(self.label)


class _QuestionsWithRound(ModelIterable):
    """Questions as Django loads them, each given the round its queryset was made for."""

    def __iter__(self) -> Iterator[Question]:
        survey = getattr(self.queryset, "_round", None)
        for question in super().__iter__():
            if survey is not None:
                question.survey = survey
            yield question


class QuestionQuerySet(models.QuerySet["Question"]):
    _round: Survey | None = None

    def of_round(self, survey: Survey) -> QuestionQuerySet:
        """The round's questions, each with `survey` attached: its words and cells need the round (reference years),
        and reading it back per question would be a query each. Also for `Prefetch(..., queryset=...)`."""
        found = self.filter(survey=survey)
        found._round = survey
        found._iterable_class = _QuestionsWithRound
        return found

    def _clone(self) -> QuestionQuerySet:
        # Filters, slices and prefetches copy the queryset: the round goes with it.
        clone = super()._clone()  # type: ignore[misc]  # private, so not in the stubs
        clone._round = self._round
        return clone


class Question(TimeStamped):
    survey = models.ForeignKey(Survey, verbose_name=_("round"), on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, verbose_name=_("section"), on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(_("code"), max_length=30, db_index=True)
    type = models.CharField(_("answer type"), max_length=30, choices=at.TYPE_CHOICES)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.BOTH)
    required = models.BooleanField(_("required"), default=True)
    scored = models.BooleanField(
        _("scored"), default=False, help_text=_("Counts towards the area's implementation score")
    )
    about_respondent = models.BooleanField(
        _("about the respondent"),
        default=False,
        help_text=_("Describes who answers (which State, which language): not compared between States and NGOs"),
    )
    text = models.JSONField(_("text"), default=dict)
    short = models.JSONField(
        _("short label"),
        default=dict,
        blank=True,
        help_text=_("At most 60 characters: the question's name in chart titles and tables of the reports"),
    )
    help_text = models.JSONField(_("help text"), default=dict, blank=True)
    headline = models.JSONField(
        _("headline phrase"),
        default=dict,
        blank=True,
        help_text=_("What a 'yes' means, for report sentences: '… States reported <headline>'"),
    )
    option_set = models.ForeignKey(
        OptionSet,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="questions",
        verbose_name=_("option set"),
    )
    exclusive = models.JSONField(
        _("exclusive options"), default=list, blank=True, help_text=_("Options that cannot be combined with others")
    )
    rows = models.JSONField(_("rows"), default=list, blank=True, help_text=_("Matrix rows: [{code, label}]"))
    dimensions = models.JSONField(_("dimensions"), default=list, blank=True, help_text=_("Breakdown table dimensions"))
    fields = models.JSONField(_("fields"), default=list, blank=True, help_text=_("Composite fields"))
    validation = models.JSONField(_("validation"), default=dict, blank=True)
    number_label = models.JSONField(_("number label"), default=dict, blank=True)
    show_if = models.JSONField(_("show if"), null=True, blank=True)
    commitments = models.JSONField(_("commitments"), default=list, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "section__area__position", "section__position", "position"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="question_code_unique_in_survey")]

    def __str__(self) -> str:
        return self.code

    @property
    def text_in_language(self) -> str:
        return pick(self.text)

    @property
    def help_in_language(self) -> str:
        return pick(self.help_text)

    @property
    def answer_type(self) -> at.AnswerType:
        return at.get_type(self.type)

    def options_list(self) -> list[Option]:
        """The options in order; uses prefetched options when the caller prefetched `option_set__options`."""
        if self.option_set_id is None or self.option_set is None:
            return []
        return list(self.option_set.options.all())

    @cached_property
    def shape(self) -> at.QuestionShape:
        """The database-free description the answer types work on (needs `survey` and options loaded)."""
        choices = tuple(at.Choice(o.code, o.label) for o in self.options_list())
        return at.QuestionShape(
            code=self.code,
            type=self.type,
            choices=choices,
            rows=tuple(at.Choice(r["code"], r.get("label", {})) for r in self.rows),
            dimensions=tuple((d["code"], self._dimension_values(d)) for d in self.dimensions),
            fields=tuple(
                (f["code"], f["kind"], tuple(at.Choice(o["code"], o.get("label", {})) for o in f.get("options", [])))
                for f in self.fields
            ),
            validation=self.validation or {},
            exclusive=tuple(self.exclusive or ()),
            years=self.survey.years,
            dimension_labels={d["code"]: d.get("label", {}) for d in self.dimensions},
            field_labels={f["code"]: f.get("label", {}) for f in self.fields},
            number_label=self.number_label or {},
        )

    @cached_property
    def words(self) -> at.Words:
        """The words for this question's cells and stored values (see `answer_types.Words`); no query."""
        return at.Words(self.shape)

    def _dimension_values(self, dimension: dict) -> tuple[at.Choice, ...]:
        if dimension.get("source") == REFERENCE_PERIOD:
            return tuple(at.Choice(str(year), {}) for year in self.survey.years)
        return tuple(at.Choice(v["code"], v.get("label", {})) for v in dimension.get("values", []))

    def dimension_values(self) -> list[tuple[dict, tuple[at.Choice, ...]]]:
        """Each breakdown dimension with its values (years resolved from the round)."""
        return [(d, self._dimension_values(d)) for d in self.dimensions]

    def cells(self) -> list[at.CellSpec]:
        known = self.__dict__.get("_cells")  # computed once per round version (surveys/structure.py)
        if known is not None:
            return list(known)
        return self.answer_type.cells(self.shape)

    @staticmethod
    def audiences_for(kind: str) -> tuple[str, ...]:
        """The audiences whose questions a respondent of this kind (state or ngo) is asked (for filters)."""
        return (Audience.BOTH.value, kind)

    def for_kind(self, kind: str) -> bool:
        """Whether a respondent of this kind (state or ngo) is asked this question."""
        return self.audience in self.audiences_for(kind)
