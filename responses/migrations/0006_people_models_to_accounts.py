"""The people models leave `responses` for `accounts` (accounts/migrations/0001_initial.py), keeping their tables.

State only: the foreign keys of Response and DeadlineExtension now point at `accounts.Organisation`, which is the
same table (`responses_organisation`), so the database keeps its constraints as they are. The content types (and
with them the admin permissions given to people and groups, and the admin's history) are relabelled from
`responses` to `accounts`, so that nothing granted before the move is lost.
"""

import django.db.models.deletion
from django.db import migrations, models

from accounts.contenttype_moves import content_types_move

MOVED = ["organisation", "membership", "invitation", "passwordresetrequest", "personsettings"]


def relabel(apps, schema_editor, old: str, new: str, models: list[str]) -> None:
    content_types_move(apps, old, new, models)


def forwards(apps, schema_editor):
    relabel(apps, schema_editor, "responses", "accounts", MOVED)


def backwards(apps, schema_editor):
    relabel(apps, schema_editor, "accounts", "responses", MOVED)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("responses", "0005_people_settings_deadline_extensions_notifications"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="response",
                    name="organisation",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="responses",
                        to="accounts.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="deadlineextension",
                    name="organisation",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deadline_extensions",
                        to="accounts.organisation",
                    ),
                ),
                migrations.RemoveField(model_name="invitation", name="invited_by"),
                migrations.RemoveField(model_name="invitation", name="organisation"),
                migrations.RemoveField(model_name="membership", name="organisation"),
                migrations.RemoveField(model_name="membership", name="user"),
                migrations.RemoveField(model_name="organisation", name="country"),
                migrations.RemoveField(model_name="personsettings", name="user"),
                migrations.DeleteModel(name="PasswordResetRequest"),
                migrations.DeleteModel(name="Invitation"),
                migrations.DeleteModel(name="Membership"),
                migrations.DeleteModel(name="Organisation"),
                migrations.DeleteModel(name="PersonSettings"),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
