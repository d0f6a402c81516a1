from django.urls import path

from backbone.workforce import views

app_name = "workforce"

urlpatterns = [
    path("", views.index, name="index"),
    path("employers/<slug:slug>/", views.employer, name="employer"),
    path("employers/<slug:slug>/engagement/", views.engagement, name="engagement"),
]
