"""Forms of the workflow steps that ask before they act: submit, accept, return with a comment, reopen with a reason."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ConfirmForm(forms.Form):
    """An explicit "yes, do it": a POST without it changes nothing."""

    confirm = forms.BooleanField(
        required=True, error_messages={"required": _("Confirm with the button to go ahead; nothing was changed.")}
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should the organisation change?"),
        help_text=_("The organisation's members see this comment on their questionnaire."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": _("Write a comment saying what should change: the organisation sees it.")},
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the response reopened?"),
        help_text=_("The organisation's members see this reason on their questionnaire; it is kept in the record."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": _("Give the reason for reopening: the organisation sees it.")},
    )
