"""URLs of accounts: the people pages, invitations and two-factor authentication (the language switch and the
password reset form are mounted in oscethb/urls.py, at the paths Django's own views use)."""

from __future__ import annotations

from django.urls import path

from .views import api_tokens, people, twofactor

app_name = "accounts"

urlpatterns = [
    path("organisations/<str:code>/people/", people.people, name="people-invitations"),
    path("invitations/<int:pk>/resend/", people.resend, name="invitation-resend"),
    path("invitations/<int:pk>/revoke/", people.revoke, name="invitation-revoke"),
    path("invitations/accept/<str:token>/", people.accept, name="invitation-accept"),
    path("staff/invitations/bulk/", people.bulk, name="invitations-bulk"),
    path("account/two-factor/", twofactor.account, name="twofactor-account"),
    path("account/two-factor/setup/", twofactor.setup, name="twofactor-setup"),
    path("account/two-factor/verify/", twofactor.verify, name="twofactor-verify"),
    path("account/two-factor/backup-codes/", twofactor.backup_codes, name="twofactor-backup-codes"),
    path("account/two-factor/turn-off/", twofactor.turn_off, name="twofactor-turn-off"),
    path("account/api-tokens/", api_tokens.api_tokens, name="api-tokens"),
    path("account/api-tokens/<int:pk>/revoke/", api_tokens.api_token_revoke_view, name="api-token-revoke"),
]
