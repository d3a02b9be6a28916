from __future__ import annotations

from .views import answering, deadlines, imports, landing, people, twofactor, workflow

urlpatterns = [
    *landing.urlpatterns,
    *answering.urlpatterns,
    *workflow.urlpatterns,
    *people.urlpatterns,
    *imports.urlpatterns,
    *twofactor.urlpatterns,
    *deadlines.urlpatterns,
]
