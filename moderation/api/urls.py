from django.urls import path

from . import views

urlpatterns = [
    path("reports", views.ReportView.as_view(), name="moderation-report"),
    path("appeals", views.AppealView.as_view(), name="moderation-appeal"),
    path("moderation/cases", views.CaseListView.as_view(), name="moderation-cases"),
    path("moderation/cases/<id:case_id>", views.CaseDetailView.as_view(),
         name="moderation-case"),
    path("moderation/cases/<id:case_id>/assign", views.CaseAssignView.as_view(),
         name="moderation-case-assign"),
    path("moderation/cases/<id:case_id>/decide", views.CaseDecideView.as_view(),
         name="moderation-case-decide"),
    path("moderation/appeals", views.AppealListView.as_view(), name="moderation-appeals"),
    path("moderation/appeals/<id:appeal_id>/decide", views.AppealDecideView.as_view(),
         name="moderation-appeal-decide"),
    path("moderation/terms", views.TermListView.as_view(), name="moderation-terms"),
    path("moderation/terms/<id:term_id>", views.TermDetailView.as_view(),
         name="moderation-term"),
    path("moderation/test-text", views.TestTextView.as_view(), name="moderation-test-text"),
    path("moderation/stats", views.StatsView.as_view(), name="moderation-stats"),
]
