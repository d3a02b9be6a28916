"""The directory of organisations: importing States, Partners and NGOs from a table (all-or-nothing)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Organisation
from ..tables import TableError as TableError  # re-exported: the people services raise it
from .tables_text import Table, row_problem, table_columns

STATE_CODE_RE = re.compile(r"^[A-Z]{2}$")
NGO_CODE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KINDS = {
    "state": Organisation.Kind.STATE,
    "participating state": Organisation.Kind.STATE,
    "partner": Organisation.Kind.PARTNER,
    "partner for co-operation": Organisation.Kind.PARTNER,
    "ngo": Organisation.Kind.NGO,
}
ORGANISATION_COLUMNS = ("code", "name", "kind", "country")


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)  # codes
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged") % {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
        }


@dataclass
class _OrgRow:
    number: int
    code: str
    name: str
    kind: str
    country_code: str | None
    aliases: list[str] | None  # None: keep the aliases the organisation has


def organisations_import(*, table: Table) -> ImportResult:
    """Create or update organisations from a table with columns code, name, kind, country (and optional aliases).

    Every row is checked first; on any problem TableError lists them all (`row N: reason`) and nothing is written.
    An empty aliases cell keeps the aliases an organisation has; a filled one replaces them (`;`-separated).
    Importing the same table twice changes nothing the second time.
    """
    rows = _organisation_rows(table_columns(table, required=ORGANISATION_COLUMNS, optional=("aliases",)))
    result = ImportResult()
    order = {Organisation.Kind.STATE: 0, Organisation.Kind.PARTNER: 1, Organisation.Kind.NGO: 2}
    with transaction.atomic():
        by_code = {org.code: org for org in Organisation.objects.select_for_update().all()}
        for row in sorted(rows, key=lambda r: (order[Organisation.Kind(r.kind)], r.number)):
            country = by_code[row.country_code] if row.country_code else None
            org = by_code.get(row.code)
            aliases = row.aliases if row.aliases is not None else (org.aliases if org else [])
            if org is None:
                org = Organisation.objects.create(
                    code=row.code, name=row.name, kind=row.kind, country=country, aliases=aliases
                )
                by_code[org.code] = org
                result.created.append(org.code)
                continue
            wanted = {"name": row.name, "country_id": country.pk if country else None, "aliases": aliases}
            if all(getattr(org, key) == value for key, value in wanted.items()):
                result.unchanged.append(org.code)
                continue
            for key, value in wanted.items():
                setattr(org, key, value)
            org.save(update_fields=[*wanted, "updated_at"])
            result.updated.append(org.code)
    return result


def _organisation_rows(table: Table) -> list[_OrgRow]:
    problems: list[str] = []
    existing = {org.code: org for org in Organisation.objects.all()}
    # Names, codes and aliases of the participating States: in the database, and added by this file.
    states: dict[str, str] = {}
    for org in existing.values():
        if org.kind == Organisation.Kind.STATE:
            for key in (org.code, org.name, *org.aliases):
                states.setdefault(key.casefold(), org.code)
    for row in table.rows:
        if _kind(row.get("kind")) == Organisation.Kind.STATE and STATE_CODE_RE.match(row.get("code")):
            for key in (row.get("code"), row.get("name")):
                if key:
                    states.setdefault(key.casefold(), row.get("code"))
    lookup = {key: org for org in existing.values() for key in (org.code.casefold(), org.name.casefold())}

    seen: dict[str, int] = {}
    parsed: list[_OrgRow] = []
    for row in table.rows:
        before = len(problems)

        def fail(reason: str, number: int = row.number) -> None:
            problems.append(row_problem(number, reason))

        code, name, kind_text, country_text = (row.get(column) for column in ORGANISATION_COLUMNS)
        kind = _kind(kind_text)
        if not code:
            fail(_("the code is empty"))
        elif code in seen:
            fail(_("code “%(code)s” appears twice in the file (row %(first)d)") % {"code": code, "first": seen[code]})
        else:
            seen[code] = row.number
        if not name:
            fail(_("the name is empty"))
        elif len(name) > 200:
            fail(_("the name is longer than 200 characters"))
        if kind is None:
            fail(
                _("unknown kind “%(kind)s” (use state, partner or ngo)") % {"kind": kind_text}
                if kind_text
                else _("the kind is empty (use state, partner or ngo)")
            )
        country_code: str | None = None
        if kind == Organisation.Kind.NGO:
            if code and not NGO_CODE_RE.match(code):
                fail(
                    _("an NGO code must be lowercase letters, digits and hyphens, e.g. la-strada-ua (not “%(code)s”)")
                    % {"code": code}
                )
            elif len(code) > 60:
                fail(_("the code is longer than 60 characters"))
            if not country_text:
                fail(_("an NGO needs a country: the participating State it works in"))
            else:
                country_code = states.get(country_text.casefold())
                if country_code is None:
                    other = lookup.get(country_text.casefold()) or _by_alias(existing, country_text)
                    if other is not None:
                        fail(_("country “%(country)s” is not a participating State") % {"country": country_text})
                    else:
                        fail(_("unknown country “%(country)s”") % {"country": country_text})
        elif kind is not None:
            if code and not STATE_CODE_RE.match(code):
                fail(
                    _("the code of a State or Partner is two capital letters (ISO 3166), not “%(code)s”")
                    % {"code": code}
                )
            if country_text:
                fail(_("only NGOs have a country; leave it empty for States and Partners"))
        current = existing.get(code)
        if current is not None and kind is not None and current.kind != kind:
            fail(
                _("“%(code)s” exists as %(old)s; its kind cannot change to %(new)s")
                % {"code": code, "old": current.get_kind_display(), "new": Organisation.Kind(kind).label}
            )
        aliases_text = row.get("aliases")
        aliases = [a.strip() for a in aliases_text.split(";") if a.strip()] if aliases_text else None
        if len(problems) == before and kind is not None:
            parsed.append(_OrgRow(row.number, code, name, kind, country_code, aliases))
    if problems:
        raise TableError(problems)
    return parsed


def _kind(text: str) -> str | None:
    kind = KINDS.get(text.strip().casefold())
    return kind.value if kind is not None else None


def _by_alias(organisations: dict[str, Organisation], text: str) -> Organisation | None:
    wanted = text.casefold()
    return next((org for org in organisations.values() if any(a.casefold() == wanted for a in org.aliases)), None)
