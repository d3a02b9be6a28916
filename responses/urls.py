from __future__ import annotations

from .views import answering, imports, landing, people, twofactor

urlpatterns = [
    *landing.urlpatterns,
    *answering.urlpatterns,
    *people.urlpatterns,
    *imports.urlpatterns,
    *twofactor.urlpatterns,
]
