from __future__ import annotations

from .views import answering, deadlines, imports, landing, reminders, workflow

urlpatterns = [
    *landing.urlpatterns,
    *answering.urlpatterns,
    *workflow.urlpatterns,
    *imports.urlpatterns,
    *deadlines.urlpatterns,
    *reminders.urlpatterns,
]
