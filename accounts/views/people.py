"""People of an organisation and invitations: list and invite, resend, revoke, accept, invite many (staff)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from oscethb.access import staff_required

from ..access import PeoplePolicy
from ..forms_people import AcceptInvitationForm, BulkInvitationForm, InvitationForm
from ..models import Invitation, Organisation, Role
from ..people import (
    InvitationError,
    TableError,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_needs_password,
    invitation_resend,
    invitation_revoke,
    invitation_state,
    invitations_bulk_from_table,
    invitations_open,
    members_of,
    table_from_bytes,
    user_for_email,
)
from ..people.language import person_language_chosen, person_language_set


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _managed_organisation(request: HttpRequest, code: str) -> Organisation:
    organisation = get_object_or_404(Organisation, code=code)
    if not PeoplePolicy.for_request(request).may_manage_people(organisation):
        raise Http404("No such organisation")
    return organisation


def _managed_invitation(request: HttpRequest, pk: int) -> Invitation:
    invitation = get_object_or_404(Invitation.objects.select_related("organisation"), pk=pk)
    if not PeoplePolicy.for_request(request).may_manage_people(invitation.organisation):
        raise Http404("No such invitation")
    return invitation


@login_required
def people(request: HttpRequest, code: str) -> HttpResponse:
    """Members with their roles, open invitations (resend, revoke) and the form to invite someone."""
    organisation = _managed_organisation(request, code)
    members = list(members_of(organisation))
    invitations = list(invitations_open(organisation))
    # The first person invited to an organisation without a coordinator is usually its coordinator (the staff walk
    # found the form offering "contributor" to an organisation nobody could answer for yet).
    has_coordinator = any(m.role == Role.COORDINATOR for m in members) or any(
        i.role == Role.COORDINATOR for i in invitations
    )
    form = InvitationForm(
        request.POST or None, initial={"role": Role.CONTRIBUTOR if has_coordinator else Role.COORDINATOR}
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = invitation_create(
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                base_url=_base_url(request),
                language=form.cleaned_data["language"],
            )
        except InvitationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("accounts:people-invitations", code=organisation.code)
    for invitation in invitations:
        invitation.state = invitation_state(invitation)  # type: ignore[attr-defined]
    context = {
        "organisation": organisation,
        "members": members,
        "invitations": invitations,
        "form": form,
    }
    return render(request, "accounts/people/people.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _managed_invitation(request, pk)
    try:
        invitation, _token = invitation_resend(invitation=invitation, by=request.user, base_url=_base_url(request))
    except InvitationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Invitation sent again to %(email)s.") % {"email": invitation.email})
    return redirect("accounts:people-invitations", code=invitation.organisation.code)


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _managed_invitation(request, pk)
    try:
        invitation_revoke(invitation=invitation, by=request.user)
    except InvitationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
    return redirect("accounts:people-invitations", code=invitation.organisation.code)


def accept(request: HttpRequest, token: str) -> HttpResponse:
    """Accept an invitation: choose a password (new account), or accept while logged in (existing account)."""
    try:
        invitation = invitation_for_token(token)
    except InvitationError as exc:
        return render(request, "accounts/people/invitation_invalid.html", {"reason": str(exc)}, status=410)
    if invitation.language and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        # Opened from the e-mail on a browser that has not chosen a language: the page speaks the invitation's.
        translation.activate(invitation.language)
        request.LANGUAGE_CODE = invitation.language
    needs_password = invitation_needs_password(invitation)
    account = None if needs_password else user_for_email(invitation.email)
    signed_in_as_invitee = account is not None and request.user.is_authenticated and request.user.pk == account.pk
    form = AcceptInvitationForm(invitation, request.POST or None) if needs_password else None
    if request.method == "POST" and (signed_in_as_invitee or (form is not None and form.is_valid())):
        password = form.cleaned_data["new_password1"] if form is not None else None
        try:
            user = invitation_accept(token=token, password=password, user=request.user)
        except InvitationError as exc:
            return render(request, "accounts/people/invitation_invalid.html", {"reason": str(exc)}, status=410)
        if not signed_in_as_invitee:
            # The language the invitation was accepted in is the person's choice, unless they already made one (an
            # account that existed before): the login below gives it back.
            if person_language_chosen(user) is None:
                person_language_set(user=user, language=request.LANGUAGE_CODE)
            login(request, user, backend="accounts.auth.EmailBackend")
        messages.success(
            request,
            _("Welcome. You are now a member of %(organisation)s.") % {"organisation": invitation.organisation},
        )
        return redirect("/")
    context = {
        "invitation": invitation,
        "form": form,
        "needs_password": needs_password,
        "signed_in_as_invitee": signed_in_as_invitee,
    }
    return render(
        request, "accounts/people/invitation_accept.html", context, status=400 if form and form.errors else 200
    )


@staff_required
def bulk(request: HttpRequest) -> HttpResponse:
    """Staff: invite everyone listed in a CSV or XLSX file (email, organisation, role); all rows or none."""
    form = BulkInvitationForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            table = table_from_bytes(upload.read(), filename=upload.name)
            result = invitations_bulk_from_table(table=table, invited_by=request.user, base_url=_base_url(request))
        except TableError as exc:
            problems = exc.problems
        else:
            messages.success(
                request,
                ngettext("%(n)d invitation created.", "%(n)d invitations created.", len(result.invitations))
                % {"n": len(result.invitations)},
            )
            for invitation, error in result.not_sent:
                messages.error(
                    request,
                    _("The e-mail to %(email)s could not be sent (%(error)s); resend it from the people page.")
                    % {"email": invitation.email, "error": error},
                )
            return redirect("accounts:invitations-bulk")
    status = 400 if problems or form.errors else 200
    return render(request, "accounts/people/bulk.html", {"form": form, "problems": problems}, status=status)
