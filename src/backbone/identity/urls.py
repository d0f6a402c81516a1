from django.urls import path

from backbone.identity import views

app_name = "identity"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:pk>/", views.review_pair, name="review_pair"),
]
