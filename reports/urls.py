from __future__ import annotations

from django.urls import path

from . import views, views_drafts, views_exports, views_public

app_name = "reports"

urlpatterns = [
    path("staff/rounds/<slug:slug>/dashboard/", views.round_overview, name="dashboard-round"),
    path("staff/rounds/<slug:slug>/reports/build/", views.report_build, name="report-build"),
    path("staff/report-runs/<int:pk>/", views.report_run, name="report-run"),
    path("staff/rounds/<slug:slug>/areas/<str:area_code>/", views.area_dashboard, name="dashboard-area"),
    path("staff/rounds/<slug:slug>/commitments/", views.commitments_dashboard, name="dashboard-commitments"),
    path("staff/rounds/<slug:slug>/questions/<str:code>/", views.question_dashboard, name="dashboard-question"),
    path("staff/rounds/<slug:slug>/countries/<str:iso>/", views.country_dashboard, name="dashboard-country"),
    path("staff/rounds/<slug:slug>/exports/", views_exports.excel_export_start, name="excel-export-start"),
    path("staff/exports/<int:pk>/", views_exports.excel_export_status, name="excel-export-status"),
    path("staff/exports/<int:pk>/download/", views_exports.excel_export_download, name="excel-export-download"),
    path("staff/rounds/<slug:slug>/exports/data/", views_exports.data_export_start, name="data-export-start"),
    path("staff/data-exports/<int:pk>/download/", views_exports.data_export_download, name="data-export-download"),
    path("staff/rounds/<slug:slug>/draft-report/", views_drafts.draft_report_start, name="draft-report-start"),
    path("staff/draft-reports/<int:pk>/", views_drafts.draft_report_status, name="draft-report-status"),
    path("staff/draft-reports/<int:pk>/download/", views_drafts.draft_report_download, name="draft-report-download"),
    path("staff/rounds/<slug:slug>/publish/", views_public.publication_manage, name="publication-manage"),
    path(
        "staff/rounds/<slug:slug>/publish/withdraw/",
        views_public.publication_withdraw_view,
        name="publication-withdraw",
    ),
    # The public results: no login.
    path("results/", views_public.public_results, name="public-results"),
    path("results/<slug:slug>/", views_public.public_round, name="public-round"),
]
