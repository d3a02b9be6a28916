"""URLs of the API for BI tools: /api/v1/… (read-only), the OpenAPI schema and its documentation page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

urlpatterns = [
    path("api/v1/rounds/", views.RoundList.as_view(), name="rounds"),
    path("api/v1/rounds/<slug:slug>/report/", views.RoundReport.as_view(), name="round-report"),
    path("api/v1/questions/", views.QuestionList.as_view(), name="questions"),
    path("api/v1/organisations/", views.OrganisationList.as_view(), name="organisations"),
    path("api/v1/responses/", views.ResponseList.as_view(), name="responses"),
    path("api/v1/answers/", views.AnswerList.as_view(), name="answers"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from drf-spectacular-sidecar's static files, its start script a file too (the CSP allows no inline
    # script); for people logged in (a visitor is sent to the login page).
    path(
        "api/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
]
