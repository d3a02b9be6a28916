"""What the answers add up to: report builds as job rows, the stored reports and Excel exports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from responses.models import Reminder as Reminder  # moved to responses (it writes response rows)
from surveys.models import Survey, TimeStamped


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(TimeStamped):
    """A piece of background work that a person waits for: status, progress, who asked, what went wrong."""

    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("0 to 100"))
    message = models.CharField(max_length=200, blank=True, help_text=_("What the job is doing now"))
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


class InALanguage:
    """A file written in one of the site's languages (its `language` field): that language by its name in the
    reader's language ("English", "anglais"), not its code."""

    language: str

    @property
    def language_name(self) -> str:
        try:
            return str(translation.get_language_info(self.language)["name_translated"])
        except KeyError:
            return self.language


class ReportRun(Job):
    """One build of a round's report."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="report_runs")
    include_in_progress = models.BooleanField(default=False)
    trigger = models.CharField(max_length=20, default="manual", help_text=_("manual, nightly, round closed, command"))

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"report {self.survey.slug} #{self.pk} {self.status}"


class Report(TimeStamped):
    """The latest finished report of a round on one basis; a build swaps `data` in whole, or not at all."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="reports")
    include_in_progress = models.BooleanField(default=False)
    run = models.ForeignKey(ReportRun, null=True, on_delete=models.SET_NULL, related_name="+")
    built_at = models.DateTimeField()
    data = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "include_in_progress"], name="one_report_per_round_and_basis")
        ]

    def __str__(self) -> str:
        return f"report {self.survey.slug}{' (provisional)' if self.include_in_progress else ''}"


class ExcelExport(InALanguage, Job):
    """An Excel summary of a round's report, built in the background and downloaded when ready."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="excel_exports")
    language = models.CharField(max_length=5, default="en")
    include_in_progress = models.BooleanField(default=False)
    file = models.FileField(upload_to="exports/", blank=True, max_length=300)
    report_built_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the report whose counts the workbook holds was built")
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"excel {self.survey.slug} #{self.pk} {self.status}"


class DataExport(InALanguage, Job):
    """The raw answers of a round as a file (long or wide form, CSV or xlsx), written in the background.

    The contract of the files (column names and order) is docs/raw-data.md; reports/raw_data/ writes them.
    """

    class Respondents(models.TextChoices):
        STATES = "states", _("Participating States")
        NGOS = "ngos", _("NGOs")
        BOTH = "both", _("Participating States and NGOs")

    class Layout(models.TextChoices):
        LONG = "long", _("Long: one row per answer cell")
        WIDE = "wide", _("Wide: one row per organisation, one column per cell")

    class Format(models.TextChoices):
        CSV = "csv", _("CSV (UTF-8)")
        XLSX = "xlsx", _("Excel workbook (.xlsx)")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="data_exports")
    language = models.CharField(max_length=5, default="en", help_text=_("Language of the labels"))
    include_in_progress = models.BooleanField(default=False)
    respondents = models.CharField(max_length=10, choices=Respondents.choices, default=Respondents.BOTH)
    layout = models.CharField(max_length=10, choices=Layout.choices, default=Layout.LONG)
    file_format = models.CharField(max_length=10, choices=Format.choices, default=Format.CSV)
    file = models.FileField(upload_to="exports/data/", blank=True, max_length=300)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"data {self.survey.slug} {self.layout} {self.file_format} #{self.pk} {self.status}"

    @property
    def filename(self) -> str:
        return (self.file.name or "").rsplit("/", 1)[-1]


class DraftReport(InALanguage, Job):
    """A draft of the published chapter (.docx) from a round's stored report, written in the background."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="draft_reports")
    language = models.CharField(max_length=5, default="en")
    include_in_progress = models.BooleanField(default=False)
    file = models.FileField(upload_to="drafts/", blank=True, max_length=300)
    report_built_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the report whose figures the document holds was built")
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"draft report {self.survey.slug} #{self.pk} {self.status}"


class Publication(TimeStamped):
    """A round's results as the public sees them (reports/publication/): a snapshot of its final report taken when
    staff publish, so that a later rebuild changes nothing public until they publish again. One per round:
    publishing again replaces the snapshot; withdrawing hides it (the public page answers 404)."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="publication")
    data = models.JSONField(help_text=_("The public snapshot: aggregate figures, never an NGO's name or answer"))
    report_built_at = models.DateTimeField(help_text=_("When the report the snapshot was taken from was built"))
    public_questions = models.JSONField(
        default=list, blank=True, help_text=_("Codes of the questions whose answers are shown State by State")
    )
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"publication {self.survey.slug}{' (withdrawn)' if self.withdrawn_at else ''}"

    @property
    def live(self) -> bool:
        return self.withdrawn_at is None


class PublicationEvent(TimeStamped):
    """The audit trail of a round's publication: who published, published again or withdrew it, and when."""

    class Action(models.TextChoices):
        PUBLISHED = "published", _("Published")
        REPUBLISHED = "republished", _("Published again")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    report_built_at = models.DateTimeField(null=True, blank=True)
    public_questions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.publication_id} {self.created_at:%Y-%m-%d %H:%M}"
