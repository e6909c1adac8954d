from django.urls import path

from . import views

urlpatterns = [
    path("auth/register", views.RegisterView.as_view(), name="auth-register"),
    path("auth/login", views.LoginView.as_view(), name="auth-login"),
    path("auth/refresh", views.RefreshView.as_view(), name="auth-refresh"),
    path("auth/logout", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/sessions", views.SessionListView.as_view(), name="auth-sessions"),
    path("auth/sessions/<id:session_id>", views.SessionRevokeView.as_view(),
         name="auth-session"),
    path("auth/password", views.PasswordChangeView.as_view(), name="auth-password"),
    path("auth/password/reset", views.PasswordResetView.as_view(), name="auth-password-reset"),
    path("auth/password/reset/confirm", views.PasswordResetConfirmView.as_view(),
         name="auth-password-reset-confirm"),
    path("auth/email/verify", views.EmailVerifyView.as_view(), name="auth-email-verify"),
    path("auth/email/verify/resend", views.EmailVerifyResendView.as_view(),
         name="auth-email-verify-resend"),
    path("me", views.MeView.as_view(), name="me"),
    path("me/avatar", views.AvatarView.as_view(), name="me-avatar"),
    path("users/<str:handle>", views.ProfileView.as_view(), name="user-profile"),
    path("users/<str:handle>/follow", views.FollowView.as_view(), name="user-follow"),
    path("users/<str:handle>/block", views.BlockView.as_view(), name="user-block"),
    path("users/<str:handle>/followers", views.FollowersView.as_view(), name="user-followers"),
    path("users/<str:handle>/following", views.FollowingView.as_view(), name="user-following"),
]
