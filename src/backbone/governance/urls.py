from django.urls import path

from backbone.governance import views

app_name = "governance"

urlpatterns = [
    path("audit/", views.audit_log, name="audit_log"),
    path("audit.csv", views.audit_csv, name="audit_csv"),
    path("second-factor/", views.second_factor, name="second_factor"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
    path("participants/", views.participant_outcomes, name="participant_outcomes"),
]
