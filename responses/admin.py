"""Admin for organisations, people, invitations, responses and their history.

Answers, their history and status events are read-only here: they change only through the services, which keep
versions and history. Invitations are created on the people page (or in bulk), which sends the e-mail with a
token; here staff search them, resend or withdraw them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Answer, AnswerChange, Evidence, Invitation, Membership, Organisation, Response, ResponseEvent
from .people import InvitationError, invitation_resend, invitation_revoke, invitation_state


class ReadOnlyAdmin(admin.ModelAdmin):
    """Staff may look, never write: these rows are written by services that keep the history consistent."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "country"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "aliases"]
    list_select_related = ["country"]
    autocomplete_fields = ["country"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user_email", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["user__email", "user__username", "organisation__code", "organisation__name"]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation"]

    @admin.display(description=_("e-mail address"), ordering="user__email")
    def user_email(self, obj: Membership) -> str:
        return obj.user.email


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "state", "sent_count", "expires_at", "invited_by"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["email", "organisation__code", "organisation__name"]
    list_select_related = ["organisation", "invited_by"]
    exclude = ["token_hash"]
    readonly_fields = [
        "organisation",
        "email",
        "role",
        "expires_at",
        "invited_by",
        "sent_count",
        "last_sent_at",
        "accepted_at",
        "revoked_at",
        "created_at",
        "updated_at",
    ]
    actions = ["resend", "revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # invite on the organisation's people page, or in bulk: that sends the e-mail

    @admin.display(description=_("state"))
    def state(self, obj: Invitation) -> str:
        return invitation_state(obj)

    @admin.action(description=_("Resend the selected invitations (new link, new expiry date)"))
    def resend(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        sent = 0
        for invitation in queryset.select_related("organisation"):
            try:
                invitation_resend(invitation=invitation, by=request.user, base_url=request.build_absolute_uri("/"))
            except InvitationError as exc:
                self.message_user(request, f"{invitation.email}: {exc}", messages.WARNING)
            else:
                sent += 1
        self.message_user(request, _("Sent %(n)d invitation(s) again.") % {"n": sent})

    @admin.action(description=_("Withdraw the selected invitations"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        done = 0
        for invitation in queryset.select_related("organisation"):
            try:
                invitation_revoke(invitation=invitation, by=request.user)
            except InvitationError as exc:
                self.message_user(request, f"{invitation.email}: {exc}", messages.WARNING)
            else:
                done += 1
        self.message_user(request, _("Withdrew %(n)d invitation(s).") % {"n": done})


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
