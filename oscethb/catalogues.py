"""The translation catalogues of the interface (locale/<language>/LC_MESSAGES/{django,djangojs}.po) and what is wrong
with them: what a translator still has to do, and what would break a page if it shipped.

Used by the tests (tests/test_catalogues.py: every problem fails the build) and by `make messages`, which runs
`python -m oscethb.catalogues` after updating the catalogues to print, per language, what is left to translate.

A problem names the file, the entry (its English text) and what is wrong:
- missing: no translation, or one plural form of it left empty;
- fuzzy: marked for review (makemessages' guess from a similar text, or a translator's doubt);
- placeholders: the translation does not keep exactly the placeholders of the English (`%(name)s`, `%s`, `{name}`),
  which would print a raw placeholder or fail when the page is rendered;
- markup: the translation does not keep the HTML tags of the English (a lost `</strong>` breaks the page);
- plural forms: the header's Plural-Forms is not the language's (Russian has three forms: 1, 2–4, 5–20).

The compiled .mo files are committed beside the .po files (as Django itself does) so that a checkout serves every
language without gettext installed; `stale_compiled` tells when a .mo no longer says what its .po says.
"""

from __future__ import annotations

import gettext
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"
DOMAINS = ("django", "djangojs")
# The languages translated from English, and each one's plural rule (the GNU gettext standard forms).
PLURAL_FORMS = {
    "fr": "nplurals=2; plural=(n > 1);",
    "de": "nplurals=2; plural=(n != 1);",
    "it": "nplurals=2; plural=(n != 1);",
    "es": "nplurals=2; plural=(n != 1);",
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
}
TRANSLATED = tuple(PLURAL_FORMS)

_PRINTF = re.compile(r"%(?:\([A-Za-z_][A-Za-z0-9_]*\))?[-+ #0]*\d*(?:\.\d+)?[sdifr]|%%")
_BRACES = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)\b")


@dataclass(frozen=True)
class Problem:
    path: str
    msgid: str
    what: str

    def __str__(self) -> str:
        return f"{self.path}: {self.what}: {self.msgid[:80]!r}"


def catalogue_path(language: str, domain: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{domain}.po"


def _placeholders(text: str, entry: polib.POEntry) -> Counter[str]:
    found: Counter[str] = Counter()
    if "python-format" in entry.flags or "javascript-format" in entry.flags:
        found.update(_PRINTF.findall(text))
    if "python-brace-format" in entry.flags:
        found.update(_BRACES.findall(text))
    return found


def forms_only_for_one(plural_forms: str) -> frozenset[int]:
    """The plural forms that the language uses for n = 1 alone (English, German: form 0; French uses form 0 for 0 and
    1, Russian for 1, 21, 31…): only those may leave the count out ("une fois" would be wrong for 0)."""
    rule = gettext.c2py(plural_forms.split("plural=", 1)[1].rstrip(";").strip())
    nplurals = int(plural_forms.split(";")[0].split("=")[1])
    used_by: dict[int, set[int]] = {form: set() for form in range(nplurals)}
    for n in range(0, 1001):
        used_by[rule(n)].add(n)
    return frozenset(form for form, numbers in used_by.items() if numbers == {1})


def _check_entry(
    path: str, entry: polib.POEntry, nplurals: int, only_one: frozenset[int] = frozenset()
) -> list[Problem]:
    problems: list[Problem] = []
    if entry.fuzzy:
        problems.append(Problem(path, entry.msgid, "fuzzy"))
    if entry.msgid_plural:
        forms = [entry.msgstr_plural.get(i, "") for i in range(nplurals)]
        if not all(forms):
            problems.append(Problem(path, entry.msgid, f"missing ({sum(1 for f in forms if f)} of {nplurals} forms)"))
        english = [entry.msgid, entry.msgid_plural]
    else:
        forms = [entry.msgstr]
        if not entry.msgstr:
            problems.append(Problem(path, entry.msgid, "missing"))
        english = [entry.msgid]
    expected = _placeholders(english[-1], entry) | _placeholders(english[0], entry)
    for index, form in enumerate(forms):
        if not form:
            continue
        # A plural form used for n == 1 alone may leave out the count ("one answer"); every other form keeps every
        # placeholder, and none brings a placeholder of its own.
        got = _placeholders(form, entry)
        may_drop = entry.msgid_plural and index in only_one
        if set(got) - set(expected) or (not may_drop and got != expected):
            problems.append(Problem(path, entry.msgid, f"placeholders {sorted(expected)} became {sorted(got)}"))
            break
        if sorted(_TAG.findall(form)) != sorted(_TAG.findall(english[0])):
            problems.append(Problem(path, entry.msgid, "markup: the translation's HTML tags differ"))
            break
    return problems


def problems(language: str, domain: str) -> list[Problem]:
    path = catalogue_path(language, domain)
    shown = str(path.relative_to(LOCALE.parent))
    if not path.exists():
        return [Problem(shown, "", "no catalogue")]
    po = polib.pofile(str(path))
    found: list[Problem] = []
    if po.metadata.get("Plural-Forms", "").strip() != PLURAL_FORMS[language]:
        found.append(Problem(shown, "", f"Plural-Forms is {po.metadata.get('Plural-Forms')!r}"))
    nplurals = int(PLURAL_FORMS[language].split(";")[0].split("=")[1])
    only_one = forms_only_for_one(PLURAL_FORMS[language])
    for entry in po:
        if not entry.obsolete:
            found.extend(_check_entry(shown, entry, nplurals, only_one))
    return found


def stale_compiled(language: str, domain: str) -> list[str]:
    """The English texts whose translation in the committed .mo differs from the .po (or is absent from it)."""
    po_path = catalogue_path(language, domain)
    mo_path = po_path.with_suffix(".mo")
    if not po_path.exists():
        return []
    if not mo_path.exists():
        return ["(no compiled catalogue: run make messages)"]
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, dict(e.msgstr_plural)) for e in polib.mofile(str(mo_path))}
    stale = []
    for e in polib.pofile(str(po_path)):
        if e.obsolete or e.fuzzy or not e.translated():
            continue
        got = compiled.get((e.msgctxt, e.msgid))
        want = (e.msgstr, {int(k): v for k, v in e.msgstr_plural.items()}) if e.msgid_plural else (e.msgstr, {})
        if got is None or (
            got[0] != want[0] if not e.msgid_plural else {int(k): v for k, v in got[1].items()} != want[1]
        ):
            stale.append(e.msgid)
    return stale


def status() -> str:
    """One line per catalogue: entries, translated, and what is left; the first problems of each below it."""
    lines = []
    for language in TRANSLATED:
        for domain in DOMAINS:
            path = catalogue_path(language, domain)
            if not path.exists():
                continue
            po = polib.pofile(str(path))
            left = problems(language, domain)
            lines.append(
                f"{language} {domain}: {len(po)} texts, {po.percent_translated()}% translated, {len(left)} to do"
            )
            lines.extend(f"    {problem}" for problem in left[:10])
            if len(left) > 10:
                lines.append(f"    … and {len(left) - 10} more (msgattrib --untranslated {path})")
    return "\n".join(lines)


# What makemessages leaves out: the virtualenv, tests and benchmarks (their texts are never shown to a person),
# vendored and built files.
IGNORE = (
    ".venv/*",
    "tests/*",
    "*/tests/*",
    "bench/*",
    "node_modules/*",
    "*/node_modules/*",
    "static/vendor/*",
    "staticfiles/*",
    "var/*",
    "assets/*",
    "docs/*",
)


def update(languages: tuple[str, ...] = TRANSLATED) -> None:
    """Extract every text of the code, templates and JavaScript into the catalogues (new texts come in empty,
    texts gone from the code are dropped), then compile them. Runs from the project's root."""
    from django.core.management import call_command

    for domain in DOMAINS:
        call_command(
            "makemessages",
            locale=list(languages),
            domain=domain,
            ignore_patterns=list(IGNORE),
            no_location=True,
            no_obsolete=True,
            verbosity=0,
        )
    call_command(
        "compilemessages", locale=list(languages), ignore_patterns=[".venv", "node_modules", "var"], verbosity=0
    )


if __name__ == "__main__":
    # python -m oscethb.catalogues [update]: `make messages` runs it with "update".
    if sys.argv[1:] == ["update"]:
        import os

        import django

        os.chdir(LOCALE.parent)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oscethb.settings")
        django.setup()
        update()
    print(status())
