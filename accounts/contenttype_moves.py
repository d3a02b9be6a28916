"""Moving models between apps without losing what was granted on them: the content types follow the models.

Used by the migrations that move models (responses 0006: the people models to accounts; responses 0007: Reminder
from reports). A model's content type is relabelled to its new app, so the permissions given to people and groups
and the admin's history stay attached. When a content type for the new label exists already (someone ran
`migrate accounts` alone first, and Django's post-migrate step made it), the two are merged: each permission given
on the old one is given on the new one with the same codename, the admin history is repointed, and the old content
type is removed. Nothing granted is lost either way.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def content_types_move(apps: Any, old_label: str, new_label: str, models: list[str]) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in models:
        old = ContentType.objects.filter(app_label=old_label, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label=new_label, model=model).first()
        if new is None:
            ContentType.objects.filter(pk=old.pk).update(app_label=new_label)
        else:
            _merge(apps, old, new)


def _merge(apps: Any, old: Any, new: Any) -> None:
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    group_links = Group.permissions.through
    user_links = User.user_permissions.through
    for permission in Permission.objects.filter(content_type=old):
        kept = Permission.objects.filter(content_type=new, codename=permission.codename).first()
        if kept is None:
            Permission.objects.filter(pk=permission.pk).update(content_type=new)
            continue
        group_links.objects.bulk_create(
            [
                group_links(group_id=group_id, permission_id=kept.pk)
                for group_id in group_links.objects.filter(permission_id=permission.pk).values_list(
                    "group_id", flat=True
                )
            ],
            ignore_conflicts=True,
        )
        user_links.objects.bulk_create(
            [
                user_links(user_id=user_id, permission_id=kept.pk)
                for user_id in user_links.objects.filter(permission_id=permission.pk).values_list("user_id", flat=True)
            ],
            ignore_conflicts=True,
        )
        permission.delete()
    try:
        LogEntry = apps.get_model("admin", "LogEntry")
    except LookupError:  # the admin is not installed: no history to keep
        LogEntry = None
    if LogEntry is not None:
        LogEntry.objects.filter(content_type_id=old.pk).update(content_type_id=new.pk)
    old.delete()
