from __future__ import annotations

from .views import answering, imports, people

urlpatterns = [*answering.urlpatterns, *people.urlpatterns, *imports.urlpatterns]
