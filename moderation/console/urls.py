from django.urls import path

from . import views

app_name = "console"

urlpatterns = [
    path("login", views.login_view, name="login"),
    path("login/verify", views.verify_view, name="verify"),
    path("login/setup", views.setup_view, name="setup"),
    path("logout", views.logout_view, name="logout"),
    path("", views.queue_view, name="queue"),
    path("cases/<id:case_id>", views.case_view, name="case"),
    path("cases/<id:case_id>/assign", views.case_assign_view, name="case-assign"),
    path("cases/<id:case_id>/decide", views.case_decide_view, name="case-decide"),
    path("appeals", views.appeals_view, name="appeals"),
    path("appeals/<id:appeal_id>/decide", views.appeal_decide_view, name="appeal-decide"),
    path("terms", views.terms_view, name="terms"),
    path("terms/add", views.term_add_view, name="term-add"),
    path("terms/<id:term_id>", views.term_edit_view, name="term-edit"),
    path("terms/evaluate", views.evaluate_view, name="evaluate"),
    path("dashboard", views.dashboard_view, name="dashboard"),
]
