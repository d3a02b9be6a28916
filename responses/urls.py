from __future__ import annotations

from .views import answering, imports, landing, people, twofactor, workflow

urlpatterns = [
    *landing.urlpatterns,
    *answering.urlpatterns,
    *workflow.urlpatterns,
    *people.urlpatterns,
    *imports.urlpatterns,
    *twofactor.urlpatterns,
]
