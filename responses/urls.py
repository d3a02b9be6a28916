from __future__ import annotations

from .views import answering, imports, people, twofactor, workflow

urlpatterns = [
    *answering.urlpatterns,
    *workflow.urlpatterns,
    *people.urlpatterns,
    *imports.urlpatterns,
    *twofactor.urlpatterns,
]
