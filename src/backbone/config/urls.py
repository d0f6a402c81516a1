from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from backbone.config.api import api as token_api
from backbone.indicators.api import api as indicators_api

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("submissions/", include("backbone.intake.urls")),
    path("linkage/", include("backbone.identity.urls")),
    path("", include("backbone.governance.urls")),  # /governance/… and /agreements/…
    path("scorecard/", include("backbone.scorecard.urls")),
    path("indicators/", include("backbone.indicators.urls")),
    path("programs/", include("backbone.programs.urls")),
    path("workforce/", include("backbone.workforce.urls")),
    path("evidence/", include("backbone.evidence.urls")),
    path("indicators/", indicators_api.urls),  # POST check, openapi.json (after: ninja has a root)
    path("networks/", include("backbone.improvement.urls")),
    path("api/v1/", token_api.urls),  # the token API (docs/api.md)
    path("", include("backbone.partnership.urls")),
]
