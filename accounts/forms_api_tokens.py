"""The form of the "API tokens" page: a name for the new token, so that its owner knows which tool holds it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the token"),
        help_text=_("Where you will use it, for example “Power BI, analysis team”."),
        max_length=100,
        strip=True,
    )
