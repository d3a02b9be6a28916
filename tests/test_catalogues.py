"""The interface's translation catalogues: complete in the five languages translated from English, current with the
code, compiled, and each checked the way it would break a page (oscethb/catalogues.py says what each check means)."""

from __future__ import annotations

import shutil
from pathlib import Path

import polib
import pytest
from django.test import override_settings
from django.utils import translation

from oscethb import catalogues
from oscethb.catalogues import DOMAINS, TRANSLATED, Problem, catalogue_path, problems, stale_compiled

CATALOGUES = [(language, domain) for language in TRANSLATED for domain in DOMAINS]


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_every_text_is_translated_checked_and_kept_whole(language: str, domain: str) -> None:
    found = problems(language, domain)
    assert not found, f"{len(found)} texts to fix in {language} {domain}:\n" + "\n".join(map(str, found[:40]))


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_the_committed_compiled_catalogue_says_what_the_po_says(language: str, domain: str) -> None:
    stale = stale_compiled(language, domain)
    assert not stale, f"run `make messages`: the .mo of {language} {domain} is out of date for {stale[:5]}"


def test_the_catalogues_hold_every_text_of_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """makemessages on the code now gives exactly the texts of the committed catalogues: a text added without
    `make messages` (so never translated) or one left behind in the catalogue both fail here."""
    if not (shutil.which("xgettext") and shutil.which("msgmerge")):
        pytest.fail("GNU gettext is needed to extract the texts: apt-get install gettext")
    # makemessages writes each text to the catalogue nearest the file, so it runs on a copy of the sources without
    # their locale/ (the committed catalogues stay untouched).
    root = catalogues.LOCALE.parent
    copy = tmp_path / "src"
    skip = shutil.ignore_patterns(".venv", "node_modules", "locale", "var", ".git", "__pycache__", "media", "vendor")
    shutil.copytree(root, copy, ignore=skip, symlinks=True)
    monkeypatch.chdir(copy)
    fresh = copy / "locale"
    (fresh / "fr" / "LC_MESSAGES").mkdir(parents=True)
    with override_settings(LOCALE_PATHS=[fresh]):
        from django.core.management import call_command

        for domain in DOMAINS:
            call_command(
                "makemessages",
                locale=["fr"],
                domain=domain,
                ignore_patterns=list(catalogues.IGNORE),
                no_location=True,
                verbosity=0,
            )
    for domain in DOMAINS:
        extracted = fresh / "fr" / "LC_MESSAGES" / f"{domain}.po"
        in_code = {(e.msgctxt, e.msgid) for e in polib.pofile(str(extracted))} if extracted.exists() else set()
        committed_path = catalogue_path("fr", domain)
        committed = (
            {(e.msgctxt, e.msgid) for e in polib.pofile(str(committed_path)) if not e.obsolete}
            if committed_path.exists()
            else set()
        )
        assert not in_code - committed, f"{domain}: texts not in the catalogues (run make messages): " + repr(
            sorted(in_code - committed)[:10]
        )
        assert not committed - in_code, f"{domain}: texts no longer in the code (run make messages): " + repr(
            sorted(committed - in_code)[:10]
        )


def test_russian_counts_take_the_three_forms_of_the_language() -> None:
    """1 ответ, 2 ответа, 5 ответов: the catalogue's plural rule picks the form by the Russian rule, 11–14 and
    111 included, through Django's ngettext."""
    po = polib.pofile(str(catalogue_path("ru", "django")))
    entry = next(e for e in po if e.msgid_plural and "%(" in e.msgid and all(e.msgstr_plural.values()))
    with translation.override("ru"):
        shown = {n: translation.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2, 5, 11, 21, 22, 25, 111)}
    forms = entry.msgstr_plural
    assert [shown[n] for n in (1, 21)] == [forms[0], forms[0]]
    assert [shown[n] for n in (2, 22)] == [forms[1], forms[1]]
    assert [shown[n] for n in (5, 11, 25, 111)] == [forms[2]] * 4
    assert len({forms[0], forms[1], forms[2]}) > 1, "the three Russian forms are all the same text"


@pytest.mark.parametrize(
    ("msgid", "msgstr", "flags", "what"),
    [
        ("Saved %(n)d answers", "", ["python-format"], "missing"),
        ("Saved %(n)d answers", "%(n)d réponses enregistrées", ["python-format", "fuzzy"], "fuzzy"),
        ("Saved %(n)d answers", "%(count)d réponses enregistrées", ["python-format"], "placeholders"),
        ("Saved %(n)d answers", "Réponses enregistrées", ["python-format"], "placeholders"),
        ("Open <strong>now</strong>", "Ouvrir <strong>maintenant", [], "markup"),
    ],
)
def test_each_broken_translation_is_named(msgid: str, msgstr: str, flags: list[str], what: str) -> None:
    entry = polib.POEntry(msgid=msgid, msgstr=msgstr, flags=flags)
    found = catalogues._check_entry("x.po", entry, 2)
    assert [p.what.split(" ")[0].rstrip(":") for p in found] == [what]
    assert isinstance(found[0], Problem)
    assert msgid in str(found[0])


def test_only_a_form_for_one_alone_may_leave_the_count_out() -> None:
    """German form 0 is n = 1 only: "einmal" is fine. French form 0 is also n = 0, Russian form 0 also 21, 31…:
    they must keep the count, or "0 fois" reads "une fois" and "21 раз" reads "один раз"."""
    from oscethb.catalogues import PLURAL_FORMS, forms_only_for_one

    assert forms_only_for_one(PLURAL_FORMS["de"]) == {0}
    assert forms_only_for_one(PLURAL_FORMS["fr"]) == frozenset()
    assert forms_only_for_one(PLURAL_FORMS["ru"]) == frozenset()
    entry = polib.POEntry(msgid="once", msgid_plural="%(counter)s times", flags=["python-format"])
    entry.msgstr_plural = {0: "einmal", 1: "%(counter)s-mal"}
    assert catalogues._check_entry("de.po", entry, 2, forms_only_for_one(PLURAL_FORMS["de"])) == []
    entry.msgstr_plural = {0: "une fois", 1: "%(counter)s fois"}
    assert catalogues._check_entry("fr.po", entry, 2, forms_only_for_one(PLURAL_FORMS["fr"]))


def test_a_good_translation_is_not_a_problem() -> None:
    entry = polib.POEntry(
        msgid="Open <strong>%(name)s</strong> now", msgstr="Ouvrir <strong>%(name)s</strong>", flags=["python-format"]
    )
    assert catalogues._check_entry("x.po", entry, 2) == []
