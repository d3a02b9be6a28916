"""The Django admin, which the staff home links to for organisations and memberships, names the platform's records
in the reader's language (the staff walk read "Answer changes", "Evidences", "Response events" on a Russian page)."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.otp_helpers import force_login_verified

from .factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("ru", ["Ответы на вопросы", "Изменения ответов", "Изменения статуса ответов", "Документы", "Ответы"]),
        ("fr", ["Réponses aux questions", "Modifications des réponses", "Documents"]),
    ],
)
def test_the_admin_names_the_records_of_answers_in_the_readers_language(client, language, names):
    force_login_verified(client, UserFactory(is_staff=True, is_superuser=True))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get("/admin/").content.decode()
    for name in names:
        assert f">{name}</a>" in page, name
    for english in ("Answer changes", "Evidences", "Response events", ">Answers<", ">Responses<", "Django"):
        assert english not in page
    assert "css/admin.css" in page  # the breadcrumb's links are underlined (axe: link-in-text-block)
