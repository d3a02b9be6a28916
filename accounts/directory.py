"""The reference directory: the 57 participating States and 11 Partners for Co-operation, with former names and
their names in the six languages."""

from __future__ import annotations

import csv
from pathlib import Path

from .models import Organisation

OSCE_STATES = Path(__file__).resolve().parent / "data" / "osce_states.csv"
# The file's name columns besides the English `name`: name_fr, name_de, … (Organisation.names).
OTHER_LANGUAGES = ("fr", "de", "it", "ru", "es")


def reference_organisations_ensure() -> int:
    """Create the States and Partners that are missing (the migration loads them; a flushed test database
    loses them). Returns how many were created; existing rows are left as they are."""
    existing = set(Organisation.objects.values_list("code", flat=True))
    created = []
    with OSCE_STATES.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["code"] not in existing:
                aliases = [a for a in row["aliases"].split(";") if a]
                names = {lang: row[f"name_{lang}"] for lang in OTHER_LANGUAGES if row.get(f"name_{lang}")}
                created.append(
                    Organisation(code=row["code"], name=row["name"], kind=row["kind"], aliases=aliases, names=names)
                )
    Organisation.objects.bulk_create(created)
    return len(created)
