from django.urls import path

from . import views

urlpatterns = [
    path("storyboards", views.StoryboardListCreateView.as_view(), name="storyboards"),
    path("storyboards/<uuid:storyboard_id>", views.StoryboardDetailView.as_view(),
         name="storyboard"),
    path("storyboards/<uuid:storyboard_id>/shots", views.ShotAddView.as_view(),
         name="storyboard-shots"),
    path("storyboards/<uuid:storyboard_id>/shots/order", views.ShotReorderView.as_view(),
         name="storyboard-shots-order"),
    path("storyboards/<uuid:storyboard_id>/shots/<int:shot_id>", views.ShotDetailView.as_view(),
         name="storyboard-shot"),
    path("storyboards/<uuid:storyboard_id>/collaborators", views.CollaboratorAddView.as_view(),
         name="storyboard-collaborators"),
    path("storyboards/<uuid:storyboard_id>/collaborators/<str:handle>",
         views.CollaboratorRemoveView.as_view(), name="storyboard-collaborator"),
    path("storyboards/<uuid:storyboard_id>/generate", views.StoryboardGenerateView.as_view(),
         name="storyboard-generate"),
]
