from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("", views.home, name="home"),
    path("rounds/<slug:slug>/questionnaire/", views.questionnaire, name="survey-questionnaire"),
]
