from django.urls import path

from backbone.partnership import views

app_name = "partnership"

urlpatterns = [
    path("", views.home, name="home"),
    path("partners/<slug:slug>/", views.partner_detail, name="partner_detail"),
    path("bodies/<slug:slug>/", views.body_detail, name="body_detail"),
    path("help/", views.help_index, name="help_index"),
    path("help/<slug:name>/", views.help_page, name="help_page"),
]
