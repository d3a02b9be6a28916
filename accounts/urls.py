"""URLs of accounts: the people pages, invitations and two-factor authentication (the language switch and the
password reset form are mounted in oscethb/urls.py, at the paths Django's own views use)."""

from __future__ import annotations

from .views import people, twofactor

urlpatterns = [
    *people.urlpatterns,
    *twofactor.urlpatterns,
]
