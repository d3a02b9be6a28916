from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("rounds/<slug:slug>/questionnaire/", views.questionnaire, name="survey-questionnaire"),
]
