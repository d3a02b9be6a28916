from __future__ import annotations

from .views import answering, deadlines, imports, people, twofactor

urlpatterns = [
    *answering.urlpatterns,
    *people.urlpatterns,
    *imports.urlpatterns,
    *twofactor.urlpatterns,
    *deadlines.urlpatterns,
]
