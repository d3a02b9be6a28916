"""Admin for organisations, people and invitations.

Invitations are created on the people page (or in bulk), which sends the e-mail with a token; here staff search
them, resend or withdraw them.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Invitation, Membership, Organisation
from .people import InvitationError, invitation_resend, invitation_revoke, invitation_state


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
        self.message_user(
            request, ngettext("Sent %(n)d invitation again.", "Sent %(n)d invitations again.", sent) % {"n": sent}
        )

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
        self.message_user(
            request, ngettext("Withdrew %(n)d invitation.", "Withdrew %(n)d invitations.", done) % {"n": done}
        )
