from __future__ import annotations

from django.urls import path

from .views import answering, deadlines, imports, landing, offline, reminders, workflow

app_name = "responses"

urlpatterns = [
    path("start/", landing.after_login, name="after-login"),
    path("my/", landing.my_rounds, name="my-rounds"),
    path("staff/", landing.staff_home, name="staff-home"),
    path("rounds/<slug:slug>/respond/<str:org_code>/", answering.response_home, name="response-home"),
    path(
        "rounds/<slug:slug>/respond/<str:org_code>/section/<str:section_code>/",
        answering.section_page,
        name="response-section",
    ),
    path(
        "rounds/<slug:slug>/respond/<str:org_code>/autosave/<str:question_code>/",
        answering.autosave,
        name="response-autosave",
    ),
    path("rounds/<slug:slug>/respond/<str:org_code>/review/", answering.review, name="response-review"),
    path("rounds/<slug:slug>/respond/<str:org_code>/history/", answering.history, name="response-history"),
    path("evidence/<int:pk>/", answering.evidence_download, name="evidence-download"),
    path("evidence/<int:pk>/delete/", answering.evidence_remove, name="evidence-delete"),
    path("staff/rounds/<slug:slug>/responses/", answering.staff_responses, name="staff-responses"),
    path("rounds/<slug:slug>/respond/<str:org_code>/submit/", workflow.submit, name="response-submit"),
    path("rounds/<slug:slug>/respond/<str:org_code>/return/", workflow.return_for_changes, name="response-return"),
    path("rounds/<slug:slug>/respond/<str:org_code>/accept/", workflow.accept, name="response-accept"),
    path("rounds/<slug:slug>/respond/<str:org_code>/reopen/", workflow.reopen, name="response-reopen"),
    path("rounds/<slug:slug>/respond/<str:org_code>/answers/", workflow.answers, name="response-answers"),
    path("rounds/<slug:slug>/respond/<str:org_code>/answers.pdf", workflow.answers_pdf, name="response-answers-pdf"),
    path("staff/rounds/<slug:slug>/import/", imports.staff_import_responses, name="staff-import-responses"),
    path("rounds/<slug:slug>/respond/<str:org_code>/prefill/", imports.response_prefill, name="response-prefill"),
    path(
        "rounds/<slug:slug>/respond/<str:org_code>/workbook.xlsx", offline.workbook_download, name="workbook-download"
    ),
    path("rounds/<slug:slug>/respond/<str:org_code>/workbook/upload/", offline.workbook_upload, name="workbook-upload"),
    path(
        "rounds/<slug:slug>/respond/<str:org_code>/workbook/<int:pk>/",
        offline.workbook_preview,
        name="workbook-preview",
    ),
    path("rounds/<slug:slug>/respond/<str:org_code>/extend/", deadlines.extend, name="response-extend"),
    path("staff/rounds/<slug:slug>/reminders/<str:org_code>/", reminders.reminder_send, name="reminder-send"),
]
