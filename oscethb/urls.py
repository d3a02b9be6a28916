from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.forms_people import EmailPasswordResetForm
from accounts.views.language import language_set
from oscethb.javascript_catalogue import javascript_catalogue

urlpatterns = [
    # Django's set_language, which also remembers a logged-in person's language for the e-mails they get.
    path("i18n/setlang/", language_set, name="set_language"),
    # The texts that static/js/*.js shows, in the language the page names (oscethb/javascript_catalogue.py).
    path("jsi18n/", javascript_catalogue, name="javascript-catalog"),
    path("admin/", admin.site.urls),
    # People created by add_member without a password can still reset it (Django's own form skips them).
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=EmailPasswordResetForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("responses.urls", namespace="responses")),
    path("", include("accounts.urls", namespace="accounts")),
    path("", include("reports.urls", namespace="reports")),
    path("", include("surveys.urls", namespace="surveys")),
    path("", include("api.urls", namespace="api")),
]

# A database outage outside a view (in the session or login middleware) is a 503 too, not a 500.
handler500 = "oscethb.middleware.server_error"
