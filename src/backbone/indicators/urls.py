from django.urls import path

from backbone.indicators import target_views, views

app_name = "indicators"

urlpatterns = [
    path("", views.indicator_list, name="indicator_list"),
    path("new/", views.indicator_new, name="indicator_new"),
    path("plan/", views.measurement_plan, name="measurement_plan"),
    path("plan.csv", views.measurement_plan_csv, name="measurement_plan_csv"),
    path("outcomes/<slug:slug>/", views.outcome_detail, name="outcome_detail"),
    path("<slug:slug>/", views.indicator_detail, name="indicator_detail"),
    path("<slug:slug>/edit/", views.indicator_edit, name="indicator_edit"),
    path("<slug:slug>/results.csv", views.indicator_csv, name="indicator_csv"),
    path("<slug:slug>/targets/", target_views.targets_page, name="targets_page"),
    path("<slug:slug>/milestones/new/", target_views.milestone_new, name="milestone_new"),
    path("<slug:slug>/stories/new/", target_views.story_new, name="story_new"),
]
