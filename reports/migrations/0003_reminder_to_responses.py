"""Reminder leaves `reports`' state for `responses` (responses/migrations/0007_reminder_from_reports.py); its table
`reports_reminder` stays, with its rows."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_excel_export_report_built_at"),
        ("responses", "0007_reminder_from_reports"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="Reminder")],
        ),
    ]
