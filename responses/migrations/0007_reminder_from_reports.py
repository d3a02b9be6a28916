"""Reminder moves from `reports` to `responses` (a reminder writes response rows), keeping its table.

The table stays `reports_reminder` (`db_table` in the model's Meta): state only, no change of schema. reports'
0003 removes the model from `reports`' state after this one; the content type is relabelled so that admin
permissions and history follow the model.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from accounts.contenttype_moves import content_types_move


def relabel(apps, schema_editor, old: str, new: str) -> None:
    content_types_move(apps, old, new, ["reminder"])


def forwards(apps, schema_editor):
    relabel(apps, schema_editor, "reports", "responses")


def backwards(apps, schema_editor):
    relabel(apps, schema_editor, "responses", "reports")


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0006_people_models_to_accounts"),
        ("reports", "0002_excel_export_report_built_at"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Reminder",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "days_before",
                            models.IntegerField(help_text="Days before the closing date; -1 for one sent by hand"),
                        ),
                        ("sent_at", models.DateTimeField(auto_now_add=True)),
                        ("recipients", models.JSONField(default=list)),
                        (
                            "response",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reminders",
                                to="responses.response",
                            ),
                        ),
                        (
                            "sent_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "reports_reminder",
                        "ordering": ["-sent_at"],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("days_before__gte", 0)),
                                fields=("response", "days_before"),
                                name="one_scheduled_reminder_per_response_and_day",
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
