from django.urls import path

from . import views

urlpatterns = [
    path("cameo", views.EnrollView.as_view(), name="cameo-enroll"),
    path("cameo/challenge", views.ChallengeView.as_view(), name="cameo-challenge"),
    path("cameo/me", views.MeView.as_view(), name="cameo-me"),
    path("cameo/settings", views.SettingsView.as_view(), name="cameo-settings"),
    path("cameo/grants", views.GrantListView.as_view(), name="cameo-grants"),
    path("cameo/grants/<str:handle>", views.GrantView.as_view(), name="cameo-grant"),
    path("cameo/blocks", views.BlockListView.as_view(), name="cameo-blocks"),
    path("cameo/blocks/<str:handle>", views.BlockView.as_view(), name="cameo-block"),
    path("cameo/approvals", views.ApprovalListView.as_view(), name="cameo-approvals"),
    path("cameo/approvals/<uuid:approval_id>", views.ApprovalDecideView.as_view(),
         name="cameo-approval"),
    path("cameo/appearances", views.AppearanceListView.as_view(), name="cameo-appearances"),
    path("cameo/appearances/<uuid:video_id>", views.AppearanceView.as_view(),
         name="cameo-appearance"),
    path("cameo/consent-log", views.ConsentLogView.as_view(), name="cameo-consent-log"),
    path("cameo/consent-log/verify", views.ConsentLogVerifyView.as_view(),
         name="cameo-consent-log-verify"),
]
