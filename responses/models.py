"""What was answered: responses, answers and their history, evidence, deadline extensions, notifications, reminders.

Organisations, people and roles live in accounts.models; import them from there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from surveys.models import Question, Survey, TimeStamped


class ResponseQuerySet(models.QuerySet["Response"]):
    def counted(self) -> ResponseQuerySet:
        """The responses whose answers the reports count (`Response.COUNTED_STATUSES`)."""
        return self.filter(status__in=Response.COUNTED_STATUSES)


class Response(TimeStamped):
    """One organisation's answers to one round."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for changes")
        RESUBMITTED = "resubmitted", _("Resubmitted")
        ACCEPTED = "accepted", _("Accepted")

    # The one home of "submitted, resubmitted or accepted": the organisation has sent its answers, so the reports
    # count them, reminders stop, and respondents may no longer edit them. In workflow order (reports print it).
    COUNTED_STATUSES: tuple[str, ...] = (Status.SUBMITTED.value, Status.RESUBMITTED.value, Status.ACCEPTED.value)
    # Sent and waiting for the Office's decision (accept or return).
    AWAITING_DECISION_STATUSES: tuple[str, ...] = (Status.SUBMITTED.value, Status.RESUBMITTED.value)

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="responses")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    staff_comment = models.TextField(
        blank=True, help_text=_("Why the Office returned the response; the organisation sees it")
    )
    last_activity_at = models.DateTimeField(null=True, blank=True)
    prefilled_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Required and missing questions per section, for one structure version of the round (responses/progress.py):
    # the pages read progress with the row instead of every answer. Written under the row lock by every write.
    progress = models.JSONField(default=dict, blank=True, editable=False)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(fields=["survey", "organisation"], name="one_response_per_org_and_round")
        ]

    def __str__(self) -> str:
        return f"{self.survey.slug} · {self.organisation}"

    @property
    def is_counted(self) -> bool:
        """Whether the organisation has sent these answers (`COUNTED_STATUSES`): the reports count them."""
        return self.status in self.COUNTED_STATUSES

    @property
    def is_locked_for_respondents(self) -> bool:
        # Sent answers are out of the respondents' hands until the Office returns or reopens the response.
        return self.is_counted


class Source(models.TextChoices):
    WEB = "web", _("web form")
    IMPORT = "import", _("import")
    PREFILL = "prefill", _("previous round")
    WORKBOOK = "workbook", _("offline workbook")


class Answer(TimeStamped):
    """One stored value: a (response, question, row, column) cell with a typed value and a version."""

    # No single-column indexes on response and question: one_answer_per_cell (response first) and the (question,
    # response) index serve every lookup by either, and each extra index is written for every imported answer.
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers", db_index=False)
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers", db_index=False)
    row = models.CharField(max_length=200, blank=True, default="")
    column = models.CharField(max_length=60, blank=True, default="")
    value_text = models.TextField(null=True, blank=True)  # noqa: DJ001 - NULL is "no value"; "" is never stored
    value_number = models.DecimalField(max_digits=24, decimal_places=4, null=True, blank=True)
    value_date = models.DateField(null=True, blank=True)
    value_choices = models.JSONField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    needs_review = models.BooleanField(
        default=False, help_text=_("Prefilled from the previous round, not yet confirmed")
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question", "row", "column"], name="one_answer_per_cell")
        ]
        indexes = [models.Index(fields=["question", "response"])]

    def __str__(self) -> str:
        return f"{self.question.code}[{self.row}|{self.column}]"


class AnswerChange(models.Model):
    """Append-only history of every change to an answer cell: replaying it gives the current answers."""

    # The (response, question) index serves every lookup by response (no single-column index of its own).
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="changes", db_index=False)
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answer_changes")
    row = models.CharField(max_length=200, blank=True, default="")
    column = models.CharField(max_length=60, blank=True, default="")
    old_value = models.TextField(
        blank=True, default="", help_text=_("Canonical text of the value before; empty = none")
    )
    new_value = models.TextField(
        blank=True, default="", help_text=_("Canonical text of the value after; empty = cleared")
    )
    version = models.PositiveIntegerField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)

    class Meta:
        verbose_name = _("change to an answer")
        verbose_name_plural = _("changes to answers")
        ordering = ["id"]
        indexes = [models.Index(fields=["response", "question"])]

    def __str__(self) -> str:
        return f"{self.question.code} v{self.version}"


class PendingCell(TimeStamped):
    """Text a person typed into an answer cell that is not a valid value (“12a” in a table of whole numbers).

    It is not an answer: reports, exports and progress never read it, and it has no version or history. It is kept
    so that the page shows it again, marked with its message, until the person fixes or clears it: leaving the page
    loses neither the valid cells (saved as answers) nor what was mistyped. Any valid value saved in the cell removes
    it; an answer written later by an import hides it (`updated_at` is compared).
    """

    MAX_LENGTH = 30_000

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="pending_cells")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    row = models.CharField(max_length=200, blank=True, default="")
    column = models.CharField(max_length=60, blank=True, default="")
    text = models.TextField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question", "row", "column"], name="one_pending_text_per_cell")
        ]

    def __str__(self) -> str:
        return f"{self.question_id}[{self.row}|{self.column}] pending"


class ResponseEvent(models.Model):
    """Status changes of a response: who submitted, returned or accepted it, when, and why."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, choices=Response.Status.choices)
    to_status = models.CharField(max_length=12, choices=Response.Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)

    class Meta:
        verbose_name = _("status change of a response")
        verbose_name_plural = _("status changes of responses")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"evidence/{instance.response.survey.slug}/{instance.response.organisation.code}/{instance.sha256[:16]}-{filename}"


class Evidence(TimeStamped):
    """A document uploaded as evidence for a question."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="evidence")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.original_name


class DeadlineExtension(TimeStamped):
    """Staff let one organisation answer a round after its closing date, until the end of `until`.

    Append-only: a new extension replaces the previous one (the latest counts), so the record keeps who extended,
    when and why. responses/deadlines.py reads it.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="deadline_extensions")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="deadline_extensions")
    until = models.DateField(help_text=_("The last day on which the organisation may answer"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["survey", "organisation", "-id"])]

    def __str__(self) -> str:
        return f"{self.survey.slug} · {self.organisation} · {self.until}"


class Notification(models.Model):
    """An e-mail sent about a status change (responses/notifications.py): written in the same transaction as the
    mail goes out, and never twice for the same (event, kind)."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt to the coordinators")
        OFFICE = "office", _("Note to the Office")
        RETURNED = "returned", _("Returned: comment to the coordinators")
        ACCEPTED = "accepted", _("Accepted: note to the coordinators")

    event = models.ForeignKey(ResponseEvent, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # One message goes out per recipients' language: each is recorded on its own, so a retry after a failure sends
    # only the languages that did not go out ("" when there was no one to send to).
    language = models.CharField(max_length=10, blank=True, default="")
    recipients = models.JSONField(default=list)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "kind", "language"], name="one_notification_per_event_kind_and_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.kind}"


class Reminder(TimeStamped):
    """A reminder e-mail to a State's coordinators; (response, days_before) is sent at most once."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.IntegerField(help_text=_("Days before the closing date; -1 for one sent by hand"))
    sent_at = models.DateTimeField(auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipients = models.JSONField(default=list)

    class Meta:
        # Moved from reports with its table (responses/migrations/0007_reminder_from_reports.py).
        db_table = "reports_reminder"
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "days_before"],
                condition=models.Q(days_before__gte=0),
                name="one_scheduled_reminder_per_response_and_day",
            )
        ]

    def __str__(self) -> str:
        return f"reminder {self.response} {self.days_before}"


class WorkbookUpload(TimeStamped):
    """A filled offline workbook, read and checked, waiting for its uploader to confirm (responses/offline).

    `plan` is what the upload would change, what is invalid and what conflicts, as the preview showed it (JSON);
    nothing is written to the answers until the owner confirms. Kept here rather than in the session so that the
    confirm step finds it whatever the session does; uploads older than `KEEP` are removed when a new one is made.
    """

    KEEP_HOURS = 24

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="workbook_uploads")
    filename = models.CharField(max_length=200, blank=True, default="")
    plan = models.JSONField(default=dict)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.response} · {self.filename}"
