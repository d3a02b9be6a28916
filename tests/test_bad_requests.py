"""Bad input in the address never ends in a 500."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "url",
    [
        "/rounds/thb-2016/respond/A%00T/",
        "/rounds/thb%002016/questionnaire/",
        "/staff/rounds/thb-2016/responses/?status=sub%00mitted",
        "/organisations/A%00T/people/",
    ],
)
def test_a_nul_character_in_the_address_is_a_clear_400(client, db, url):
    result = client.get(url)
    assert result.status_code == 400
    assert b"NUL" in result.content
