"""The people models and Reminder moved apps with their tables: a database at the migrations before the move keeps
its rows, and the new models find them.

The test migrates the test database back to the state before the move (responses 0005, reports 0002, no accounts),
writes rows through the historical models of that state, migrates forward to the latest migrations, and reads the
rows through accounts.models and responses.models. It runs on SQLite and, with DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.models import Invitation, Membership, Organisation, PasswordResetRequest, PersonSettings, Role
from responses.models import Reminder, Response

BEFORE = [
    # Rounds go back to their shape of that time too (no documents, key figures or short labels): the historical
    # Survey and Question models of this state must match the tables they write.
    ("surveys", "0004_verbose_names"),
    ("accounts", None),
    ("responses", "0005_people_settings_deadline_extensions_notifications"),
    ("reports", "0002_excel_export_report_built_at"),
]


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def _latest() -> list[tuple[str, str | None]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_found_through_the_new_models() -> None:
    organisation_type = ContentType.objects.get_for_model(Organisation).pk
    latest = _latest()
    try:
        executor = _migrate(BEFORE)
        old = executor.loader.project_state([node for node in BEFORE if node[1]]).apps
        assert "organisation" not in old.all_models.get("accounts", {})
        OldOrganisation = old.get_model("responses", "Organisation")
        OldMembership = old.get_model("responses", "Membership")
        OldInvitation = old.get_model("responses", "Invitation")
        OldPasswordResetRequest = old.get_model("responses", "PasswordResetRequest")
        OldPersonSettings = old.get_model("responses", "PersonSettings")
        OldResponse = old.get_model("responses", "Response")
        OldReminder = old.get_model("reports", "Reminder")
        OldSurvey = old.get_model("surveys", "Survey")
        OldUser = old.get_model("auth", "User")

        state = OldOrganisation.objects.get(code="AT")
        ngo = OldOrganisation.objects.create(kind="ngo", code="at-moved-ngo", name="Moved NGO", country=state)
        user = OldUser.objects.create(username="moved@example.org", email="moved@example.org")
        OldMembership.objects.create(user=user, organisation=ngo, role="coordinator")
        OldInvitation.objects.create(
            organisation=ngo,
            email="invited@example.org",
            role="viewer",
            token_hash="f" * 64,
            expires_at=timezone.now() + dt.timedelta(days=7),
            invited_by=user,
        )
        OldPasswordResetRequest.objects.create(address="a" * 64, ip="192.0.2.1", sent=True)
        OldPersonSettings.objects.create(user=user, language="fr")
        survey = OldSurvey.objects.create(slug="moved-round", reference_start=2020, reference_end=2021)
        response = OldResponse.objects.create(survey=survey, organisation=state)
        OldReminder.objects.create(response=response, days_before=7, recipients=["moved@example.org"])
        # Before the move the content type was the responses one: permissions granted on it must follow the model.
        assert ContentType.objects.get(pk=organisation_type).app_label == "responses"

        _migrate(latest)
    finally:
        _migrate(latest)
        ContentType.objects.clear_cache()

    ngo_now = Organisation.objects.get(code="at-moved-ngo")
    assert ngo_now.country is not None
    assert ngo_now.country.code == "AT"
    membership = Membership.objects.get(organisation=ngo_now)
    assert (membership.user.email, membership.role) == ("moved@example.org", Role.COORDINATOR)
    invitation = Invitation.objects.get(organisation=ngo_now)
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "invited@example.org",
        "viewer",
        membership.user,
    )
    assert PasswordResetRequest.objects.get(ip="192.0.2.1").sent is True
    assert PersonSettings.objects.get(user=membership.user).language == "fr"
    response_now = Response.objects.get(survey__slug="moved-round")
    assert response_now.organisation.code == "AT"
    assert Reminder.objects.get(response=response_now).recipients == ["moved@example.org"]
    assert ContentType.objects.get(pk=organisation_type).app_label == "accounts"
    assert ContentType.objects.get_for_model(Organisation).pk == organisation_type


@pytest.mark.django_db(transaction=True)
def test_permissions_granted_before_the_move_survive_when_the_new_content_type_was_made_first() -> None:
    """`migrate accounts` run alone first makes accounts' content types before responses 0006 runs: the two are
    merged, and a group that could change organisations still can."""
    latest = _latest()
    try:
        _migrate(BEFORE)
        ContentType.objects.clear_cache()
        # contenttypes and auth are not moved back: their current models read the same tables.
        before_type = ContentType.objects.get(app_label="responses", model="organisation")
        granted = Permission.objects.get(content_type=before_type, codename="change_organisation")
        editors = Group.objects.create(name="Directory editors")
        editors.permissions.add(granted)
        made_first = ContentType.objects.create(app_label="accounts", model="organisation")
        Permission.objects.create(content_type=made_first, codename="change_organisation", name="Can change")

        _migrate(latest)
    finally:
        _migrate(latest)
        ContentType.objects.clear_cache()

    assert list(ContentType.objects.filter(model="organisation").values_list("app_label", flat=True)) == ["accounts"]
    codes = set(
        Group.objects.get(name="Directory editors").permissions.values_list("content_type__app_label", "codename")
    )
    assert codes == {("accounts", "change_organisation")}
