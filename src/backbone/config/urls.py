from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from backbone.indicators.api import api as indicators_api

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("submissions/", include("backbone.intake.urls")),
    path("linkage/", include("backbone.identity.urls")),
    path("indicators/", include("backbone.indicators.urls")),
    path("indicators/", indicators_api.urls),  # POST check, openapi.json (after: ninja has a root)
    path("", include("backbone.partnership.urls")),
]
