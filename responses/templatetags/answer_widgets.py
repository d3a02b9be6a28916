"""Filters of the answer types' widget templates: inputs written without a template per input (responses.widget_html)."""

from __future__ import annotations

from django import template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

from responses import widget_html

register = template.Library()


@register.filter
def input_html(bf: BoundField) -> SafeString:
    return widget_html.input_html(bf)


@register.filter
def options_html(bf: BoundField, wrapper: str) -> SafeString:
    return widget_html.options_html(bf, wrapper)


@register.filter
def field_html(bf: BoundField) -> SafeString:
    return widget_html.field_html(bf)
