from __future__ import annotations

from collections.abc import Mapping

from django import template

from surveys.i18n import pick

register = template.Library()


@register.filter
def tr(texts: Mapping[str, str] | None) -> str:
    """A translated text in the active language, English when there is no translation."""
    return pick(texts)
