from django.urls import path

from backbone.evidence import views

app_name = "evidence"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.study, name="study"),
]
