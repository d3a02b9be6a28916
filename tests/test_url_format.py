"""Links built by string formatting from one `reverse` (oscethb/url_format.py) are exactly what `reverse` gives."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from oscethb.url_format import url_format

VALUES = ["AT", "ngo-at-one", "PRV.SUP.01", "a_b", "~x", "É", "a b", "a%2Fb", "?", "#", "..", "."]


@pytest.mark.parametrize(
    ("viewname", "args"),
    [
        ("responses:response-home", ["thb-2016"]),  # <slug:slug>/respond/<str:org_code>/
        ("reports:dashboard-question", ["thb-2016"]),  # <slug:slug>/questions/<str:code>/
    ],
)
def test_a_formatted_link_is_the_reversed_one(viewname: str, args: list[str]) -> None:
    url = url_format(viewname, *args)
    for value in VALUES:
        assert url(value) == reverse(viewname, args=[*args, value]), value


def test_a_slug_argument_accepts_what_reverse_accepts_and_refuses_the_rest() -> None:
    url = url_format("reports:dashboard-round")  # <slug:slug>/dashboard/
    assert url("thb-2016") == reverse("reports:dashboard-round", args=["thb-2016"])
    for value in ("thb.2016", "a b", "É"):
        with pytest.raises(NoReverseMatch):
            url(value)


def test_a_value_that_is_no_path_segment_is_refused_like_reverse_refuses_it() -> None:
    url = url_format("responses:response-home", "thb-2016")
    with pytest.raises(NoReverseMatch):
        url("a/b")
    with pytest.raises(NoReverseMatch):
        url("")
