from django.urls import path

from backbone.governance import views

app_name = "governance"

# Mounted at the root: the agreements keep the addresses they had beside the registry's pages.
urlpatterns = [
    path("governance/audit/", views.audit_log, name="audit_log"),
    path("governance/audit.csv", views.audit_csv, name="audit_csv"),
    path("governance/second-factor/", views.second_factor, name="second_factor"),
    path("governance/tokens/", views.api_tokens, name="api_tokens"),
    path("governance/tokens/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
    path("governance/participants/", views.participant_outcomes, name="participant_outcomes"),
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/<slug:slug>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<slug:slug>/document/", views.agreement_document, name="agreement_document"),
]
