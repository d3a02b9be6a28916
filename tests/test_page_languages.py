"""Every page of the respondent and staff journeys speaks the reader's language: none of the English page's interface
texts is left on the French, German, Italian, Russian or Spanish page.

The pages are those of the URL × role table (tests/test_access.py) that a respondent (a State's coordinator, an
NGO's coordinator), the Office's staff or a visitor may open with GET, in the same world. Each is rendered in English
and in the language; every visible text of the English page (text between tags, and the title, alt, aria-label and
placeholder a screen reader or a tooltip shows) that is also on the other page is a failure, unless it is:
- data, not interface: a name, an address, a typed answer or comment stored in the database, a question code, a
  number, a date or a file name;
- the language switch, which names each language in that language;
- the same word in both languages, as a translator confirmed in the catalogue (msgstr equal to msgid, "Total").

So a text that was never marked for translation fails here even though no catalogue knows it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from html.parser import HTMLParser
from typing import Any

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language_info

from oscethb.catalogues import TRANSLATED, catalogue_path

from .access_helpers import OK, World, body_of, client_for
from .test_access import EXPECTATIONS, Case, w, world  # noqa: F401  (the world fixtures of the table)

JOURNEY_ROLES = ("anonymous", "coordinator_a", "ngo_coordinator", "staff")
SHOWN_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")
# Not read as interface text: scripts and styles, and what the page marks as code (a file's column names, a
# command): literal tokens that stay as they are in every language.
HIDDEN_OR_CODE = ("script", "style", "template", "code", "kbd", "samp", "pre")


class _Texts(HTMLParser):
    """The visible texts of a page: text nodes (whitespace collapsed) and the shown attributes, not scripts or code."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: set[str] = set()
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN_OR_CODE:
            self._hidden += 1
        for name, value in attrs:
            if name in SHOWN_ATTRIBUTES and value:
                self._add(value)
            if tag == "input" and name == "value" and value and ("type", "submit") in attrs:
                self._add(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN_OR_CODE and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._add(data)

    def _add(self, text: str) -> None:
        text = " ".join(text.split())
        if text:
            self.texts.add(text)


def visible_texts(html: str) -> set[str]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


# Codes (PRO.LEG.01, GEN.R, thb-2016, AT), numbers, dates, addresses, file names and symbols carry no language.
_NOT_WORDS = re.compile(
    r"[A-Z0-9]+(?:[._-][A-Za-z0-9]+)+|[a-z0-9]+(?:_[a-z0-9]+)+|\boscethb\b|[\w.+-]+@[\w.-]+|\S+\.(?:pdf|xlsx|csv|docx|yaml|xml)\b|\b[A-Z]{2,}\b|[\d.,:/%+-]+"
)


def _has_words(text: str) -> bool:
    return bool(re.search(r"[^\W\d_]{3,}", _NOT_WORDS.sub(" ", text)))


# Stored texts that are interface, not data: a job's progress message is an English text translated when shown.
INTERFACE_FIELDS = {"message"}


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)


def _stored_texts() -> set[str]:
    """Every text stored in the project's own tables: names, addresses, answers, comments, and the texts of the
    rounds' definitions (data, not interface: that a shipped definition has every text in six languages is
    surveys/tests/test_definition_languages.py's check)."""
    found: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label not in ("accounts", "responses", "surveys", "reports", "auth"):
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if (isinstance(f, models.CharField | models.TextField) and f.name not in INTERFACE_FIELDS)
            or (isinstance(f, models.JSONField) and model._meta.app_label == "surveys")
        ]
        if fields:
            for row in model.objects.values_list(*fields):
                found.update(" ".join(text.split()) for value in row for text in _leaves(value) if text)
    return found


@cache
def _same_in(language: str) -> tuple[frozenset[str], tuple[re.Pattern[str], ...]]:
    """The English texts a translator confirmed are the same in the language ("Total", "Excel"; French "%(n)s
    questions"): plain ones, and those with placeholders as patterns (a placeholder matches any text)."""
    plain: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for entry in polib.pofile(str(catalogue_path(language, "django"))):
        pairs = [(entry.msgid, entry.msgstr)]
        if entry.msgid_plural:
            forms = list(entry.msgstr_plural.values())
            pairs = [(english, form) for english in (entry.msgid, entry.msgid_plural) for form in forms]
        for english, translated in pairs:
            if not translated or translated != english:
                continue
            parts = re.split(r"%\([A-Za-z_]+\)[sd]|%[sd]", " ".join(english.split()))
            if len(parts) == 1:
                plain.add(parts[0])
            elif any(char.isalpha() for part in parts for char in part):
                # Only a pattern with words of its own: "%(type)s %(name)s" would let any two words through.
                patterns.append(re.compile(".+?".join(re.escape(part) for part in parts)))
    return frozenset(plain), tuple(patterns)


def _language_names() -> set[str]:
    names = {get_language_info(code)[key] for code, _ in settings.LANGUAGES for key in ("name", "name_local")}
    return names | {name[:1].upper() + name[1:] for name in names}


def _journey_pages() -> Iterator[tuple[str, Case, str]]:
    for name, cases in EXPECTATIONS.items():
        if name.startswith("admin:"):
            continue  # Django's admin, translated by Django; not a respondent's or the Office's journey page
        for entry in cases:
            if entry.method != "GET":
                continue
            for role in JOURNEY_ROLES:
                if entry.expect.get(role) == OK:
                    yield name, entry, role


def _page(world_: World, role: str, name: str, entry: Case, language: str) -> str | None:
    client = client_for(world_, role)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    url = reverse(name, kwargs=entry.kwargs(world_)) + entry.query
    response = client.get(url, follow=True)
    body = body_of(response)
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        return None
    html = body.decode()
    assert f'lang="{language}"' in html, f"{name} as {role} is not marked as {language}"
    return html


_EDGES = " :;,.·—–-()○●☐☑"


def untranslated(english: str, other: str, language: str, stored: set[str]) -> list[str]:
    """The texts of the English page also on the other page that are interface, not data. A text joined from parts
    with " · " (a title: "Austria · thb-2016 · Dashboard") is judged part by part."""
    same, same_patterns = _same_in(language)
    allowed = same | _language_names() | stored
    left = set()
    for text in visible_texts(english) & visible_texts(other):
        if any(pattern.fullmatch(text) for pattern in same_patterns):
            continue
        for part in text.split(" · "):
            part = part.strip(_EDGES)
            if _has_words(part) and part not in allowed:
                left.add(part)
    return sorted(left)


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_english_interface_text_is_left_on_any_journey_page(w: World, language: str) -> None:  # noqa: F811
    stored = _stored_texts()
    left: dict[str, list[str]] = {}
    pages = 0
    for name, entry, role in _journey_pages():
        english = _page(w, role, name, entry, "en")
        if english is None:
            continue
        other = _page(w, role, name, entry, language)
        assert other is not None, f"{name} as {role} renders in English but not in {language}"
        pages += 1
        found = untranslated(english, other, language, stored)
        if found:
            left[f"{name}{'-' + entry.label if entry.label else ''} as {role}"] = found
    assert pages >= 30, f"only {pages} journey pages were rendered: the table changed?"
    report = "\n".join(f"{page}: {texts}" for page, texts in left.items())
    assert not left, f"English left on {len(left)} of {pages} pages in {language}:\n{report}"


def test_the_check_finds_an_english_text_and_ignores_data_codes_and_numbers() -> None:
    english = '<p>Required questions answered</p><p>PRO.LEG.01</p><p title="Austria">12 of 40</p><p>Austria</p>'
    french = '<p>Required questions answered</p><p>PRO.LEG.01</p><p title="Austria">12 sur 40</p><p>Austria</p>'
    assert untranslated(english, french, "fr", {"Austria"}) == ["Required questions answered"]
    french_ok = "<p>Questions obligatoires répondues</p><p>PRO.LEG.01</p><p>12 sur 40</p><p>Austria</p>"
    assert untranslated(english, french_ok, "fr", {"Austria"}) == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_text_confirmed_the_same_in_a_language_lets_any_english_sentence_through(language: str) -> None:
    """A catalogue entry made of placeholders alone ("%(type)s %(name)s" confirmed as is) once matched every text with
    a space, and the check above found nothing on any page."""
    _plain, patterns = _same_in(language)
    sentence = "Required questions answered, of 12 sections"
    assert [p.pattern for p in patterns if p.fullmatch(sentence)] == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_jobs_progress_is_shown_in_the_readers_language(w: World, language: str) -> None:  # noqa: F811
    """The worker stores what a job is doing as an English text; each reader reads it in their language."""
    run = w.report_run
    assert run is not None
    type(run).objects.filter(pk=run.pk).update(status="running", progress=45, message="counting answers")
    client = client_for(w, "staff")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = body_of(client.get(reverse("reports:report-run", args=[run.pk]))).decode()
    with translation.override(language):
        shown = translation.gettext("counting answers")
    assert shown != "counting answers"
    assert shown in page
    assert "counting answers" not in page
