"""Totals on the dashboards are written the way the reader's language writes numbers: thousands grouped from
10 000 on (with the language's separator: a no-break space in Russian, French and Spanish, a dot in German and
Italian, a comma in English), years and smaller numbers as they are."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import formats, translation

from reports.dashboard.common import figure_text


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_a_large_total_is_grouped_as_the_language_writes_it(language: str) -> None:
    with translation.override(language):
        separator = formats.get_format("THOUSAND_SEPARATOR", lang=language)
        decimal = formats.get_format("DECIMAL_SEPARATOR", lang=language)
        assert figure_text(Decimal("17245.0000")) == f"17{separator}245"
        assert figure_text(Decimal("1234567.5")) == f"1{separator}234{separator}567{decimal}5"
        assert figure_text(2019) == "2019"
        assert figure_text(Decimal("2.5000")) == f"2{decimal}5"
    assert separator.strip() or separator == "\u00a0"  # never nothing
    if language in ("ru", "fr"):
        assert separator.isspace()
