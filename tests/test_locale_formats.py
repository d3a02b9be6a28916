"""Dates and numbers per locale: one date and one large number through the template filters in the six languages.

English dates come from oscethb/formats/en ("16 January 2027"), the other languages' from Django's locale formats
and catalogues (month names, Russian genitive). Thousands separators appear only where a template asks for them
(USE_THOUSAND_SEPARATOR is off, see oscethb/settings.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

NBSP = "\xa0"  # Django's thousands separator for French, Russian and Spanish (a non-breaking space)

EXPECTED = {
    "en": ("16 January 2027", "1,234,567", "1,234,567.50", "1234567"),
    "fr": ("16 janvier 2027", f"1{NBSP}234{NBSP}567", f"1{NBSP}234{NBSP}567,50", "1234567"),
    "de": ("16. Januar 2027", "1.234.567", "1.234.567,50", "1234567"),
    # Django's Italian catalogue capitalises month names (both forms); Italian prose writes "16 gennaio 2027".
    "it": ("16 Gennaio 2027", "1.234.567", "1.234.567,50", "1234567"),
    "ru": ("16 января 2027 г.", f"1{NBSP}234{NBSP}567", f"1{NBSP}234{NBSP}567,50", "1234567"),
    "es": ("16 de enero de 2027", f"1{NBSP}234{NBSP}567", f"1{NBSP}234{NBSP}567,50", "1234567"),
}

TEMPLATE = Template(
    '{% load humanize %}{{ day|date:"DATE_FORMAT" }}|{{ count|intcomma }}|{{ amount|floatformat:"2g" }}|{{ count }}'
)


def test_every_site_language_is_checked() -> None:
    assert set(EXPECTED) == {code for code, _name in settings.LANGUAGES}


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_a_date_and_a_large_number_in_each_language(language: str) -> None:
    with translation.override(language):
        rendered = TEMPLATE.render(Context({"day": dt.date(2027, 1, 16), "count": 1234567, "amount": 1234567.5}))
    assert rendered.split("|") == list(EXPECTED[language])
