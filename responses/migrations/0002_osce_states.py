"""Every database holds the 57 participating States and 11 Partners for Co-operation, with former names as aliases."""

import csv
from pathlib import Path

from django.db import migrations

# The file moved to accounts (the directory's home, accounts/directory.py) when the people models did.
DATA = Path(__file__).resolve().parent.parent.parent / "accounts" / "data" / "osce_states.csv"


def load_states(apps, schema_editor):
    Organisation = apps.get_model("responses", "Organisation")
    with DATA.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            aliases = [a for a in row["aliases"].split(";") if a]
            Organisation.objects.update_or_create(
                code=row["code"], defaults={"name": row["name"], "kind": row["kind"], "aliases": aliases}
            )


class Migration(migrations.Migration):
    dependencies = [("responses", "0001_initial")]
    operations = [migrations.RunPython(load_states, migrations.RunPython.noop)]
