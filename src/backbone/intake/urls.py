from django.urls import path

from backbone.intake import views

app_name = "intake"

urlpatterns = [
    path("", views.submission_list, name="submission_list"),
    path("upload/", views.upload, name="upload"),
    path("calendar/", views.calendar, name="calendar"),
    path("<int:pk>/", views.submission_detail, name="submission_detail"),
    path("<int:pk>/progress.json", views.submission_progress, name="submission_progress"),
    path("<int:pk>/report.csv", views.report_csv, name="report_csv"),
]
