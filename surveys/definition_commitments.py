"""Reading the documents and commitments of a definition file (docs/survey-definitions.md, "Commitments").

`documents:` maps a key (AP2003) to the title of a source document in six languages. `commitments:` is a list of
{code, title, document, paragraph, area}: what the Office reports findings by. A question's `commitments:` lists
commitment codes. Every problem is reported like the loader's others, with its place and line.

The earlier shape (a `commitments:` mapping of documents and free-text references on areas and questions) is
refused with a sentence saying what to write instead: guessing which commitment a free text meant would put
findings under the wrong heading without anyone noticing.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from .definition_reader import COMMITMENT_RE, _Checker

COMMITMENT_KEYS = {"code", "title", "document", "paragraph", "area"}
DOCUMENT_KEY_RE = re.compile(r"^\S{1,40}$")


def read_documents(c: _Checker, raw: Any) -> dict[str, Any]:
    """{key: {"title": texts}} of the source documents."""
    data = c.mapping(raw, "documents", required=False)
    result: dict[str, Any] = {}
    for key, value in data.items():
        path = f"documents.{key}"
        if not isinstance(key, str) or not DOCUMENT_KEY_RE.match(key):
            c.add(
                path,
                _("invalid document key %(key)s (expected up to 40 characters without spaces, e.g. AP2003)")
                % {"key": repr(key)},
            )
            continue
        entry = c.mapping(value, path)
        c.unknown_keys(entry, {"title"}, path)
        result[key] = {"title": c.texts(entry.get("title"), f"{path}.title")}
    return result


def read_commitments(c: _Checker, raw: Any, documents: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The commitments in file order; None when the file still has the earlier shape (reported once)."""
    if isinstance(raw, dict):
        c.add(
            "commitments",
            _(
                "commitments is now a list of {code, title, document, paragraph, area}; move this mapping of source "
                "documents under documents: and list the commitments that questions refer to by code "
                "(docs/survey-definitions.md)"
            ),
        )
        return None
    result = []
    seen: set[str] = set()
    for index, item in enumerate(c.sequence(raw, "commitments", required=False)):
        path = f"commitments[{index}]"
        entry = c.mapping(item, path)
        c.unknown_keys(entry, COMMITMENT_KEYS, path)
        code = c.code(entry.get("code"), f"{path}.code", COMMITMENT_RE, "commitment code")
        if code and code in seen:
            c.add(f"{path}.code", _("duplicate commitment code %(code)s") % {"code": repr(code)})
        seen.add(code)
        document = entry.get("document")
        if not isinstance(document, str) or document not in documents:
            if documents:
                message = _("unknown document %(key)s (documents: %(defined)s)") % {
                    "key": repr(document),
                    "defined": ", ".join(documents),
                }
            else:
                message = _("unknown document %(key)s (list the source documents under documents:)") % {
                    "key": repr(document)
                }
            c.add(f"{path}.document", message)
        paragraph: Any = entry.get("paragraph")
        if isinstance(paragraph, dict):  # words in each language: {en: "ch. IV", fr: "chap. IV", ...}
            paragraph = c.texts(paragraph, f"{path}.paragraph") or None
        elif paragraph is not None and (not isinstance(paragraph, (str, int)) or not str(paragraph).strip()):
            c.add(f"{path}.paragraph", _('expected a text, e.g. "ch. IV" or "III.1"'))
            paragraph = None
        elif paragraph is not None:
            paragraph = str(paragraph).strip()  # a reference the same in every language, e.g. "III.1"
        result.append(
            {
                "code": code,
                "title": c.texts(entry.get("title"), f"{path}.title"),
                "document": document if isinstance(document, str) else "",
                "paragraph": paragraph if paragraph is not None else "",
                "area": _area(c, entry.get("area"), f"{path}.area"),
            }
        )
    return result


def _area(c: _Checker, raw: Any, path: str) -> str:
    """The commitment's area code as written ("" when missing or blank, reported); `check_references` checks it."""
    if raw is None:
        c.add(path, _("is missing"))
    elif not isinstance(raw, str):
        c.add(path, _("expected an area code"))
    elif not raw.strip():
        c.add(path, _("expected an area code, not an empty text: every commitment names the area it belongs to"))
    else:
        return raw
    return ""


def refuse_area_commitments(c: _Checker, area: dict[str, Any], path: str) -> None:
    """An area's own list of references is the earlier shape: each commitment now names its area."""
    if "commitments" in area:
        c.add(
            f"{path}.commitments",
            _("areas no longer list commitments: each commitment in the top-level commitments list names its area"),
        )


def read_references(c: _Checker, raw: Any, path: str) -> list[str]:
    """A question's commitment codes as written; checked against the commitments list by `check_references`."""
    items = c.sequence(raw, path, required=False)
    result = []
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            c.add(f"{path}[{index}]", _("expected a commitment code"))
        else:
            result.append(item.strip())
    return result


def written_codes(raw: Any) -> set[str]:
    """The commitment codes as written, valid or not (a wrong code is reported once, where it is defined)."""
    if not isinstance(raw, list):
        return set()
    return {str(item["code"]) for item in raw if isinstance(item, dict) and item.get("code") is not None}


def check_references(
    c: _Checker, commitments: list[dict[str, Any]] | None, areas: list[dict[str, Any]], written: set[str]
) -> None:
    """Each commitment's area exists; each question refers to known commitments, once each."""
    if commitments is None:
        return  # the earlier shape, already reported
    area_codes = [a["code"] for a in areas if a["code"]]
    for index, commitment in enumerate(commitments):
        if commitment["area"] and commitment["area"] not in area_codes:
            c.add(
                f"commitments[{index}].area",
                _("unknown area %(code)s (areas: %(defined)s)")
                % {"code": repr(commitment["area"]), "defined": ", ".join(area_codes)},
            )
    known = [k["code"] for k in commitments if k["code"]]
    for a_index, area in enumerate(areas):
        for s_index, section in enumerate(area["sections"]):
            for q_index, question in enumerate(section["items"]):
                seen: set[str] = set()
                for r_index, ref in enumerate(question["commitments"]):
                    path = f"areas[{a_index}].sections[{s_index}].items[{q_index}].commitments[{r_index}]"
                    if ref in seen:
                        c.add(path, _("commitment %(code)s is listed twice") % {"code": repr(ref)})
                    elif ref not in known and ref not in written:
                        c.add(path, _unknown(ref, known))
                    seen.add(ref)


def _unknown(ref: str, known: list[str]) -> str:
    if not known:
        return _("unknown commitment %(code)s (the file's commitments list is empty)") % {"code": repr(ref)}
    return _("unknown commitment %(code)s (use a code of the commitments list: %(defined)s)") % {
        "code": repr(ref),
        "defined": ", ".join(known),
    }
