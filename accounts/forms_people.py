"""Forms for people and invitations: invite one person, accept an invitation, invite many from a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordForm
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from oscethb.security import client_ip

from .models import Invitation, Role
from .password_reset import ResetMailForm, password_reset_request

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        initial=Role.CONTRIBUTOR,
        help_text=_(
            "Coordinators answer, submit and invite colleagues; contributors answer; viewers read the answers."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=settings.LANGUAGES,
        required=False,  # a post without it (an older page): the invitee's own language, else the sender's
        help_text=_("The e-mail and the page where the person accepts the invitation are in this language."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = get_language() or settings.LANGUAGE_CODE


class AcceptInvitationForm(SetPasswordForm):
    """Choose a password when accepting an invitation; Django's password validators apply to the new account.

    Only cleans the password: accounts.people.invitation_accept creates the account (never call save())."""

    def __init__(self, invitation: Invitation, *args: Any, **kwargs: Any) -> None:
        user = get_user_model()(username=invitation.email, email=invitation.email)
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = _("Choose a password")
        self.fields["new_password2"].label = _("The same password again")


class BulkInvitationForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV UTF-8 or Excel .xlsx)"),
        help_text=_("Columns: email, organisation (code or name), role (coordinator, contributor or viewer)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in (".csv", ".xlsx"):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if (upload.size or 0) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class EmailPasswordResetForm(ResetMailForm):
    """The "Forgotten your password?" form. save() (what the view calls) only queues the mail; a Celery task sends
    it with `ResetMailForm.send_now()`, within the rate limits (accounts.password_reset)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-mail address")  # as on the login page

    def save(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        password_reset_request(
            email=self.cleaned_data["email"],
            ip=client_ip(request) if request is not None else None,
            domain=kwargs.get("domain_override") or (request.get_host() if request is not None else ""),
            use_https=bool(kwargs.get("use_https")),
            language=get_language() or settings.LANGUAGE_CODE,
        )
