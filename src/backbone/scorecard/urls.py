from django.urls import path

from backbone.scorecard import views

app_name = "scorecard"

# The same folders as the static site `backbone publish` writes, so links stay relative.
urlpatterns = [
    path("", views.home, name="home"),
    path("what-works/", views.what_works, name="what_works"),
    path("outcomes/<slug:slug>/", views.outcome_detail, name="outcome_detail"),
    path("indicators/<slug:slug>/", views.indicator_detail, name="indicator_detail"),
    path("indicators/<slug:slug>/data.csv", views.indicator_csv, name="indicator_csv"),
    path("indicators/<slug:slug>/data.json", views.indicator_json, name="indicator_json"),
    path("embed/<slug:slug>/", views.embed, name="embed"),
    path("data/results.csv", views.results_csv, name="results_csv"),
    path("data/partitions.json", views.partitions_json, name="partitions_json"),
    path("data/dimensions.json", views.dimensions_json, name="dimensions_json"),
    path("annual-report.pdf", views.annual_report, name="annual_report"),
]
