"""A person created without a password (add_member) sets their first one through "Forgotten your password?"."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command


def test_a_member_without_a_password_gets_a_reset_link_and_can_log_in(client, db):
    call_command("add_member", "New.Person@Example.org", "--org", "AT", "--role", "contributor")
    user = get_user_model().objects.get(email__iexact="new.person@example.org")
    assert not user.has_usable_password()
    assert client.post("/accounts/password_reset/", {"email": "new.person@example.org"}).status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new_password = "a-brand-new-passphrase-2026"
    done = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    client.logout()
    assert (
        client.post("/accounts/login/", {"username": "NEW.PERSON@example.org", "password": new_password}).status_code
        == 302
    )


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, db):
    assert client.post("/accounts/password_reset/", {"email": "nobody@example.org"}).status_code == 302
    assert mail.outbox == []
