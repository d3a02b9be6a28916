"""Reads of the organisation directory: an organisation by any of its names, for imports and the people commands."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import get_language

from .models import Organisation


def organisation_resolve(text: str) -> Organisation | None:
    """An organisation by code, name, former name or its name in another language, case-insensitively (e.g. 'Czech
    Republic' -> CZ, 'Австрия' -> AT)."""
    wanted = (text or "").strip()
    if not wanted:
        return None
    org = Organisation.objects.filter(Q(code__iexact=wanted) | Q(name__iexact=wanted)).first()
    if org is not None:
        return org
    lowered = wanted.casefold()
    for candidate in Organisation.objects.exclude(aliases=[], names={}).only("id", "aliases", "names"):
        if any(alias.casefold() == lowered for alias in (*candidate.aliases, *candidate.names.values())):
            return Organisation.objects.get(pk=candidate.pk)
    return None


def organisation_display_names() -> dict[str, str]:
    """Every State's and Partner's name in the active language by code, in one read (pages that name States from a
    stored report, which keeps the directory's English name)."""
    rows = Organisation.objects.exclude(kind=Organisation.Kind.NGO).values_list("code", "name", "names")
    language = (get_language() or "").split("-")[0]
    return {code: (names or {}).get(language) or name for code, name, names in rows}


def organisation_lookup_table() -> dict[str, Organisation]:
    """Every code, name, alias and name in another language (casefolded) -> organisation, for imports that resolve
    many rows at once."""
    table: dict[str, Organisation] = {}
    for org in Organisation.objects.all():
        for key in (org.code, org.name, *org.aliases, *org.names.values()):
            table.setdefault(key.casefold(), org)
    return table
