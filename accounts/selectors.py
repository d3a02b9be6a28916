"""Reads of the organisation directory: an organisation by any of its names, for imports and the people commands."""

from __future__ import annotations

from django.db.models import Q

from .models import Organisation


def organisation_resolve(text: str) -> Organisation | None:
    """An organisation by code, name or former name, case-insensitively (e.g. 'Czech Republic' -> CZ)."""
    wanted = (text or "").strip()
    if not wanted:
        return None
    org = Organisation.objects.filter(Q(code__iexact=wanted) | Q(name__iexact=wanted)).first()
    if org is not None:
        return org
    lowered = wanted.casefold()
    for candidate in Organisation.objects.exclude(aliases=[]).only("id", "aliases"):
        if any(alias.casefold() == lowered for alias in candidate.aliases):
            return Organisation.objects.get(pk=candidate.pk)
    return None


def organisation_lookup_table() -> dict[str, Organisation]:
    """Every code, name and alias (casefolded) -> organisation, for imports that resolve many rows at once."""
    table: dict[str, Organisation] = {}
    for org in Organisation.objects.all():
        for key in (org.code, org.name, *org.aliases):
            table.setdefault(key.casefold(), org)
    return table
