"""An area's commitments are the commitments naming it (Survey.commitments[].area); 0005 moved its references."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0005_documents_and_commitments"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="area",
            name="commitments",
        ),
    ]
