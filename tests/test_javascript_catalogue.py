"""The texts of static/js/*.js reach the browser through Django's JavaScript catalogue (`/jsi18n/`).

A text is only translated if `makemessages -d djangojs` extracts it, which needs a plain call with a literal:
`gettext("…")`, `ngettext("…", "…", n)`. These tests read every such literal in static/js and check that
- no gettext/ngettext call there takes anything else (a variable, a template literal, a wrapper's argument);
- the catalogue that `makemessages -d djangojs` builds from the files, served by the project's `/jsi18n/` for
  English, holds every one of them (the extraction and the view's LOCALE_PATHS agree);
- every language's djangojs.po in locale/, once there, has every one of them as a msgid: a text changed in a
  script without the catalogues being regenerated is caught rather than shown in English.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from oscethb.catalogues import TRANSLATED

JS_DIR = Path(settings.BASE_DIR) / "static" / "js"
LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
STRING = r'"((?:[^"\\\n]|\\.)*)"'
CALL = re.compile(r"\b(n?gettext)\s*\(")
LITERAL_CALL = re.compile(r"\b(?:gettext\(\s*" + STRING + r"|ngettext\(\s*" + STRING + r"\s*,\s*" + STRING + r")")


def _scripts() -> list[Path]:
    return sorted(JS_DIR.glob("*.js"))


def js_msgids() -> set[str]:
    """Every msgid (singular, and plural for ngettext) that a call in static/js/*.js passes as a literal."""
    found: set[str] = set()
    for script in _scripts():
        for match in LITERAL_CALL.finditer(script.read_text()):
            found.update(json.loads(f'"{text}"') for text in match.groups() if text is not None)
    return found


def test_the_scripts_show_translated_texts() -> None:
    assert {"Saving…", "Pasted %(count)s cells; they are being saved."} <= js_msgids()


@pytest.mark.parametrize("script", _scripts(), ids=lambda p: p.name)
def test_every_gettext_call_in_the_scripts_takes_literal_text(script: Path) -> None:
    source = script.read_text()
    calls = [m.start() for m in CALL.finditer(source)]
    literal = {m.start() for m in LITERAL_CALL.finditer(source)}
    assert [source[at : at + 60] for at in calls if at not in literal] == []


@pytest.mark.django_db
def test_every_javascript_text_is_in_the_english_javascript_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: pytest.FixtureRequest
) -> None:
    shutil.copytree(JS_DIR, tmp_path / "static" / "js")
    locale = tmp_path / "locale"
    locale.mkdir()
    settings.LOCALE_PATHS = [locale]  # type: ignore[attr-defined]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", domain="djangojs", locale=["en"], verbosity=0)
    po = polib.pofile(str(locale / "en" / "LC_MESSAGES" / "djangojs.po"))
    for entry in po:  # English as its own translation, so that the catalogue lists every text
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
    po.save_as_mofile(str(locale / "en" / "LC_MESSAGES" / "djangojs.mo"))
    cache.clear()  # the view is cached: serve the catalogue just built
    try:
        body = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("javascript-catalog")).content.decode()
    finally:
        cache.clear()

    assert {entry.msgid for entry in po} | {entry.msgid_plural for entry in po if entry.msgid_plural} == js_msgids()
    missing = [text for text in sorted(js_msgids()) if json.dumps(text) not in body]
    assert missing == []


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE])
def test_every_javascript_text_is_in_each_language_catalogue(language: str) -> None:
    path = LOCALE_DIR / language / "LC_MESSAGES" / "djangojs.po"
    assert path.is_file(), f"{path.relative_to(settings.BASE_DIR)} is missing: run make messages"
    po = polib.pofile(str(path))
    msgids = {entry.msgid for entry in po if not entry.obsolete}
    msgids |= {entry.msgid_plural for entry in po if entry.msgid_plural and not entry.obsolete}
    assert sorted(js_msgids() - msgids) == []


@pytest.mark.django_db
def test_the_javascript_catalogue_speaks_the_language_the_page_names(client: Any) -> None:
    """/jsi18n/?language=xx gives the scripts that language's texts (the autosave's "Saving…"), whatever the
    cookie says, one language after the other without clearing anything in between."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    for language in TRANSLATED:
        po = polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "djangojs.po"))
        saving = next(entry for entry in po if entry.msgid == "Saving…")
        assert saving.msgstr
        assert saving.msgstr != saving.msgid
        response = client.get(reverse("javascript-catalog") + f"?language={language}")
        body = response.content.decode()
        assert json.dumps(saving.msgstr) in body or json.dumps(saving.msgstr, ensure_ascii=False) in body, language
        assert "max-age=86400" in response["Cache-Control"]
