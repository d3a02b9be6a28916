"""The people models move here from `responses`, keeping their tables: a change of state only, no change of schema.

Organisation, Membership, Invitation, PasswordResetRequest and PersonSettings were `responses` models. They keep the
tables they had (`db_table = "responses_organisation"` and so on): the safer choice, with no risk to the rows, over
renaming five tables and their sequences, constraints and foreign keys on PostgreSQL. So this migration only tells
Django's state that the models are now in `accounts` (SeparateDatabaseAndState with no database operation), and
responses' 0006 then removes them from `responses`' state and points Response and DeadlineExtension at them.

Order: this runs after responses' 0005 (the tables exist, created by responses 0001, 0003 and 0005, and filled by the
0002 data migration on a fresh database), and before responses' 0006. A database at responses' latest migration and
a fresh one both migrate forward; accounts/tests/test_migration_move.py checks that the rows are kept.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("responses", "0005_people_settings_deadline_extensions_notifications"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="PasswordResetRequest",
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
                            "address",
                            models.CharField(
                                db_index=True, help_text="HMAC-SHA256 of the address as typed", max_length=64
                            ),
                        ),
                        ("ip", models.GenericIPAddressField(blank=True, db_index=True, null=True)),
                        (
                            "sent",
                            models.BooleanField(
                                default=False, help_text="Whether a mail went out (the address has an account)"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "responses_passwordresetrequest",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="Organisation",
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
                            "kind",
                            models.CharField(
                                choices=[
                                    ("state", "Participating State"),
                                    ("partner", "Partner for Co-operation"),
                                    ("ngo", "NGO"),
                                ],
                                max_length=10,
                            ),
                        ),
                        (
                            "code",
                            models.CharField(
                                help_text="ISO 3166 alpha-2 for States and Partners; a slug for NGOs",
                                max_length=60,
                                unique=True,
                            ),
                        ),
                        ("name", models.CharField(max_length=200)),
                        (
                            "aliases",
                            models.JSONField(
                                blank=True, default=list, help_text="Former or other names, accepted by imports"
                            ),
                        ),
                        ("region_codes", models.JSONField(blank=True, default=list)),
                        (
                            "country",
                            models.ForeignKey(
                                blank=True,
                                help_text="For an NGO: the participating State it works in",
                                limit_choices_to={"kind": "state"},
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="ngos",
                                to="accounts.organisation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "responses_organisation",
                        "ordering": ["kind", "name"],
                    },
                ),
                migrations.CreateModel(
                    name="Membership",
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
                            "role",
                            models.CharField(
                                choices=[
                                    ("coordinator", "Coordinator"),
                                    ("contributor", "Contributor"),
                                    ("viewer", "Viewer"),
                                ],
                                default="contributor",
                                max_length=12,
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to="accounts.organisation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "responses_membership",
                    },
                ),
                migrations.CreateModel(
                    name="Invitation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("email", models.EmailField(max_length=254)),
                        (
                            "role",
                            models.CharField(
                                choices=[
                                    ("coordinator", "Coordinator"),
                                    ("contributor", "Contributor"),
                                    ("viewer", "Viewer"),
                                ],
                                default="contributor",
                                max_length=12,
                            ),
                        ),
                        ("token_hash", models.CharField(max_length=64, unique=True)),
                        ("expires_at", models.DateTimeField()),
                        ("sent_count", models.PositiveIntegerField(default=0)),
                        ("last_sent_at", models.DateTimeField(blank=True, null=True)),
                        ("accepted_at", models.DateTimeField(blank=True, null=True)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "invited_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="invitations",
                                to="accounts.organisation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "responses_invitation",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="PersonSettings",
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
                            "language",
                            models.CharField(
                                choices=[
                                    ("en", "English"),
                                    ("fr", "French"),
                                    ("de", "German"),
                                    ("it", "Italian"),
                                    ("ru", "Russian"),
                                    ("es", "Spanish"),
                                ],
                                default="en",
                                max_length=10,
                            ),
                        ),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="person_settings",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "person's settings",
                        "verbose_name_plural": "people's settings",
                        "db_table": "responses_personsettings",
                    },
                ),
                migrations.AddConstraint(
                    model_name="organisation",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("kind", "ngo"), ("country__isnull", True), _connector="OR"),
                        name="only_ngos_have_a_country",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="membership",
                    constraint=models.UniqueConstraint(fields=("user", "organisation"), name="one_membership_per_org"),
                ),
            ],
        ),
    ]
