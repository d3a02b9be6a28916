"""The staff form that extends one organisation's deadline (responses/deadlines.py checks the date against the round)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DeadlineExtensionForm(forms.Form):
    until = forms.DateField(
        label=_("New last day for answering"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(
        label=_("Why (kept with the extension)"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
