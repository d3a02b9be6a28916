from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .definitions import SLUG_RE
from .models import Survey


class CloneSurveyForm(forms.Form):
    slug = forms.SlugField(label=_("Slug of the new round"), max_length=50, help_text=_("For example thb-2026"))
    title = forms.CharField(label=_("English title of the new round"), max_length=300)

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if not SLUG_RE.match(slug):
            raise forms.ValidationError(_("Use lowercase letters, digits and hyphens, for example thb-2026."))
        if Survey.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("A round with this slug exists already."))
        return slug
