"""Admin for responses and their history (organisations, people and invitations: accounts/admin.py).

Answers, their history and status events are read-only here: they change only through the services, which keep
versions and history.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Answer, AnswerChange, Evidence, Response, ResponseEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Staff may look, never write: these rows are written by services that keep the history consistent."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ResponseEventInline(admin.TabularInline):
    model = ResponseEvent
    extra = 0
    fields = ["at", "from_status", "to_status", "by", "comment"]
    readonly_fields = ["at", "from_status", "to_status", "by", "comment"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["organisation", "survey", "status", "submitted_at", "accepted_at", "last_activity_at"]
    list_filter = ["status", "survey", "organisation__kind"]
    search_fields = ["organisation__code", "organisation__name", "survey__slug"]
    list_select_related = ["organisation", "survey"]
    # The workflow (submit, return, accept) goes through the services, which record who did it and when.
    readonly_fields = [
        "survey",
        "organisation",
        "status",
        "submitted_at",
        "submitted_by",
        "accepted_at",
        "last_activity_at",
        "prefilled_from",
        "created_at",
        "updated_at",
    ]
    inlines = [ResponseEventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ["question_code", "organisation", "row", "column", "value", "version", "source", "updated_at"]
    list_filter = ["source", "needs_review", "response__survey"]
    search_fields = ["question__code", "response__organisation__code", "response__organisation__name"]
    list_select_related = ["question", "response__organisation", "response__survey"]

    @admin.display(description=_("question"), ordering="question__code")
    def question_code(self, obj: Answer) -> str:
        return obj.question.code

    @admin.display(description=_("organisation"), ordering="response__organisation__code")
    def organisation(self, obj: Answer) -> str:
        return obj.response.organisation.code

    @admin.display(description=_("value"))
    def value(self, obj: Answer) -> str:
        for candidate in (obj.value_text, obj.value_number, obj.value_date, obj.value_choices):
            if candidate is not None:
                return str(candidate)[:80]
        return ""


@admin.register(AnswerChange)
class AnswerChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "question_code", "organisation", "row", "column", "version", "changed_by", "source"]
    list_filter = ["source", "response__survey"]
    search_fields = [
        "question__code",
        "response__organisation__code",
        "response__organisation__name",
        "changed_by__email",
    ]
    list_select_related = ["question", "response__organisation", "changed_by"]

    @admin.display(description=_("question"), ordering="question__code")
    def question_code(self, obj: AnswerChange) -> str:
        return obj.question.code

    @admin.display(description=_("organisation"), ordering="response__organisation__code")
    def organisation(self, obj: AnswerChange) -> str:
        return obj.response.organisation.code


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "organisation", "question_code", "size", "uploaded_by", "created_at"]
    search_fields = [
        "original_name",
        "question__code",
        "response__organisation__code",
        "response__organisation__name",
        "uploaded_by__email",
    ]
    list_select_related = ["question", "response__organisation", "uploaded_by"]
    readonly_fields = [
        "response",
        "question",
        "file",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # uploaded with the answers, where the file's type and size are checked

    @admin.display(description=_("question"), ordering="question__code")
    def question_code(self, obj: Evidence) -> str:
        return obj.question.code

    @admin.display(description=_("organisation"), ordering="response__organisation__code")
    def organisation(self, obj: Evidence) -> str:
        return obj.response.organisation.code


@admin.register(ResponseEvent)
class ResponseEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "response", "from_status", "to_status", "by"]
    list_filter = ["to_status"]
    search_fields = ["response__organisation__code", "response__organisation__name", "by__email", "comment"]
    list_select_related = ["response__organisation", "response__survey", "by"]
