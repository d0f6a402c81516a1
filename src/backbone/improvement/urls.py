from django.urls import path

from backbone.improvement import views

app_name = "improvement"

urlpatterns = [
    path("", views.network_list, name="network_list"),
    path("<slug:slug>/", views.network_detail, name="network_detail"),
    path("<slug:slug>/charter/", views.charter_edit, name="charter_edit"),
    path("<slug:slug>/actions/", views.action_add, name="action_add"),
    path("<slug:slug>/actions/<int:pk>/", views.action_update, name="action_update"),
    path("<slug:slug>/pdsa/", views.pdsa_add, name="pdsa_add"),
    path("<slug:slug>/pdsa/<int:pk>/close/", views.pdsa_close, name="pdsa_close"),
    path("<slug:slug>/barriers/", views.barrier_add, name="barrier_add"),
]
