"""The section page's question blocks kept per process (responses/block_cache.py): a page written from kept blocks
is the page written afresh, and a kept block is never shown where anything it shows has changed: another person's
save, the person's right to edit, the language, a show-if rule, the round's definition."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from responses import block_cache
from responses.tests.test_section_html import normalised

from .conftest import answer, question

SECTION = "/rounds/thb-2016/respond/AT/section/PRV.SUP/"

# Committed, as in production: a round this thread changed without committing has no blocks kept (its structure
# version may be given out again after a rollback), and a test's own transaction never commits.
pytestmark = pytest.mark.django_db(transaction=True)


def _block(html: str, code: str) -> str:
    found = re.search(
        rf'<div class="question card[^"]*" id="q-{re.escape(code)}".*?(?=<div class="question card|$)', html, re.S
    )
    assert found, code
    return found.group(0)


def test_a_page_written_from_kept_blocks_is_the_page_written_afresh(client, response_at, people):
    answer(response_at, "PRV.SUP.01", "yes", people.contributor)
    client.force_login(people.coordinator)
    fresh = client.get(SECTION).content.decode()
    kept = len(block_cache._blocks)
    assert kept >= 3  # the section's questions were kept ...
    again = client.get(SECTION).content.decode()
    assert len(block_cache._blocks) == kept  # ... and read, not written again
    assert normalised(again) == normalised(fresh)


def test_another_persons_save_is_shown_at_the_next_view(client, response_at, people):
    client.force_login(people.coordinator)
    before = _block(client.get(SECTION).content.decode(), "PRV.SUP.01")
    assert "checked" not in before
    answer(response_at, "PRV.SUP.01", "in_process", people.contributor)
    after = _block(client.get(SECTION).content.decode(), "PRV.SUP.01")
    assert re.search(r'<input[^>]*value="in_process"[^>]*checked', after)
    assert 'name="v|PRV.SUP.01||" value="1"' in client.get(SECTION).content.decode()
    assert "data-last-changed" in after
    # PRV.SUP.03 is shown only when PRV.SUP.01 is "yes" or "in process": its kept hidden block is not reused.
    assert 'd-none" id="q-PRV.SUP.03"' not in client.get(SECTION).content.decode()
    answer(response_at, "PRV.SUP.01", "no", people.contributor)
    assert 'd-none" id="q-PRV.SUP.03"' in client.get(SECTION).content.decode()


def test_a_viewer_and_another_language_get_blocks_of_their_own(client, response_at, people):
    client.force_login(people.coordinator)
    editing = _block(client.get(SECTION).content.decode(), "PRV.SUP.02")
    assert "hx-post" in editing
    assert "disabled" not in editing
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    french = _block(client.get(SECTION).content.decode(), "PRV.SUP.02")
    assert "L'État exige-t-il" in french or "L&#x27;État exige-t-il" in french
    client.force_login(people.viewer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    viewing = _block(client.get(SECTION).content.decode(), "PRV.SUP.02")
    assert "hx-post" not in viewing
    assert "disabled" in viewing


def test_a_page_shown_again_with_what_was_posted_is_not_kept(client, response_at, people):
    client.force_login(people.coordinator)
    client.get(SECTION)
    kept = dict(block_cache._blocks)
    posted = client.post(SECTION, {"PRV.SUP.01||": "maybe", "v|PRV.SUP.01||": "0", "o|PRV.SUP.01||": "", "save": ""})
    assert posted.status_code == 422
    assert dict(block_cache._blocks) == kept  # nothing of the re-shown page was kept


def test_a_change_to_the_definition_is_shown_at_the_next_view(client, response_at, people):
    client.force_login(people.coordinator)
    assert "Is there a rule?" not in client.get(SECTION).content.decode()
    row = question(response_at.survey, "PRV.SUP.02")
    row.text = {**row.text, "en": "Is there a rule?"}
    row.save()  # as the admin saves it: the round's structure version goes up
    assert "Is there a rule?" in _block(client.get(SECTION).content.decode(), "PRV.SUP.02")


@pytest.mark.parametrize("limit", [1, 50_000])
def test_the_kept_blocks_stay_within_their_limit(client, response_at, people, monkeypatch, limit):
    monkeypatch.setattr(block_cache, "LIMIT_CHARS", limit)
    client.force_login(people.coordinator)
    for section in ["PRV.SUP", "PRV.AWR", "PRV.SUP"]:
        assert client.get(f"/rounds/thb-2016/respond/AT/section/{section}/").status_code == 200
    assert sum(len(html) for html in block_cache._blocks.values()) <= limit
    assert block_cache._size == sum(len(html) for html in block_cache._blocks.values())


def test_a_kept_block_agrees_with_its_key_on_the_right_to_edit(client, response_at, people, monkeypatch):
    """The right to edit asks the clock (the deadline): the page reads it once, so a block kept as editable has its
    autosave and enabled inputs, and one kept as read-only has neither, even if the answer changes mid-page."""
    from responses.access import ResponseAccess

    answers = iter([True, False] * 100)  # the deadline passing and an extension granted, on every read
    monkeypatch.setattr(ResponseAccess, "can_edit", property(lambda self: next(answers)))
    client.force_login(people.coordinator)
    client.get(SECTION)
    client.get("/rounds/thb-2016/respond/AT/section/PAR.NAT/")  # with a document question (PAR.NAT.06)
    assert block_cache._blocks
    uploads = 0
    for key, html in block_cache._blocks.items():
        editable = key[5]
        assert ("hx-post" in html) is editable, key
        if 'id="q-PAR.NAT.06"' in html:  # a document question: its upload field is shown only to who may edit
            uploads += 1
            assert (re.search(r'<input[^>]*type="file"', html) is not None) is editable, key
            continue
        assert (re.search(r"<(input|textarea|select)[^>]*\bdisabled\b", html) is None) is editable, key
    assert uploads == 1


@pytest.mark.django_db(transaction=False)
def test_no_block_is_kept_of_a_round_whose_change_is_not_committed(client, response_at, people):
    # The round was loaded in this test's transaction, which never commits: its structure version may be given out
    # again after a rollback, to another definition, so nothing of it is kept.
    client.force_login(people.coordinator)
    assert client.get(SECTION).status_code == 200
    assert not block_cache._blocks


def test_a_document_question_is_kept_without_documents_and_an_upload_or_removal_shows_at_the_next_view(
    client, response_at, people, settings, tmp_path
):
    """PAR.NAT.06 asks for a document: with none, its block (the upload field) is kept like any other; once one is
    uploaded the page lists it (never a kept block without it), and once it is removed the list is gone again."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from responses.models import Evidence

    from .test_evidence import PDF

    settings.MEDIA_ROOT = str(tmp_path)
    page = "/rounds/thb-2016/respond/AT/section/PAR.NAT/"
    client.force_login(people.coordinator)
    first = _block(client.get(page).content.decode(), "PAR.NAT.06")
    assert 'data-evidence="' not in first
    assert any(key[6] == question(response_at.survey, "PAR.NAT.06").pk for key in block_cache._blocks)
    assert _block(client.get(page).content.decode(), "PAR.NAT.06") == first  # from the kept block

    autosave = "/rounds/thb-2016/respond/AT/autosave/PAR.NAT.06/"
    client.post(autosave, {"file|PAR.NAT.06": SimpleUploadedFile("plan.pdf", PDF)})
    listed = _block(client.get(page).content.decode(), "PAR.NAT.06")
    assert 'data-evidence="plan.pdf"' in listed

    item = Evidence.objects.get(response=response_at)
    assert client.post(reverse("responses:evidence-delete", args=[item.pk])).status_code in (200, 302)
    assert not Evidence.objects.filter(response=response_at).exists()
    assert 'data-evidence="' not in _block(client.get(page).content.decode(), "PAR.NAT.06")
